import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type PeerCertificate, type SecureContext, type TLSSocket } from 'node:tls';
import { certificateIdentities, certificateMatchesHost } from './certificate-identity';
import { Connection, hasContent, type ConnectionOwner, type ConnectionSettings } from './connection';
import { formatEndpoint, formatHostPort, remoteKey } from './endpoint';
import { SessionCache } from './session-cache';
import type { InboundSink } from './sink';
import { SourceLimit } from './source-limit';
import type {
  ConnectionInfo, ConnectionSelector, OutboundEndpoint, TransportLog, TransportOptions, TransportStats,
} from './types';

const MAX_TLS_SESSIONS = 1024;
/** Client sessions are offered for resumption this long at most; the server decides its own lifetime. */
const CLIENT_SESSION_LIFETIME_MS = 24 * 3600 * 1000;

export type StreamTransport = 'tcp' | 'tls';

/** All open TCP/TLS connections, by id and by peer, and the policy for opening new ones. */
export class ConnectionTable implements ConnectionOwner {
  private readonly byId = new Map<number, Connection>();
  private readonly byRemote = new Map<string, Connection[]>();
  private readonly tlsSessions = new SessionCache(MAX_TLS_SESSIONS, CLIENT_SESSION_LIFETIME_MS);
  /** The certificate each cached session was verified with: Node does not give it again on resumption. */
  private readonly verifiedServers = new SessionCache<PeerCertificate>(MAX_TLS_SESSIONS, CLIENT_SESSION_LIFETIME_MS);
  private tlsClientContext: SecureContext | undefined;
  private nextId = 1;
  private readonly settings: ConnectionSettings;
  readonly sourceLimit: SourceLimit;

  constructor(
    private readonly opts: TransportOptions,
    readonly log: TransportLog,
    readonly stats: TransportStats,
    readonly sink: InboundSink,
  ) {
    this.settings = {
      maxMessageSize: opts.maxMessageSize,
      idleTimeoutMs: opts.idleTimeoutMs,
      connectTimeoutMs: opts.tcpConnectTimeoutMs,
    };
    this.sourceLimit = new SourceLimit(opts.maxConnectionsPerSource ?? 0, log, stats);
  }

  /** Sessions of the previous context are forgotten: they were made with the old certificate. */
  setTlsClientContext(context: SecureContext): void {
    this.tlsClientContext = context;
    this.tlsSessions.clear();
    this.verifiedServers.clear();
  }

  /**
   * Takes over an accepted socket (TLS: after the handshake), or refuses it when the table is full or, for TCP,
   * when its source holds MaxConnectionsPerSource already (the TLS listener checks that before the handshake).
   */
  accept(socket: Socket, transport: StreamTransport): void {
    const host = socket.remoteAddress;
    const port = socket.remotePort;
    if (host === undefined || port === undefined) {
      socket.destroy();
      return;
    }
    if (this.byId.size >= this.opts.maxConnections) {
      this.stats.connectionsRefused++;
      this.log.debug(flagOf(transport), `refusing ${transport} connection from ${formatHostPort(host, port)}: ${this.opts.maxConnections} connections open`);
      socket.destroy();
      return;
    }
    if (transport === 'tcp') {
      if (!this.sourceLimit.tryOpen(host, port, transport)) {
        socket.destroy();
        return;
      }
      socket.once('close', () => this.sourceLimit.closed(host));
    }
    const conn = new Connection(this.nextId++, transport, 'in', socket, { transport, host, port }, this, this.settings);
    this.add(conn, true);
  }

  /**
   * §18.2.2: the given connection if still open, else one to that peer, else a new one. May throw on bad
   * arguments. Over TLS an outgoing connection is reused only for a name its server certificate matches.
   */
  send(data: Buffer, dest: OutboundEndpoint, transport: StreamTransport, onError?: (err: Error) => void, connectionId?: number): void {
    if (connectionId !== undefined) {
      const byId = this.byId.get(connectionId);
      if (byId && byId.isOpen) {
        byId.write(data, onError);
        return;
      }
    }
    const key = remoteKey(transport, dest.host, dest.port);
    const tlsName = transport === 'tls' ? dest.tlsName ?? dest.host : undefined;
    const existing = this.reusable(key, tlsName);
    if (existing) {
      existing.write(data, onError);
      return;
    }
    this.connect(dest.host, dest.port, transport, tlsName).write(data, onError);
  }

  /** The newest connection to the peer that may carry a message for tlsName. */
  private reusable(key: string, tlsName: string | undefined): Connection | undefined {
    const list = this.byRemote.get(key) ?? [];
    for (let i = list.length - 1; i >= 0; i--) {
      if (tlsName === undefined || servesName(list[i], tlsName)) return list[i];
    }
    return undefined;
  }

  list(transport?: StreamTransport): ConnectionInfo[] {
    const out: ConnectionInfo[] = [];
    for (const c of this.byId.values()) if (transport === undefined || c.transport === transport) out.push(c.info());
    return out;
  }

