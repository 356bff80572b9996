import type { Socket } from 'node:net';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import { errorMessage, formatEndpoint, formatHostPort, reportLater } from './endpoint';
import { StreamFramer, type FrameSink } from './framing';
import { deliver, type InboundSink } from './sink';
import type { ConnectionInfo, ConnectionTlsInfo, Endpoint, TransportLog, TransportStats } from './types';

const PONG = Buffer.from('\r\n');

/** What a connection needs from the table that owns it. */
export interface ConnectionOwner {
  readonly sink: InboundSink;
  readonly stats: TransportStats;
  readonly log: TransportLog;
  connectionClosed(conn: Connection): void;
  /** Outgoing TLS, once the handshake is done: the server's verified certificate, or why it is refused. */
  verifyServer(conn: Connection, socket: TLSSocket): { cert: PeerCertificate } | { refusal: string };
}

export interface ConnectionSettings {
  maxMessageSize: number;
  idleTimeoutMs: number;
  /** Outgoing only: give up when not established within this time. */
  connectTimeoutMs?: number;
}

interface QueuedWrite { data: Buffer; onError?: (err: Error) => void }

/** One TCP or TLS connection: framing of inbound bytes, writes queued while connecting, idle close. */
export class Connection implements FrameSink {
  readonly openedAt = Date.now();
  lastUsed = this.openedAt;
  messagesIn = 0;
  messagesOut = 0;
  local: Endpoint;
  /** TLS: the peer's certificate once verified (inbound: against the CA file, with mutual TLS only). */
  peerCertificate: PeerCertificate | undefined;
  /** Outgoing TLS: the name the server certificate must match (RFC 5922 §7.3), set before the handshake ends. */
  tlsName: string | undefined;
  private queue: QueuedWrite[] | null;
  private open = true;
  private connectTimer: NodeJS.Timeout | undefined;
  private readonly framer: StreamFramer;
  private readonly flag: 'SipTcp' | 'SipTls';

