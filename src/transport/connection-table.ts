import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type SecureContext } from 'node:tls';
import { Connection, type ConnectionOwner, type ConnectionSettings } from './connection';
import { formatEndpoint, formatHostPort, remoteKey } from './endpoint';
import type { InboundSink } from './sink';
import type { ConnectionInfo, Endpoint, TransportLog, TransportOptions, TransportStats } from './types';

const MAX_TLS_SESSIONS = 1024;

export type StreamTransport = 'tcp' | 'tls';

/** All open TCP/TLS connections, by id and by peer, and the policy for opening new ones. */
export class ConnectionTable implements ConnectionOwner {
  private readonly byId = new Map<number, Connection>();
  private readonly byRemote = new Map<string, Connection[]>();
  private readonly tlsSessions = new Map<string, Buffer>();
  private tlsClientContext: SecureContext | undefined;
  private nextId = 1;
  private readonly settings: ConnectionSettings;

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
  }

  setTlsClientContext(context: SecureContext): void {
    this.tlsClientContext = context;
  }

  /** Takes over an accepted socket (TLS: after the handshake), or refuses it when the table is full. */
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
    const conn = new Connection(this.nextId++, transport, 'in', socket, { transport, host, port }, this, this.settings);
    this.add(conn, true);
  }

  /** §18.2.2: the given connection if still open, else one to that peer, else a new one. May throw on bad arguments. */
  send(data: Buffer, dest: Endpoint, transport: StreamTransport, onError?: (err: Error) => void, connectionId?: number): void {
    if (connectionId !== undefined) {
      const byId = this.byId.get(connectionId);
      if (byId && byId.isOpen) {
        byId.write(data, onError);
        return;
      }
    }
    const key = remoteKey(transport, dest.host, dest.port);
    const existing = this.byRemote.get(key);
    if (existing) {
      existing[existing.length - 1].write(data, onError);
      return;
    }
    this.connect(dest.host, dest.port, transport, key).write(data, onError);
  }

  list(): ConnectionInfo[] {
    const out: ConnectionInfo[] = [];
    for (const c of this.byId.values()) out.push(c.info());
    return out;
  }

  close(id: number): boolean {
    const conn = this.byId.get(id);
    if (!conn) return false;
    conn.close();
    return true;
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

  private connect(host: string, port: number, transport: StreamTransport, key: string): Connection {
    let socket: Socket;
    if (transport === 'tls') {
      const tlsSocket = tlsConnect({
        host, port,
        servername: isIP(host) ? undefined : host,
        secureContext: this.tlsClientContext,
        minVersion: 'TLSv1.2',
        rejectUnauthorized: false, // certificate policy is decided above the transport
        session: this.tlsSessions.get(key),
      });
      tlsSocket.on('session', (session: Buffer) => this.rememberSession(key, session));
      socket = tlsSocket;
    } else {
      socket = netConnect({ host, port });
    }
    const conn = new Connection(this.nextId++, transport, 'out', socket, { transport, host, port }, this, this.settings);
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

  private rememberSession(key: string, session: Buffer): void {
    this.tlsSessions.delete(key);
    this.tlsSessions.set(key, session);
    if (this.tlsSessions.size > MAX_TLS_SESSIONS) {
      const oldest = this.tlsSessions.keys().next().value;
      if (oldest !== undefined) this.tlsSessions.delete(oldest);
    }
  }
}

function flagOf(transport: StreamTransport): 'SipTcp' | 'SipTls' {
  return transport === 'tls' ? 'SipTls' : 'SipTcp';
}
