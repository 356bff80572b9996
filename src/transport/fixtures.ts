// Shared helpers for the transport tests (real sockets on loopback, ephemeral ports).
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TransportLayer } from './layer';
import type { Endpoint, InboundMessage, TransportLog, TransportOptions } from './types';

export class MemoryLog implements TransportLog {
  lines: string[] = [];
  debug(flag: string, msg: string): void { this.lines.push(`debug ${flag} ${msg}`); }
  warn(msg: string): void { this.lines.push(`warn ${msg}`); }
  error(msg: string): void { this.lines.push(`error ${msg}`); }
}

export function options(overrides: Partial<TransportOptions>): TransportOptions {
  return {
    listen: [{ host: '127.0.0.1', port: 0 }],
    transports: ['udp', 'tcp'],
    tcpConnectTimeoutMs: 2000,
    reuseConnections: true,
    maxConnections: 100,
    idleTimeoutMs: 30000,
    maxMessageSize: 65535,
    ...overrides,
  };
}

/** A started layer that records what it receives. */
export class Harness {
  readonly log = new MemoryLog();
  readonly layer: TransportLayer;
  readonly received: InboundMessage[] = [];
  readonly framingErrors: { source: Endpoint; reason: string; partial: Buffer }[] = [];
  private waiters: (() => void)[] = [];

  constructor(opts: TransportOptions) {
    this.layer = new TransportLayer(opts, this.log);
    this.layer.onMessage = (m) => { this.received.push(m); this.wake(); };
    this.layer.onFramingError = (source, reason, partial) => { this.framingErrors.push({ source, reason, partial }); this.wake(); };
  }

  static async start(opts: TransportOptions): Promise<Harness> {
    const h = new Harness(opts);
    await h.layer.start();
    return h;
  }

  endpoint(transport: Endpoint['transport'], family: 4 | 6 = 4): Endpoint {
    const e = this.layer.localEndpoints().find((x) => x.transport === transport && x.host.includes(':') === (family === 6));
    if (!e) throw new Error(`no ${transport} IPv${family} endpoint`);
    return e;
  }

  /** Resolves with the n-th received message (1-based) once it is there. */
  async message(n: number, timeoutMs = 2000): Promise<InboundMessage> {
    await this.until(() => this.received.length >= n, timeoutMs, `message ${n}`);
    return this.received[n - 1];
  }

  async until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!cond()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 20));
        this.waiters.push(() => { clearTimeout(t); resolve(); });
      });
    }
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

/** A SIP message with a body, as sent on a stream. */
export function sipMessage(method: string, body: string): string {
  return `${method} sip:bob@example.com SIP/2.0\r\nCall-ID: ${method}-1\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

export interface PemPair { cert: string; key: string }

/**
 * A throw-away certificate authority in a temp dir, made with the openssl command. Certificates it issues share
 * one RSA key (key generation is the slow part); identity checks look at names, not keys.
 */
export class TestPki {
  readonly ca: string;
  private readonly caKey: string;
  private readonly leafKey: string;
  private serial = 0;

  private constructor(readonly dir: string) {
    this.ca = join(dir, 'ca.pem');
    this.caKey = join(dir, 'ca.key');
    this.leafKey = join(dir, 'leaf.key');
  }

  static create(caName = 'sipd test CA'): TestPki {
    const pki = new TestPki(mkdtempSync(join(tmpdir(), 'sipd-tls-')));
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${caName}`,
      '-keyout', pki.caKey, '-out', pki.ca);
    openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', pki.leafKey);
    return pki;
  }

  /** subject like "/CN=sipd-server"; san like "DNS:localhost,IP:127.0.0.1", absent for none. */
  issue(subject: string, san?: string): PemPair {
    const cert = join(this.dir, `cert-${++this.serial}.pem`);
    const ext = san ? ['-addext', `subjectAltName=${san}`] : [];
    openssl('req', '-x509', '-key', this.leafKey, '-days', '2', '-subj', subject, ...ext,
      '-addext', 'basicConstraints=critical,CA:FALSE', '-CA', this.ca, '-CAkey', this.caKey, '-out', cert);
    return { cert, key: this.leafKey };
  }
}

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { stdio: 'ignore' });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Collects the first error passed to an onError callback. */
export function errorCatcher(): { onError: (err: Error) => void; error: () => Error | undefined } {
  let first: Error | undefined;
  return { onError: (err) => { first ??= err; }, error: () => first };
}