  constructor(
    readonly id: number,
    readonly transport: 'tcp' | 'tls',
    readonly direction: 'in' | 'out',
    private readonly socket: Socket,
    readonly remote: Endpoint,
    private readonly owner: ConnectionOwner,
    private readonly settings: ConnectionSettings,
  ) {
    this.flag = transport === 'tls' ? 'SipTls' : 'SipTcp';
    this.local = { transport, host: socket.localAddress ?? '', port: socket.localPort ?? 0 };
    this.framer = new StreamFramer(settings.maxMessageSize, this);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.framer.push(chunk));
    socket.on('timeout', () => this.onIdle());
    socket.on('error', (err: Error) => this.onSocketError(err));
    socket.on('close', () => this.onClose());
    if (direction === 'out') {
      this.queue = [];
      socket.once(transport === 'tls' ? 'secureConnect' : 'connect', () => this.established());
      this.connectTimer = setTimeout(() => this.onConnectTimeout(), settings.connectTimeoutMs);
    } else {
      this.queue = null;
      this.established();
    }
  }

  get isOpen(): boolean {
    return this.open;
  }

  write(data: Buffer, onError?: (err: Error) => void): void {
    if (!this.open) {
      reportLater(onError, new Error(`connection ${this.id} to ${formatEndpoint(this.remote)} is closed`));
      return;
    }
    this.lastUsed = Date.now();
    this.messagesOut++;
    this.owner.stats.streamMessagesOut++;
    if (this.queue) {
      this.queue.push({ data, onError });
      return;
    }
    this.socketWrite(data, onError);
  }

  close(): void {
    this.socket.destroy();
  }

  closeAndWait(): Promise<void> {
    if (!this.open) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.destroy();
    });
  }

  info(): ConnectionInfo {
    const info: ConnectionInfo = {
      id: this.id, transport: this.transport, local: this.local, remote: this.remote,
      direction: this.direction, openedAt: this.openedAt, lastUsed: this.lastUsed,
      messagesIn: this.messagesIn, messagesOut: this.messagesOut,
    };
    const tls = this.tlsInfo();
    if (tls) info.tls = tls;
    return info;
  }

  private tlsInfo(): ConnectionTlsInfo | undefined {
    if (this.transport !== 'tls' || this.queue) return undefined;
    const socket = this.socket as TLSSocket;
    const protocol = socket.getProtocol();
    const cipher = socket.getCipher() as { name?: string } | undefined;
    if (!protocol || !cipher?.name) return undefined;
    const info: ConnectionTlsInfo = { protocol, cipher: cipher.name, sessionReused: socket.isSessionReused() };
    if (this.peerCertificate) info.peerSubject = formatSubject(this.peerCertificate.subject);
    if (this.tlsName !== undefined) info.verifiedName = this.tlsName;
    return info;
  }

  frameMessage(data: Buffer): void {
    this.messagesIn++;
    this.lastUsed = Date.now();
    this.owner.stats.streamMessagesIn++;
    const m = this.peerCertificate
      ? { data, source: this.remote, local: this.local, connectionId: this.id, tlsPeerCertificate: this.peerCertificate }
      : { data, source: this.remote, local: this.local, connectionId: this.id };
    deliver(this.owner.sink, m, this.owner.log);
  }

  framePing(): void {
    this.owner.stats.keepAlivePings++;
    this.socket.write(PONG);
  }

  frameError(reason: string, partial: Buffer): void {
    this.owner.stats.framingErrors++;
    this.owner.log.debug('Parser', `framing error on connection ${this.id} from ${formatEndpoint(this.remote)}: ${reason}`);
    try {
      this.owner.sink.onFramingError(this.remote, reason, partial);
    } catch (e) {
      this.owner.log.error(`onFramingError handler threw: ${errorMessage(e)}`);
    }
    this.socket.destroy();
  }

  private established(): void {
    clearTimeout(this.connectTimer);
    this.local = { transport: this.transport, host: this.socket.localAddress ?? '', port: this.socket.localPort ?? 0 };
    if (this.transport === 'tls') {
      const tlsSocket = this.socket as TLSSocket;
      if (this.direction === 'out') {
        const verdict = this.owner.verifyServer(this, tlsSocket);
        if ('refusal' in verdict) {
          this.owner.log.warn(`TLS connection ${this.id} to ${formatEndpoint(this.remote)} refused: ${verdict.refusal}`);
          this.socket.destroy(new Error(`TLS peer ${formatEndpoint(this.remote)} refused: ${verdict.refusal}`));
          return;
        }
        this.peerCertificate = verdict.cert;
      } else {
        // Without mutual TLS no certificate is asked for; with it, an unverified one never gets here.
        const cert = tlsSocket.getPeerCertificate();
        if (tlsSocket.authorized && hasContent(cert)) this.peerCertificate = cert;
      }
      if (tlsSocket.isSessionReused()) this.owner.log.debug('SipTls', `connection ${this.id}: TLS session resumed`);
    }
    this.socket.setTimeout(this.settings.idleTimeoutMs);
    this.owner.log.debug(this.flag, `connection ${this.id} ${this.direction} ${formatEndpoint(this.local)} <-> ${formatEndpoint(this.remote)} established`);
    const queued = this.queue;
    this.queue = null;
    if (queued) for (const w of queued) this.socketWrite(w.data, w.onError);
  }

  private socketWrite(data: Buffer, onError?: (err: Error) => void): void {
    this.socket.write(data, onError ? (err) => { if (err) onError(err); } : undefined);
  }

  private onConnectTimeout(): void {
    const target = formatHostPort(this.remote.host, this.remote.port);
    this.socket.destroy(new Error(`${this.transport} connect to ${target} timed out after ${this.settings.connectTimeoutMs} ms`));
  }

  private onIdle(): void {
    this.owner.log.debug(this.flag, `connection ${this.id} to ${formatEndpoint(this.remote)} idle, closing`);
    this.socket.destroy();
  }

  private onSocketError(err: Error): void {
    this.owner.log.debug(this.flag, `connection ${this.id} to ${formatEndpoint(this.remote)}: ${errorMessage(err)}`);
    this.failQueued(err);
  }

  private onClose(): void {
    this.open = false;
    clearTimeout(this.connectTimer);
    this.framer.stop();
    this.failQueued(new Error(`connection to ${formatEndpoint(this.remote)} closed before the write`));
    this.owner.connectionClosed(this);
  }

  private failQueued(err: Error): void {
    const queued = this.queue;
    this.queue = null;
    if (queued) for (const w of queued) reportLater(w.onError, err);
  }
}

/** "CN=sipd.example.com, O=Example" from Node's subject object (repeated attributes appear once each). */
function formatSubject(subject: PeerCertificate['subject'] | undefined): string {
  if (!subject) return '';
  const parts: string[] = [];
  for (const [key, value] of Object.entries(subject)) {
    for (const v of Array.isArray(value) ? value : [value]) parts.push(`${key}=${v}`);
  }
  return parts.join(', ');
}

/** Node returns {} for "no certificate" (and, on the client, for a resumed session). */
export function hasContent(cert: PeerCertificate | undefined): cert is PeerCertificate {
  return cert !== undefined && cert !== null && Object.keys(cert).length > 0;
}
