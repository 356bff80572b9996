// The control channel between the sipd command and the daemon: a UNIX socket carrying
// one JSON request per line and one JSON reply per line.
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { dirname } from 'node:path';
import type { ServerStatus } from '../server';
import type { ConnectionInfo } from '../transport';

export type ControlRequest =
  | { cmd: 'status' }
  | { cmd: 'graceful' }
  | { cmd: 'txngraceful'; seconds: number; behaviour: 1 | 2 }
  | ConnectionsRequest;

/** `sipd connections`: lists, or closes one connection by id or all to a target (remote host and port). */
export interface ConnectionsRequest {
  cmd: 'connections';
  transport?: 'tcp' | 'tls';
  clearId?: number;
  target?: { host: string; port: number };
}

export interface DaemonStatus {
  pid: number;
  /** When the daemon process started, ms since the epoch. */
  startedAt: number;
  configFile: string;
  /** Counts in-place restarts (txngraceful-restart); the CLI watches it change. */
  generation: number;
  /** Config errors met by the last in-place restart, which then kept the previous configuration. */
  restartErrors: string[];
  server: ServerStatus;
}

export interface ControlReply {
  ok: boolean;
  errors?: string[];
  warnings?: string[];
  status?: DaemonStatus;
  /** connections: the open connections (after closing, those left). */
  connections?: ConnectionInfo[];
  /** connections with clearId or target: how many were closed. */
  closed?: number;
}

const MAX_LINE = 64 * 1024;
const MAX_SOCKET_PATH = 107;

export function controlRequest(socketPath: string, req: ControlRequest, timeoutMs: number): Promise<ControlReply> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(socketPath);
    let buffer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer on ${socketPath} within ${timeoutMs} ms`));
    }, timeoutMs);
    const finish = (err: Error | undefined, reply?: ControlReply): void => {
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(reply as ControlReply);
    };
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${JSON.stringify(req)}\n`));
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      const end = buffer.indexOf('\n');
      if (end < 0) return;
      try {
        finish(undefined, JSON.parse(buffer.slice(0, end)) as ControlReply);
      } catch (err) {
        finish(err as Error);
      }
    });
    socket.on('error', (err) => finish(err));
    socket.on('close', () => finish(new Error(`${socketPath} closed without an answer`)));
  });
}

/** Listens on `socketPath` (replacing a stale socket file), readable and writable by the owner only. */
export function serveControl(socketPath: string, handle: (req: ControlRequest) => Promise<ControlReply>): Promise<Server> {
  // Longer paths would be cut short silently by the kernel's sockaddr_un.
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH) {
    return Promise.reject(new Error(`control socket path longer than ${MAX_SOCKET_PATH} bytes: ${socketPath}`));
  }
  mkdirSync(dirname(socketPath), { recursive: true });
  rmSync(socketPath, { force: true });
  const server = createServer((socket) => {
    let buffer = '';
    socket.setEncoding('utf8');
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      if (buffer.length > MAX_LINE) {
        socket.destroy();
        return;
      }
      let end: number;
      while ((end = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 1);
        void answer(line, handle).then((reply) => {
          if (!socket.destroyed) socket.write(`${JSON.stringify(reply)}\n`);
        });
      }
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      try {
        chmodSync(socketPath, 0o600);
        resolve(server);
      } catch (err) {
        server.close();
        reject(err);
      }
    });
  });
}

async function answer(line: string, handle: (req: ControlRequest) => Promise<ControlReply>): Promise<ControlReply> {
  let req: unknown;
  try {
    req = JSON.parse(line);
  } catch {
    return { ok: false, errors: ['request is not JSON'] };
  }
  if (!isControlRequest(req)) return { ok: false, errors: ['unknown request'] };
  try {
    return await handle(req);
  } catch (err) {
    return { ok: false, errors: [(err as Error).message] };
  }
}

function isControlRequest(value: unknown): value is ControlRequest {
  if (typeof value !== 'object' || value === null) return false;
  const req = value as Record<string, unknown>;
  if (req.cmd === 'status' || req.cmd === 'graceful') return true;
  if (req.cmd === 'connections') return isConnectionsRequest(req);
  return req.cmd === 'txngraceful' && isDrainSeconds(req.seconds) && (req.behaviour === 1 || req.behaviour === 2);
}

/** Whole seconds from 1 to a day; longer windows are surely a typo. */
export function isDrainSeconds(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 86400;
}

function isConnectionsRequest(req: Record<string, unknown>): boolean {
  const { transport, clearId, target } = req;
  if (transport !== undefined && transport !== 'tcp' && transport !== 'tls') return false;
  if (clearId !== undefined && !(Number.isInteger(clearId) && (clearId as number) > 0)) return false;
  if (clearId !== undefined && target !== undefined) return false;
  if (target === undefined) return true;
  if (typeof target !== 'object' || target === null) return false;
  const { host, port } = target as Record<string, unknown>;
  return typeof host === 'string' && host !== '' && Number.isInteger(port) && (port as number) >= 1 && (port as number) <= 65535;
}
