// Command-line parsing: `sipd [-f FILE] COMMAND [OPERANDS] [--foreground]`, options in any position.
// The provisioning commands (subscriber, device, regroute) and connections parse their own options: everything after the
// command word except -f FILE is passed on to them as operands.
export const COMMANDS = [
  'start', 'stop', 'restart', 'graceful', 'txngraceful-restart', 'status', 'configtest', 'subscriber', 'device',
  'connections', 'regroute',
] as const;

export type Command = (typeof COMMANDS)[number];

export interface CliArgs {
  command: Command;
  file?: string;
  foreground: boolean;
  operands: string[];
}

export const USAGE =
  'usage: sipd [-f FILE] start [--foreground] | stop | restart | graceful | ' +
  'txngraceful-restart SECONDS 1|2 | status | configtest | subscriber ACTION … | device ACTION …' +
  ' | connections [--transport tcp|tls] [--clear ID | --target HOST:PORT] | regroute ACTION …';

const WITH_OWN_OPTIONS: readonly string[] = ['subscriber', 'device', 'connections', 'regroute'];

export function parseArgs(argv: string[]): CliArgs | { error: string } {
  let file: string | undefined;
  let foreground = false;
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-f') {
      if (i + 1 >= argv.length) return { error: '-f needs a file name' };
      file = argv[++i];
    } else if (arg === '--foreground') {
      foreground = true;
    } else if (WITH_OWN_OPTIONS.includes(words[0])) {
      words.push(arg);
    } else if (arg.startsWith('-')) {
      return { error: `unknown option ${arg}` };
    } else {
      words.push(arg);
    }
  }
  const [command, ...operands] = words;
  if (command === undefined) return { error: 'no command given' };
  if (!isCommand(command)) return { error: `unknown command ${command}` };
  if (foreground && command !== 'start') return { error: '--foreground goes with start only' };
  if (command !== 'txngraceful-restart' && !WITH_OWN_OPTIONS.includes(command) && operands.length > 0) return { error: `${command} takes no operands` };
  return { command, file, foreground, operands };
}

function isCommand(word: string): word is Command {
  return (COMMANDS as readonly string[]).includes(word);
}
