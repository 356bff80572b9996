// baresip as a real softphone for end-to-end tests: a generated config dir, the process, and its
// ctrl_tcp interface (netstring-framed JSON: commands with a token answered by responses, and
// events pushed as they happen). Accounts are created with `uanew` after the control connection is
// up, so no REGISTER_OK can happen before anyone listens.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exited, track } from './children';
import { freePort } from './ports';
import type { TracedMessage } from './sip-trace';
import { DOMAIN, HOST } from './sipd';

const MODULE_DIRS = ['/usr/lib/baresip/modules', '/usr/local/lib/baresip/modules'];
const MODULE_DIR = MODULE_DIRS.find((dir) => existsSync(join(dir, 'ctrl_tcp.so')));

export const BARESIP_AVAILABLE = MODULE_DIR !== undefined && spawnSync('baresip', ['-h']).error === undefined;

const START_TIMEOUT_MS = 20_000;
const COMMAND_TIMEOUT_MS = 15_000;
const EVENT_TIMEOUT_MS = 30_000;
/** Longer than baresip's own REGISTER timeout (64*T1 = 32 s), after which it reports REGISTER_FAIL. */
const REGISTER_TIMEOUT_MS = 60_000;
const QUIT_TIMEOUT_MS = 10_000;
/** ctrl_tcp joins command and params into a 256-byte buffer and silently cuts the rest. */
const MAX_COMMAND_LINE = 255;
/** Output kept for sipTrace() and diagnostics: a few calls' worth of SIP messages. */
const OUTPUT_KEPT = 400_000;

export type SipTransport = 'udp' | 'tcp' | 'tls';

export interface BaresipOptions {
  /** Shown in errors and diagnostics. */
  name?: string;
  /** sip_cafile: the CA baresip trusts for TLS. */
  caFile?: string;
  /** sip_certificate: certificate and key in one PEM file, presented on TLS connections. */
  certificate?: string;
  /** Starts baresip with -s: every SIP message it sends or receives goes to its output. */
  sipTrace?: boolean;
}

export interface AccountOptions {
  user: string;
  /** sipd's host:port for `transport`; REGISTERs and calls go there (baresip's outbound proxy). */
  proxy: string;
  /** Over TLS the URIs stay sip: with transport=tls: baresip 1.0.0 answers sips: URIs with ENOSYS. */
  transport?: SipTransport;
  authUser?: string;
  authPass?: string;
  /** Registration interval in seconds (sipd's MinRegistrationExpires in the tests is 60). */
  regint?: number;
  /** Answer incoming calls at once (answermode=auto). */
  autoAnswer?: boolean;
}

/** An event as ctrl_tcp sends it; the fields that are absent for an event class stay undefined. */
export interface BaresipEvent {
  event: true;
  class: string;
  type: string;
  accountaor?: string;
  direction?: 'incoming' | 'outgoing';
  peeruri?: string;
  id?: string;
  param?: string;
}

export interface CtrlResponse {
  ok: boolean;
  data: string;
}

export interface Registration {
  ok: boolean;
  /** SIP status of the final REGISTER response, when baresip reports one. */
  status?: number;
  /** baresip's text, e.g. "200 OK", "403 Forbidden" or an error such as "Connection refused". */
  reason: string;
}

export interface CallEnd {
  /** baresip's reason, e.g. "Connection reset by user" or "404 Not Found". */
  reason: string;
  status?: number;
}

/** A SIP message from baresip's -s trace, with the addresses it printed. */
export interface PhoneSipMessage extends TracedMessage {
  transport: SipTransport;
  /** host:port it came from and went to (for TCP and TLS, the connection's ends). */
  source: string;
  destination: string;
}

type CallEventType = 'CALL_INCOMING' | 'CALL_RINGING' | 'CALL_PROGRESS' | 'CALL_ESTABLISHED' | 'CALL_CLOSED';

interface Waiter {
  matches: (ev: BaresipEvent) => boolean;
  resolve: (ev: BaresipEvent) => void;
  reject: (err: Error) => void;
}

