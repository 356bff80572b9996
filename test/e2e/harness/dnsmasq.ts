// A real DNS server for tests: dnsmasq (Debian's dnsmasq-base, no system service) on 127.0.0.1 and a free port,
// without any system configuration, serving only the NAPTR, SRV, A and AAAA records the test gives it. Names under
// the test's domains that have no record get NXDOMAIN; every query is logged, so tests can count what reached it.
import { spawn, type ChildProcess } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import { exited, track } from './children';
import { freePort } from './ports';

const DNSMASQ = '/usr/sbin/dnsmasq';
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

export interface NaptrSpec {
  name: string;
  order: number;
  preference: number;
  flags: string;
  service: string;
  /** Commas cannot be written here (dnsmasq splits its options on them). */
  regexp?: string;
  replacement?: string;
}

export interface SrvSpec {
  /** e.g. _sip._udp.example.test */
  name: string;
  target: string;
  port: number;
  priority: number;
  weight: number;
}

export interface DnsZone {
  /** Domains answered only from these records (unknown names in them get NXDOMAIN, not REFUSED). */
  domains: string[];
  naptr?: NaptrSpec[];
  srv?: SrvSpec[];
  /** A and AAAA records: IPv4 and IPv6 addresses of a name. */
  hosts?: { name: string; addresses: string[] }[];
  /** TTL of the records served; default 300 s. */
  ttl?: number;
}

export class Dnsmasq {
  private log = '';

  private constructor(private readonly child: ChildProcess, readonly port: number) {
    child.stderr?.on('data', (chunk: Buffer) => { this.log += chunk.toString(); });
    child.stdout?.on('data', (chunk: Buffer) => { this.log += chunk.toString(); });
  }

  /** "127.0.0.1:port", as DnsResolverSettings.servers and Resolver.setServers take it. */
  get server(): string {
    return `127.0.0.1:${this.port}`;
  }

  static async start(zone: DnsZone): Promise<Dnsmasq> {
    const port = await freePort();
    const child = spawn(DNSMASQ, [...baseArgs(port, zone.ttl ?? 300), ...zoneArgs(zone)], { stdio: ['ignore', 'pipe', 'pipe'] });
    track(child);
    const server = new Dnsmasq(child, port);
    try {
      await server.ready(zone.domains[0]);
    } catch (err) {
      await server.stop();
      throw err;
    }
    return server;
  }

  /** How many queries of this type for this name reached the server (from its query log). */
  queries(type: string, name: string): number {
    const line = `query[${type}] ${name} from `;
    return this.log.split('\n').filter((l) => l.includes(line)).length;
  }

  /** The server's log so far (for failure messages). */
  get output(): string {
    return this.log;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited(this.child);
    clearTimeout(timer);
  }

  /** Asks for a name that does not exist until the server answers (NXDOMAIN) rather than being unreachable. */
  private async ready(domain: string): Promise<void> {
    const probe = new Resolver({ timeout: 200, tries: 1 });
    probe.setServers([this.server]);
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null || this.child.signalCode !== null) throw new Error(`dnsmasq exited while starting:\n${this.log}`);
      const code = await probe.resolve4(`ready-probe.${domain}`).then(() => 'answer', (e: NodeJS.ErrnoException) => e.code);
      if (code === 'ENOTFOUND' || code === 'answer') return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`dnsmasq did not answer within ${READY_TIMEOUT_MS} ms:\n${this.log}`);
  }
}

function baseArgs(port: number, ttl: number): string[] {
  return [
    '--conf-file=/dev/null', '--no-resolv', '--no-hosts', '--no-poll', '--keep-in-foreground', `--port=${port}`,
    '--listen-address=127.0.0.1', '--bind-interfaces', '--pid-file=', '--log-queries', '--log-facility=-',
    `--local-ttl=${ttl}`,
  ];
}

function zoneArgs(zone: DnsZone): string[] {
  for (const n of zone.naptr ?? []) {
    if ([n.regexp, n.replacement, n.service, n.flags].some((v) => v?.includes(','))) {
      throw new Error(`dnsmasq cannot serve a NAPTR field with a comma: ${JSON.stringify(n)}`);
    }
  }
  return [
    ...zone.domains.map((d) => `--local=/${d}/`),
    ...(zone.naptr ?? []).map((n) =>
      `--naptr-record=${n.name},${n.order},${n.preference},${n.flags},${n.service},${n.regexp ?? ''}${n.replacement ? `,${n.replacement}` : ''}`),
    ...(zone.srv ?? []).map((s) => `--srv-host=${s.name},${s.target},${s.port},${s.priority},${s.weight}`),
    ...(zone.hosts ?? []).flatMap((h) => h.addresses.map((a) => `--host-record=${h.name},${a}`)),
  ];
}
