import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type SecureContextOptions, type Server as TlsServer } from 'node:tls';
import { ConnectionTable } from './connection-table';
import { errorMessage, formatEndpoint, reportLater } from './endpoint';
import { emptyStats } from './stats';
import { listenStream } from './stream-listener';
import { SessionCache } from './session-cache';
import { loadTlsMaterial } from './tls-config';
import type {
  ConnectionInfo, ConnectionSelector, Endpoint, InboundMessage, OutboundEndpoint, TlsOptions, TransportLog,
  TransportOptions, TransportStats,
} from './types';
import { UdpTransport } from './udp';

const WILDCARD_V4 = '0.0.0.0';
const WILDCARD_V6 = '::';
/** Errors that mean "this host has no IPv6", tolerated for the implicit '::' listener. */
const NO_FAMILY_CODES = new Set(['EAFNOSUPPORT', 'EADDRNOTAVAIL']);
/** Sessions the TLS listeners keep for resumption by session id (TLS-2); ticket resumption needs no cache. */
const SERVER_SESSION_CACHE_SIZE = 256;

interface BindTarget { host: string; implicit: boolean }

export class TransportLayer {
  onMessage: (m: InboundMessage) => void = () => {};
  onFramingError: (source: Endpoint, reason: string, partial: Buffer) => void = () => {};

  private readonly counters = emptyStats();
  private readonly udp: UdpTransport;
  private readonly table: ConnectionTable;
  private readonly servers: { server: Server; transport: 'tcp' | 'tls' }[] = [];
  private readonly tlsServers: TlsServer[] = [];
  /** Accepted TCP sockets under TLS, from the first byte on: stop() must end those still in their handshake. */
  private readonly tlsSockets = new Set<Socket>();
  private tlsSessionCache?: SessionCache;

  constructor(private readonly opts: TransportOptions, private readonly log: TransportLog) {
    this.udp = new UdpTransport(log, this.counters, this, opts.udpRecvBufferSize);
    this.table = new ConnectionTable(opts, log, this.counters, this);
  }

  async start(): Promise<void> {
    try {
      const wantUdp = this.opts.transports.includes('udp');
      const wantTcp = this.opts.transports.includes('tcp');
      for (const entry of this.opts.listen) {
        for (const target of bindTargets(entry.host)) {
          if (wantUdp) await this.bind(target, () => this.udp.bind(target.host, entry.port));
          if (wantTcp) await this.bind(target, () => this.listenTcp(target.host, entry.port));
        }
      }
      if (this.opts.tls) await this.startTls(this.opts.tls);
    } catch (e) {
      await this.stop();
      throw e;
    }
  }

  async stop(): Promise<void> {
    const servers = this.servers.splice(0).map((s) => s.server);
    this.tlsServers.length = 0;
    const closing = servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
    for (const s of this.tlsSockets) s.destroy();
    await Promise.all([this.udp.close(), this.table.closeAll(), ...closing]);
  }

  /**
   * Never throws; failures, including later connection failures before the write completes, go to onError.
   * Over TLS that includes a server certificate that is not trusted or does not match dest.tlsName.
   */
  send(data: Buffer, dest: OutboundEndpoint, onError?: (err: Error) => void, connectionId?: number): void {
    try {
      if (dest.transport === 'udp') this.udp.send(data, dest, onError);
      else this.table.send(data, dest, dest.transport, onError, connectionId);
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      if (onError) reportLater(onError, err);
      else this.log.warn(`send to ${formatEndpoint(dest)} failed: ${err.message}`);
    }
  }

  localEndpoints(): Endpoint[] {
    const out = this.udp.endpoints();
    for (const { server, transport } of this.servers) {
      const a = server.address() as AddressInfo | null;
      if (a) out.push({ transport, host: a.address, port: a.port });
    }
    return out;
  }

  /** Open TCP and TLS connections (or those of one transport), with TLS details once established. */
  connections(transport?: 'tcp' | 'tls'): ConnectionInfo[] {
    return this.table.list(transport);
  }

  /** Closes the connections the selector names (`sipd connections --clear/--target`); returns how many. */
  closeConnections(selector: ConnectionSelector): number {
    return this.table.close(selector);
  }