interface PendingCommand {
  resolve: (res: CtrlResponse) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/** "486 Busy Here" → 486; reasons that are not SIP statuses give undefined. */
function statusIn(text: string | undefined): number | undefined {
  const m = /^([1-6]\d\d)\b/.exec(text ?? '');
  return m ? Number(m[1]) : undefined;
}

/** The address of record as baresip reports it in events: scheme, user and domain only. */
export function aorOf(account: AccountOptions): string {
  return `sip:${account.user}@${DOMAIN}`;
}

/** The `uanew` argument: <aor;transport>;outbound="proxy";params. */
export function accountLine(account: AccountOptions): string {
  const transport = account.transport ?? 'udp';
  const uriParams = transport === 'udp' ? '' : `;transport=${transport}`;
  const params = [`outbound="sip:${account.proxy}${uriParams}"`, `regint=${account.regint ?? 600}`];
  if (account.autoAnswer) params.push('answermode=auto');
  if (account.authUser !== undefined) params.push(`auth_user=${account.authUser}`);
  if (account.authPass !== undefined) params.push(`auth_pass=${account.authPass}`);
  return `<${aorOf(account)}${uriParams}>;${params.join(';')}`;
}

// With -s baresip prints each message as: ESC[36;1m#, "UDP|TCP|TLS src -> dst", the message, ESC[;m.
const TRACE_ENTRY = /\x1b\[36;1m#\n(UDP|TCP|TLS) (\S+) -> (\S+)\n([\s\S]*?)\x1b\[;m/g;

function parseSipTrace(output: string, proxies: ReadonlySet<string>): PhoneSipMessage[] {
  const messages: PhoneSipMessage[] = [];
  for (const [, transport, source, destination, raw] of output.matchAll(TRACE_ENTRY)) {
    const lines = raw.split(/\r?\n/);
    const headers: TracedMessage['headers'] = [];
    for (const line of lines.slice(1)) {
      if (line === '') break;
      const colon = line.indexOf(':');
      if (colon > 0) headers.push({ name: line.slice(0, colon).trim().toLowerCase(), value: line.slice(colon + 1).trim() });
    }
    messages.push({
      direction: proxies.has(source) ? 'received' : 'sent',
      transport: transport.toLowerCase() as SipTransport,
      source,
      destination,
      startLine: lines[0],
      headers,
      text: raw,
    });
  }
  return messages;
}

function renderConfig(ctrlPort: number, opts: BaresipOptions): string {
  const lines = [
    `module_path ${MODULE_DIR}`,
    'poll_method epoll',
    // Media on loopback too, whatever interfaces the machine has.
    `net_interface ${HOST}`,
    // Port 0: baresip opens UDP, TCP and TLS listeners on ports of its own (TLS would take the
    // configured port + 1, which nobody checked is free). The Contact carries the real ports.
    `sip_listen ${HOST}:0`,
    // No sound hardware: a sine tone as the microphone (ausine only does 48 kHz stereo), no player.
    'audio_source ausine,440',
    'ausrc_srate 48000',
    'ausrc_channels 2',
    'statmode_default off',
    'ringback_disabled yes',
    'module g711.so',
    'module ausine.so',
    'module_app menu.so',
    'module_app ctrl_tcp.so',
    `ctrl_tcp_listen ${HOST}:${ctrlPort}`,
  ];
  if (opts.caFile) lines.push(`sip_cafile ${opts.caFile}`);
  if (opts.certificate) lines.push(`sip_certificate ${opts.certificate}`);
  return lines.join('\n') + '\n';
}

export class Baresip {
  private child: ChildProcess | null = null;
  private ctrl: Socket | null = null;
  private inbound = Buffer.alloc(0);
  private output = '';
  private nextToken = 1;
  private readonly pending = new Map<string, PendingCommand>();
  private waiters: Waiter[] = [];
  private readonly proxies = new Set<string>();
  /** Every event received, oldest first; waits look through it so no event is missed. */
  readonly events: BaresipEvent[] = [];

  private constructor(
    readonly name: string,
    readonly dir: string,
    readonly ctrlPort: number,
  ) {}

  /** Writes a config dir, starts baresip and connects to its ctrl_tcp port. */
  static async launch(opts: BaresipOptions = {}): Promise<Baresip> {
    if (!MODULE_DIR) throw new Error(`no baresip modules (ctrl_tcp.so) in ${MODULE_DIRS.join(' or ')}`);
    const dir = mkdtempSync(join(tmpdir(), 'baresip-'));
    const ctrlPort = await freePort();
    writeFileSync(join(dir, 'config'), renderConfig(ctrlPort, opts));
    // baresip writes a template accounts file (with sample accounts) when there is none.
    writeFileSync(join(dir, 'accounts'), '');
    const phone = new Baresip(opts.name ?? 'baresip', dir, ctrlPort);
    try {
      await phone.start(opts.sipTrace ?? false);
    } catch (e) {
      await phone.dispose();
      throw e;
    }
    return phone;
  }

  private async start(sipTrace: boolean): Promise<void> {
    const child = spawn('baresip', ['-f', this.dir, ...(sipTrace ? ['-s'] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
    track(child);
    this.child = child;
    const keep = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString('latin1')).slice(-OUTPUT_KEPT);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('exit', (code, signal) => this.failPending(new Error(`${this.name}: baresip exited (${signal ?? code})`)));
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!this.ctrl) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${this.name}: baresip exited at start\n${this.diagnostics()}`);
      if (Date.now() > deadline) throw new Error(`${this.name}: no ctrl_tcp on ${HOST}:${this.ctrlPort}\n${this.diagnostics()}`);
      this.ctrl = await this.connectCtrl();
      if (!this.ctrl) await new Promise((r) => setTimeout(r, 100));
    }
  }

  private connectCtrl(): Promise<Socket | null> {
    return new Promise((resolve) => {
      const socket = createConnection(this.ctrlPort, HOST);
      socket.once('error', () => resolve(null));
      socket.once('connect', () => {
        socket.removeAllListeners('error');
        socket.on('error', () => socket.destroy());
        socket.on('data', (chunk: Buffer) => this.receive(chunk));
        socket.on('close', () => this.failPending(new Error(`${this.name}: ctrl_tcp connection closed`)));
        resolve(socket);
      });
    });
  }

  /** Splits netstrings ("LEN:payload,") off the stream and dispatches each JSON message. */
  private receive(chunk: Buffer): void {
    this.inbound = Buffer.concat([this.inbound, chunk]);
    for (;;) {
      const colon = this.inbound.indexOf(0x3a);
      if (colon < 0) return;
      const length = Number(this.inbound.subarray(0, colon).toString('latin1'));
      if (!Number.isInteger(length) || colon > 10) {
        this.output += `\n[harness] bad netstring from ctrl_tcp: ${this.inbound.subarray(0, 40).toString('latin1')}\n`;
        this.ctrl?.destroy();
        return;
      }
      const end = colon + 1 + length;
      if (this.inbound.length < end + 1) return;
      const payload = this.inbound.subarray(colon + 1, end).toString('utf8');
      this.inbound = this.inbound.subarray(end + 1);
      this.dispatch(payload);
    }
  }

  private dispatch(payload: string): void {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(payload) as Record<string, unknown>;
    } catch {
      this.output += `\n[harness] unparsable ctrl_tcp message: ${payload.slice(0, 200)}\n`;
      return;
    }
    if (msg.response === true) {
      const token = typeof msg.token === 'string' ? msg.token : '';
      const cmd = this.pending.get(token);
      if (!cmd) return;
      this.pending.delete(token);
      clearTimeout(cmd.timer);
      cmd.resolve({ ok: msg.ok === true, data: typeof msg.data === 'string' ? msg.data : '' });
    } else if (msg.event === true) {
      const ev = msg as unknown as BaresipEvent;
      this.events.push(ev);
      const due = this.waiters.filter((w) => w.matches(ev));
      this.waiters = this.waiters.filter((w) => !due.includes(w));
      for (const w of due) w.resolve(ev);
    }
  }

  /** Fails every command and wait in progress at once rather than letting them time out. */
  private failPending(err: Error): void {
    for (const [token, cmd] of this.pending) {
      clearTimeout(cmd.timer);
      cmd.reject(err);
      this.pending.delete(token);
    }
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.reject(err);
  }

  /** Runs a long command (as in baresip's menu: dial, hangup, uanew, quit, ...) and returns its response. */
  command(command: string, params?: string): Promise<CtrlResponse> {
    const ctrl = this.ctrl;
    if (!ctrl || ctrl.destroyed) return Promise.reject(new Error(`${this.name}: not connected to ctrl_tcp`));
    const line = params === undefined ? command : `${command} ${params}`;
    if (Buffer.byteLength(line) > MAX_COMMAND_LINE) {
      return Promise.reject(new Error(`${this.name}: command longer than ${MAX_COMMAND_LINE} bytes, ctrl_tcp would cut it: ${line}`));
    }
    const token = String(this.nextToken++);
    const body = JSON.stringify(params === undefined ? { command, token } : { command, params, token });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(token);
        reject(new Error(`${this.name}: no response to "${line}" within ${COMMAND_TIMEOUT_MS} ms\n${this.diagnostics()}`));
      }, COMMAND_TIMEOUT_MS);
      this.pending.set(token, { resolve, reject, timer });
      ctrl.write(`${Buffer.byteLength(body)}:${body},`);
    });
  }

  private async commandOk(command: string, params?: string): Promise<CtrlResponse> {
    const res = await this.command(command, params);
    if (!res.ok) throw new Error(`${this.name}: "${command}${params ? ` ${params}` : ''}" failed: ${res.data}\n${this.diagnostics()}`);
    return res;
  }

  /** Position in the event history, to wait only for events that come after it. */
  mark(): number {
    return this.events.length;
  }

  /** The first event from position `since` on that `matches`, waiting for it if it has not come yet. */
  waitForEvent(matches: (ev: BaresipEvent) => boolean, what: string, since = 0, timeoutMs = EVENT_TIMEOUT_MS): Promise<BaresipEvent> {
    const seen = this.events.slice(since).find(matches);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`${this.name}: no ${what} within ${timeoutMs} ms\n${this.diagnostics()}`));
      }, timeoutMs);
      const waiter: Waiter = {
        matches,
        resolve: (ev) => {
          clearTimeout(timer);
          resolve(ev);
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(new Error(`${err.message} while waiting for ${what}\n${this.diagnostics()}`));
        },
      };
      this.waiters.push(waiter);
    });
  }

  /** Creates the account with `uanew` and resolves with the outcome of its first REGISTER. */
  async register(account: AccountOptions): Promise<Registration> {
    const aor = aorOf(account);
    this.proxies.add(account.proxy);
    const since = this.mark();
    await this.commandOk('uanew', accountLine(account));
    const ev = await this.waitForEvent(
      (e) => e.class === 'register' && e.accountaor === aor && (e.type === 'REGISTER_OK' || e.type === 'REGISTER_FAIL'),
      `REGISTER_OK or REGISTER_FAIL for ${aor}`, since, REGISTER_TIMEOUT_MS,
    );
    return { ok: ev.type === 'REGISTER_OK', status: statusIn(ev.param), reason: ev.param ?? '' };
  }

  /** Dials `uri` from the current account; wait for the outcome with waitForCall. */
  async dial(uri: string): Promise<void> {
    await this.commandOk('dial', uri);
  }

  /** The first call event of `type` (from position `since` on, for call `id` if given). */
  waitForCall(type: CallEventType, opts: { id?: string; since?: number; timeoutMs?: number } = {}): Promise<BaresipEvent> {
    return this.waitForEvent(
      (e) => e.class === 'call' && e.type === type && (opts.id === undefined || e.id === opts.id),
      `${type}${opts.id ? ` for call ${opts.id}` : ''}`, opts.since, opts.timeoutMs,
    );
  }

  /** Waits for CALL_CLOSED and returns baresip's reason (with the SIP status when it is one). */
  async waitForCallEnd(opts: { id?: string; since?: number; timeoutMs?: number } = {}): Promise<CallEnd> {
    const ev = await this.waitForCall('CALL_CLOSED', opts);
    return { reason: ev.param ?? '', status: statusIn(ev.param) };
  }

  /** Hangs up the current call (a BYE once established, a CANCEL while ringing). */
  async hangup(): Promise<void> {
    await this.commandOk('hangup');
  }

  /** `quit` (unregisters, then exits) and waits for the process; SIGKILL if it takes too long. */
  async quit(): Promise<number | null> {
    const child = this.child;
    if (!child) return null;
    if (child.exitCode === null && child.signalCode === null) {
      await this.command('quit').catch(() => undefined);
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), QUIT_TIMEOUT_MS);
    const code = await exited(child);
    clearTimeout(timer);
    this.child = null;
    this.ctrl?.destroy();
    this.ctrl = null;
    return code;
  }

  /** baresip's output (with -s, the SIP messages too) and the events seen, for assertion messages. */
  diagnostics(): string {
    const events = this.events.map((e) => `${e.type} ${e.accountaor ?? ''} ${e.param ?? ''}`).join('\n');
    return `--- ${this.name} output ---\n${this.output.slice(-8000)}\n--- ${this.name} events ---\n${events}`;
  }

  /**
   * The SIP messages of the -s trace (launch with sipTrace), oldest first. A message counts as
   * received when it came from the proxy address of one of the phone's accounts, else as sent.
   */
  sipTrace(): PhoneSipMessage[] {
    return parseSipTrace(this.output, this.proxies);
  }

  /** Quits if running and removes the config dir. */
  async dispose(): Promise<void> {
    await this.quit();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