  /** Closes every connection the selector names (an empty selector names all); returns how many. */
  close(selector: ConnectionSelector): number {
    let closed = 0;
    for (const c of this.byId.values()) {
      if (selector.id !== undefined && c.id !== selector.id) continue;
      if (selector.transport !== undefined && c.transport !== selector.transport) continue;
      const t = selector.target;
      if (t && (c.remote.port !== t.port || c.remote.host.toLowerCase() !== t.host.toLowerCase())) continue;
      c.close();
      closed++;
    }
    return closed;
  }

  verifyServer(conn: Connection, socket: TLSSocket): { cert: PeerCertificate } | { refusal: string } {
    const key = sessionKey(conn);
    const presented = socket.getPeerCertificate();
    const cert = hasContent(presented) ? presented : socket.isSessionReused() ? this.verifiedServers.get(key) : undefined;
    const name = conn.tlsName ?? conn.remote.host;
    let refusal: string | undefined;
    if (!socket.authorized) refusal = `certificate not trusted (${String(socket.authorizationError)})`;
    else if (!cert) refusal = 'no certificate';
    else if (!certificateMatchesHost(cert, name)) refusal = `certificate does not match ${name} (it names ${describeIdentities(cert)})`;
    if (refusal === undefined && cert) {
      this.verifiedServers.set(key, cert);
      return { cert };
    }
    this.tlsSessions.delete(key);
    this.verifiedServers.delete(key);
    return { refusal: refusal ?? 'no certificate' };
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.byId.values()].map((c) => c.closeAndWait()));
  }

  connectionClosed(conn: Connection): void {
    if (this.byId.get(conn.id) !== conn) return;
    this.byId.delete(conn.id);
    const key = remoteKey(conn.transport, conn.remote.host, conn.remote.port);
    const list = this.byRemote.get(key);
    const i = list ? list.indexOf(conn) : -1;
    if (list && i >= 0) {
      list.splice(i, 1);
      if (list.length === 0) this.byRemote.delete(key);
    }
    this.stats.connectionsClosed++;
    this.log.debug(flagOf(conn.transport), `connection ${conn.id} ${conn.direction} ${formatEndpoint(conn.remote)} closed`);
  }

  private connect(host: string, port: number, transport: StreamTransport, tlsName: string | undefined): Connection {
    let socket: Socket;
    if (tlsName !== undefined) {
      const resumeKey = sessionKey({ remote: { host, port }, transport, tlsName });
      const tlsSocket = tlsConnect({
        host, port,
        servername: isIP(tlsName) ? undefined : tlsName,
        secureContext: this.tlsClientContext,
        // Checked in verifyServer once the handshake is done (CA chain, then RFC 5922 names rather than Node's
        // HTTPS rules), so that the reason can be logged and reported.
        rejectUnauthorized: false,
        checkServerIdentity: () => undefined,
        session: this.tlsSessions.get(resumeKey),
      });
      tlsSocket.on('session', (session: Buffer) => this.tlsSessions.set(resumeKey, session));
      socket = tlsSocket;
    } else {
      socket = netConnect({ host, port });
    }
    const conn = new Connection(this.nextId++, transport, 'out', socket, { transport, host, port }, this, this.settings);
    conn.tlsName = tlsName;
    // Without reuse an outgoing TCP connection is reached only by its id (traffic that comes back on it).
    this.add(conn, transport === 'tls' || this.opts.reuseConnections);
    return conn;
  }

  private add(conn: Connection, findableByPeer: boolean): void {
    this.byId.set(conn.id, conn);
    this.stats.connectionsOpened++;
    if (!findableByPeer) return;
    const key = remoteKey(conn.transport, conn.remote.host, conn.remote.port);
    const list = this.byRemote.get(key);
    if (list) list.push(conn);
    else this.byRemote.set(key, [conn]);
  }
}

/** Sessions are resumed only for the same peer and name: another name may get another certificate (SNI). */
function sessionKey(conn: { remote: { host: string; port: number }; transport: StreamTransport; tlsName?: string }): string {
  return `${remoteKey(conn.transport, conn.remote.host, conn.remote.port)} ${(conn.tlsName ?? '').toLowerCase()}`;
}

/** Inbound connections serve whatever was sent to their address before; outgoing ones the names they proved. */
function servesName(conn: Connection, name: string): boolean {
  if (conn.direction === 'in' || conn.tlsName === name) return true;
  return conn.peerCertificate !== undefined && certificateMatchesHost(conn.peerCertificate, name);
}

function describeIdentities(cert: Parameters<typeof certificateIdentities>[0]): string {
  const ids = certificateIdentities(cert);
  const all = [...ids.dns, ...ids.ips, ...ids.sipHosts.map((h) => `sip:${h}`), ...(ids.commonName ? [`CN=${ids.commonName}`] : [])];
  return all.length > 0 ? all.join(', ') : 'nothing';
}

function flagOf(transport: StreamTransport): 'SipTcp' | 'SipTls' {
  return transport === 'tls' ? 'SipTls' : 'SipTcp';
}
