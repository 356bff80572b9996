// `sipd connections [--transport tcp|tls] [--clear ID | --target HOST:PORT]`: the open TCP/TLS connections, like
// IOS `show sip-ua connections tcp [tls] detail`, and closing them like `clear sip-ua tcp [tls] connection
// id N | target ipv4:a:p` (IOS-15).
import { isIP } from 'node:net';
import type { ConnectionInfo, ConnectionSelector } from '../transport';
import { formatDuration } from './cmd-status';
import { controlSocketPath } from './paths';
import { runningPid } from './pidfile';
import { controlRequest, type ControlReply, type ConnectionsRequest } from './protocol';
import { loadOrReport, printLines } from './report';

export const CONNECTIONS_USAGE =
  'usage: sipd connections [--transport tcp|tls] [--clear ID | --target HOST:PORT] (HOST:PORT also as ipv4:a.b.c.d:p or [v6]:p)';

/** What the daemon needs to answer: TransportLayer has both methods. */
export interface ConnectionControl {
  connections(transport?: 'tcp' | 'tls'): ConnectionInfo[];
  closeConnections(selector: ConnectionSelector): number;
}

export function parseConnectionsOperands(operands: string[]): ConnectionsRequest | { error: string } {
  const req: ConnectionsRequest = { cmd: 'connections' };
  for (let i = 0; i < operands.length; i++) {
    const option = operands[i];
    const value = operands[i + 1];
    if (value === undefined || !['--transport', '--clear', '--target'].includes(option)) {
      return { error: value === undefined && option.startsWith('--') ? `${option} needs a value` : `unexpected ${option}` };
    }
    i++;
    if (option === '--transport') {
      if (value !== 'tcp' && value !== 'tls') return { error: `--transport takes tcp or tls, not ${value}` };
      req.transport = value;
    } else if (option === '--clear') {
      if (!/^[1-9]\d{0,9}$/.test(value)) return { error: `--clear takes a connection id, not ${value}` };
      req.clearId = Number(value);
    } else {
      const target = parseTarget(value);
      if (!target) return { error: `--target takes HOST:PORT with an IP address, not ${value}` };
      req.target = target;
    }
  }
  if (req.clearId !== undefined && req.target !== undefined) return { error: '--clear and --target go one at a time' };
  return req;
}

/** "192.0.2.1:5061", "ipv4:192.0.2.1:5061" (the IOS spelling) or "[2001:db8::1]:5061". */
function parseTarget(text: string): { host: string; port: number } | undefined {
  const m = /^(?:ipv4:)?(?:\[([0-9a-fA-F:.]+)\]|([0-9.]+)):(\d{1,5})$/.exec(text);
  if (!m) return undefined;
  const host = m[1] ?? m[2];
  const port = Number(m[3]);
  if (isIP(host) === 0 || port < 1 || port > 65535) return undefined;
  return { host, port };
}

/** The daemon's side: close what the request names, then list what is open. */
export function answerConnections(control: ConnectionControl | undefined, req: ConnectionsRequest): ControlReply {
  if (!control) return { ok: false, errors: ['the transports are not running'] };
  let closed: number | undefined;
  if (req.clearId !== undefined || req.target !== undefined) {
    closed = control.closeConnections({ id: req.clearId, target: req.target, transport: req.transport });
  }
  const reply: ControlReply = { ok: true, connections: control.connections(req.transport) };
  if (closed !== undefined) reply.closed = closed;
  return reply;
}

export async function connectionsCommand(file: string, req: ConnectionsRequest): Promise<number> {
  const config = loadOrReport(file, 'Checking sipd');
  if (!config) return 1;
  if (runningPid(config.PidFile) === undefined) {
    console.log('sipd is not running');
    return 3;
  }
  let reply: ControlReply;
  try {
    reply = await controlRequest(controlSocketPath(config.PidFile), req, 5000);
  } catch (err) {
    console.error(`sipd does not answer: ${(err as Error).message}`);
    return 4;
  }
  if (!reply.ok || !reply.connections) {
    printLines(reply.errors ?? ['no connections in the reply']);
    return 1;
  }
  if (reply.closed !== undefined) {
    const what = req.clearId !== undefined ? `connection id ${req.clearId}` : `connections to ${formatTarget(req.target!)}`;
    if (reply.closed === 0) {
      console.error(`no open ${req.transport ?? 'tcp or tls'} ${what}`);
      return 1;
    }
    console.log(`Purged ${reply.closed} ${what}`);
  }
  for (const line of formatConnections(reply.connections, Date.now())) console.log(line);
  return 0;
}

/** IOS `detail` style: a total, then the connections grouped by remote address. */
export function formatConnections(list: readonly ConnectionInfo[], now: number): string[] {
  const lines = [`Total active connections : ${list.length}`];
  const byAgent = new Map<string, ConnectionInfo[]>();
  for (const c of [...list].sort((a, b) => a.id - b.id)) {
    const group = byAgent.get(c.remote.host);
    if (group) group.push(c);
    else byAgent.set(c.remote.host, [c]);
  }
  for (const [agent, group] of byAgent) {
    lines.push(`Remote-Agent:${agent}, Connections-Count:${group.length}`);
    lines.push('  Remote-Port Conn-Id Transport Direction Local-Address          Age       Idle      Msgs-In Msgs-Out');
    for (const c of group) {
      lines.push(`  ${col(c.remote.port, 11)} ${col(c.id, 7)} ${col(c.transport, 9)} ${col(c.direction, 9)} ${col(formatTarget(c.local), 22)} ${col(formatDuration(now - c.openedAt), 9)} ${col(formatDuration(now - c.lastUsed), 9)} ${col(c.messagesIn, 7)} ${c.messagesOut}`);
      if (c.tls) {
        const peer = c.tls.peerSubject ? `peer certificate "${c.tls.peerSubject}"` : 'no peer certificate';
        const verified = c.tls.verifiedName ? `, verified for ${c.tls.verifiedName}` : '';
        lines.push(`      TLS ${c.tls.protocol} ${c.tls.cipher}, ${peer}${verified}${c.tls.sessionReused ? ', session resumed' : ''}`);
      }
    }
  }
  return lines;
}

function col(value: string | number, width: number): string {
  return String(value).padEnd(width);
}

function formatTarget(t: { host: string; port: number }): string {
  return t.host.includes(':') ? `[${t.host}]:${t.port}` : `${t.host}:${t.port}`;
}
