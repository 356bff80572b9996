import { formatHostPort } from './endpoint';
import type { TransportLog, TransportStats } from './types';

const LOG_INTERVAL_MS = 60_000;
const MAX_LOGGED_SOURCES = 1024;

/**
 * MaxConnectionsPerSource: counts the inbound TCP and TLS sockets each address holds open (TLS ones from the
 * first byte, before the handshake, so a flood costs no handshakes) and refuses those beyond the limit.
 * A refused source is logged once a minute, not once per connection.
 */
export class SourceLimit {
  private readonly open = new Map<string, number>();
  private readonly lastLogged = new Map<string, number>();

  constructor(
    private readonly limit: number,
    private readonly log: TransportLog,
    private readonly stats: TransportStats,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts the socket in when admitted; the caller must call closed(host) once it is gone. */
  tryOpen(host: string, port: number, transport: 'tcp' | 'tls'): boolean {
    const count = this.open.get(host) ?? 0;
    if (this.limit > 0 && count >= this.limit) {
      this.stats.connectionsRefused++;
      this.logRefusal(host, port, transport);
      return false;
    }
    this.open.set(host, count + 1);
    return true;
  }

  closed(host: string): void {
    const count = this.open.get(host) ?? 0;
    if (count <= 1) this.open.delete(host);
    else this.open.set(host, count - 1);
  }

  private logRefusal(host: string, port: number, transport: 'tcp' | 'tls'): void {
    const now = this.now();
    const last = this.lastLogged.get(host);
    if (last !== undefined && now - last < LOG_INTERVAL_MS) return;
    if (this.lastLogged.size >= MAX_LOGGED_SOURCES) this.forgetOldRefusals(now);
    this.lastLogged.set(host, now);
    this.log.warn(`refusing ${transport} connection from ${formatHostPort(host, port)}: ${this.limit} connections from ${host} already open (MaxConnectionsPerSource); further refusals of this source are logged once a minute`);
  }

  private forgetOldRefusals(now: number): void {
    for (const [host, at] of this.lastLogged) if (now - at >= LOG_INTERVAL_MS) this.lastLogged.delete(host);
    if (this.lastLogged.size >= MAX_LOGGED_SOURCES) {
      const oldest = this.lastLogged.keys().next().value;
      if (oldest !== undefined) this.lastLogged.delete(oldest);
    }
  }
}
