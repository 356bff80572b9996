// The `sipd` command (bin/sipd loads this file).
import { parseArgs, USAGE, type CliArgs } from './args';
import { configtest } from './cmd-configtest';
import { deviceCommand } from './cmd-device';
import { CONNECTIONS_USAGE, connectionsCommand, parseConnectionsOperands } from './cmd-connections';
import { graceful } from './cmd-graceful';
import { regrouteCommand } from './cmd-regroute';
import { start, startDetached } from './cmd-start';
import { status } from './cmd-status';
import { subscriberCommand } from './cmd-subscriber';
import { stop, stopRunning } from './cmd-stop';
import { parseTxnOperands, TXN_USAGE, txngracefulRestart } from './cmd-txngraceful';
import { configFilePath } from './paths';
import { loadOrReport } from './report';

const USAGE_ERROR = 2;

async function run(args: CliArgs): Promise<number> {
  const file = configFilePath(args.file);
  switch (args.command) {
    case 'start':
      return start(file, args.foreground);
    case 'stop':
      return stop(file);
    case 'restart':
      return restart(file);
    case 'graceful':
      return graceful(file);
    case 'txngraceful-restart': {
      const txn = parseTxnOperands(args.operands);
      if (!txn) {
        console.error(TXN_USAGE);
        return USAGE_ERROR;
      }
      return txngracefulRestart(file, txn.seconds, txn.behaviour);
    }
    case 'status':
      return status(file);
    case 'configtest':
      return configtest(file);
    case 'subscriber':
      return subscriberCommand(file, args.operands);
    case 'device':
      return deviceCommand(file, args.operands);
    case 'regroute':
      return regrouteCommand(file, args.operands);
    case 'connections': {
      const req = parseConnectionsOperands(args.operands);
      if ('error' in req) {
        console.error(`sipd: ${req.error}`);
        console.error(CONNECTIONS_USAGE);
        return USAGE_ERROR;
      }
      return connectionsCommand(file, req);
    }
  }
}

// Validates before stopping, so a broken file never leaves sipd down.
async function restart(file: string): Promise<number> {
  const config = loadOrReport(file, 'Restarting sipd');
  if (!config) return 1;
  const stopped = await stopRunning(config);
  return stopped === 0 ? startDetached(file, config) : stopped;
}

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  if ('error' in args) {
    console.error(`sipd: ${args.error}`);
    console.error(USAGE);
    return USAGE_ERROR;
  }
  return run(args);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: Error) => {
    console.error(`sipd: ${err.stack ?? err.message}`);
    process.exitCode = 1;
  },
);