  /** New certificates for new connections; open ones keep theirs. On a bad file the old ones stay. */
  reloadTls(tls: TransportOptions['tls']): void {
    if (!tls) {
      this.log.warn('TLS reload without a TLS configuration: keeping the current certificates');
      return;
    }
    try {
      const material = loadTlsMaterial(tls);
      for (const s of this.tlsServers) s.setSecureContext(material.options);
      this.table.setTlsClientContext(material.context);
      this.tlsSessionCache?.clear();
    } catch (e) {
      this.log.error(`TLS reload failed, keeping the current certificates: ${errorMessage(e)}`);
    }
  }

  stats(): TransportStats {
    return { ...this.counters };
  }

  private async bind(target: BindTarget, listen: () => Promise<void>): Promise<void> {
    try {
      await listen();
    } catch (e) {
      const code = e instanceof Error ? (e.cause as NodeJS.ErrnoException | undefined)?.code : undefined;
      if (!target.implicit || !code || !NO_FAMILY_CODES.has(code)) throw e;
      this.log.warn(`${errorMessage(e)}; continuing without it`);
    }
  }

  private async listenTcp(host: string, port: number): Promise<void> {
    const server = createTcpServer((socket) => this.table.accept(socket, 'tcp'));
    await listenStream(server, 'tcp', host, port, this.log);
    this.servers.push({ server, transport: 'tcp' });
  }

  private async startTls(cfg: TlsOptions): Promise<void> {
    const material = loadTlsMaterial(cfg);
    this.table.setTlsClientContext(material.context);
    this.tlsSessionCache = new SessionCache(SERVER_SESSION_CACHE_SIZE, cfg.sessionTimeoutSec * 1000);
    const targets = cfg.hosts ? cfg.hosts.map((host) => ({ host, implicit: false })) : this.listenTargets();
    for (const target of targets) {
      await this.bind(target, async () => {
        const server = this.createTlsServer(cfg, material.options);
        await listenStream(server, 'tls', target.host, cfg.port, this.log);
        this.servers.push({ server, transport: 'tls' });
        this.tlsServers.push(server);
      });
    }
  }

  /**
   * Mutual TLS asks every client for a certificate and ends handshakes without one the CA file verifies;
   * without it no certificate is asked for. Whose certificate it is gets checked above (the tls-identity policy).
   */
  private createTlsServer(cfg: TlsOptions, options: SecureContextOptions): TlsServer {
    const server = createTlsServer({
      ...options,
      requestCert: cfg.requestCert,
      rejectUnauthorized: cfg.requestCert,
      sessionTimeout: cfg.sessionTimeoutSec,
    });
    const sessions = this.tlsSessionCache;
    if (sessions) {
      server.on('newSession', (id: Buffer, data: Buffer, done: () => void) => {
        sessions.set(id.toString('hex'), data);
        done();
      });
      server.on('resumeSession', (id: Buffer, done: (err: Error | null, data: Buffer | null) => void) => {
        done(null, sessions.get(id.toString('hex')) ?? null);
      });
    }
    server.on('connection', (raw: Socket) => {
      const host = raw.remoteAddress;
      if (host === undefined || !this.table.sourceLimit.tryOpen(host, raw.remotePort ?? 0, 'tls')) {
        raw.destroy();
        return;
      }
      this.tlsSockets.add(raw);
      raw.once('close', () => {
        this.tlsSockets.delete(raw);
        this.table.sourceLimit.closed(host);
      });
    });
    server.on('secureConnection', (socket) => this.table.accept(socket, 'tls'));
    server.on('tlsClientError', (err, socket) => {
      this.log.debug('SipTls', `TLS handshake from ${socket.remoteAddress ?? '?'}: ${errorMessage(err)}`);
    });
    return server;
  }

  /** The distinct addresses of `listen`, for the TLS listener when tls.hosts is absent. */
  private listenTargets(): BindTarget[] {
    const seen = new Map<string, BindTarget>();
    for (const entry of this.opts.listen) {
      for (const t of bindTargets(entry.host)) if (!seen.has(t.host)) seen.set(t.host, t);
    }
    return [...seen.values()];
  }
}

function bindTargets(host: string | undefined): BindTarget[] {
  if (host !== undefined) return [{ host, implicit: false }];
  return [{ host: WILDCARD_V4, implicit: false }, { host: WILDCARD_V6, implicit: true }];
}
