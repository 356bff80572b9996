// Test kit for the proxy core: an in-memory wire, a fake clock, sipd at 192.0.2.10 for example.com,
// and helpers that play the UAs of the RFC 3261 / Cisco SPS Appendix E ladder diagrams. Not a test file itself.
import { SipMessage, parseMessage } from '../sip';
import { nullLogger } from '../log';
import { LocationService } from '../registrar/location';
import { Registrar, RegistrarSettings } from '../registrar/registrar';
import { Destination, FakeClock, Sender, TimerConfig, TransactionLayer } from '../transaction';
import type { Endpoint, TransportName } from '../transport';
import { LocalIdentity, ownUriFacts, type VirtualProxyHost } from './local-identity';
import { ProxyCore, ProxyRouting, ProxySettings } from './proxy-core';
import { DEFAULT_DNS_SETTINGS, DnsResolver, SipResolver } from '../dns';
import { FakeDns } from '../dns/fake-dns';
import type { CallForwarding } from '../forwarding';
import { NumberExpander, type NumberExpansionSettings } from '../numbers';
import { NextHopRouter, type NextHopSettings, type RouteLookup } from '../routing/next-hop-router';
import { buildTranslation, registryStep, type TranslationStep } from '../translation';

/** Epoch of the fake clock, so registrations carry real-looking absolute expiry times. */
export const T0 = 1_700_000_000_000;

export const SIPD: Endpoint = { transport: 'udp', host: '192.0.2.10', port: 5060 };
export const SIPD_RR = '<sip:192.0.2.10:5060;lr>';

/** The UAs of the ladders. */
export const ALICE: Endpoint = { transport: 'udp', host: '192.0.2.1', port: 5060 };
export const BOB1: Endpoint = { transport: 'udp', host: '192.0.2.21', port: 5060 };
export const BOB2: Endpoint = { transport: 'udp', host: '192.0.2.22', port: 5060 };
export const CAROL: Endpoint = { transport: 'udp', host: '192.0.2.30', port: 5060 };

export const TIMERS: TimerConfig = { t1: 500, t2: 4000, t4: 5000, timerD: 32000, t3: 60000, maxT3: 180000, maxInviteRetx: 6, maxNonInviteRetx: 10 };

export const DEFAULT_SETTINGS: ProxySettings = {
  stateful: true,
  redirect: false,
  recursive: true,
  maxForks: 5,
  recordRoute: true,
  transportInRecordRoute: false,
  ignoreProxyRequire: new Set<string>(),
  forward503: false,
  t3: 60000,
  maxT3: 180000,
  resolveLocalContactsInRedirect: false,
  registry: true,
  maxServerTransactions: 0,
  sipsToSip: false,
};

export interface Sent {
  msg: SipMessage;
  dest: Destination;
  data: Buffer;
}

/** Records every send with the parsed message. */
export class MemorySender implements Sender {
  sent: Sent[] = [];
  send(data: Buffer, dest: Destination): void {
    this.sent.push({ msg: parseMessage(data), dest, data });
  }
}

export interface KitOptions {
  settings?: Partial<ProxySettings>;
  nextHop?: Partial<NextHopSettings>;
  numbers?: Partial<NumberExpansionSettings>;
  /** The route table; none by default. */
  routes?: RouteLookup;
  /** Call forwarding, in the translation steps and the response context as the server wires it. */
  forwarding?: CallForwarding;
  /** ENUM, the translation step after the registry. */
  enum?: TranslationStep;
  timers?: Partial<TimerConfig>;
  registrar?: Partial<RegistrarSettings>;
  /** <VirtualProxyHost> blocks besides example.com; none by default. */
  virtualHosts?: VirtualProxyHost[];
  /** Cisco_Registry_Use_Virtual_Proxy_Host (On). */
  useVirtualProxyHost?: boolean;
}

export function tick(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}

export interface RequestOpts {
  method?: string;
  uri?: string;
  from?: Endpoint;
  branch?: string;
  callId?: string;
  cseq?: number;
  fromUser?: string;
  /** Host of the From URI (example.com). */
  fromDomain?: string;
  fromTag?: string;
  to?: string;
  toTag?: string;
  maxForwards?: number | null;
  /** Contact header value; null for none. */
  contact?: string | null;
  extra?: string[];
  body?: string;
}

let counter = 0;

export class Kit {
  readonly clock = new FakeClock();
  readonly sender = new MemorySender();
  readonly txl: TransactionLayer;
  readonly me: LocalIdentity;
  readonly location: LocationService;
  readonly registrar: Registrar;
  readonly proxy: ProxyCore;
  /** The DNS the proxy resolves names with: tests add the records they need. */
  readonly dns = new FakeDns();
  /** Index into sender.sent of the first message not yet taken. */
  private mark = 0;

  constructor(opts: KitOptions = {}) {
    const now = () => T0 + this.clock.now();
    this.txl = new TransactionLayer(this.sender, this.clock, { ...TIMERS, ...opts.timers });
    const bound: Endpoint[] = [{ transport: 'udp', host: '192.0.2.10', port: 5060 }, { transport: 'tcp', host: '192.0.2.10', port: 5060 }];
    const numbers = new NumberExpander({
      enabled: true, plans: {}, domains: (opts.virtualHosts ?? []).map((v) => v.domain), interpretation: 'E164_IP',
      characterSet: '+0123456789.-()', expandAuthUserName: true, origUserNameSource: 'Auth', ...opts.numbers,
    });
    this.me = new LocalIdentity(['example.com'], bound, undefined,
      { useVirtualProxyHost: opts.useVirtualProxyHost ?? true, virtualHosts: opts.virtualHosts ?? [], numbers });
    this.location = new LocationService(null, now);
    this.registrar = new Registrar(this.location, { minExpires: 60, maxExpires: 7200, defaultExpires: 3600, ...opts.registrar }, now);
    this.proxy = new ProxyCore(this.txl, this.me, { ...DEFAULT_SETTINGS, ...opts.settings }, this.registrar, this.routing(opts, numbers), nullLogger());
  }

  private routing(opts: KitOptions, numbers: NumberExpander): ProxyRouting {
    const resolver = new SipResolver(new DnsResolver(DEFAULT_DNS_SETTINGS, this.dns), {
      allowNaptr: true, srvForFqdnOnly: false, transportPrefOrder: ['udp', 'tcp'], tlsEnabled: false, addressFamilies: [4, 6],
    });
    const nextHops = new NextHopRouter({ routing: true, domainRouting: false, routeHeaderTransport: 'udp', ...opts.nextHop }, resolver,
      ownUriFacts(this.me, numbers), opts.routes);
    const cf = opts.forwarding;
    const translation = buildTranslation({
      callForwardUnconditional: cf?.unconditionalStep(),
      registry: registryStep(this.location),
      callForwardNotRegistered: cf?.notRegisteredStep(),
      enum: opts.enum,
    });
    return { translation, nextHops, numbers, forwarding: cf };
  }

  /** Builds the text of a request as a UA writes it. */
  build(o: RequestOpts = {}): Buffer {
    const method = o.method ?? 'INVITE';
    const from = o.from ?? ALICE;
    const lines = [
      `${method} ${o.uri ?? 'sip:bob@example.com'} SIP/2.0`,
      `Via: SIP/2.0/${from.transport.toUpperCase()} ${from.host}:${from.port};branch=${o.branch ?? `z9hG4bK-ua${++counter}`}`,
    ];
    if (o.maxForwards !== null) lines.push(`Max-Forwards: ${o.maxForwards ?? 70}`);
    lines.push(
      `From: <sip:${o.fromUser ?? 'alice'}@${o.fromDomain ?? 'example.com'}>;tag=${o.fromTag ?? 'alice-tag'}`,
      `To: ${o.to ?? '<sip:bob@example.com>'}${o.toTag ? `;tag=${o.toTag}` : ''}`,
      `Call-ID: ${o.callId ?? 'call-1@192.0.2.1'}`,
      `CSeq: ${o.cseq ?? 1} ${method}`,
      ...(o.contact === null ? [] : [`Contact: ${o.contact ?? `<sip:${o.fromUser ?? 'alice'}@${from.host}:${from.port}>`}`]),
      ...(o.extra ?? []),
      `Content-Length: ${Buffer.byteLength(o.body ?? '')}`,
      '',
      o.body ?? '',
    );
    return Buffer.from(lines.join('\r\n'));
  }

  /** Delivers raw request bytes as received from `from`, and lets the asynchronous forwarding run. */
  async injectRaw(data: Buffer, from: Endpoint = ALICE): Promise<SipMessage> {
    const msg = parseMessage(data);
    this.proxy.onRequest(msg, { data, source: { ...from }, local: { ...SIPD, transport: from.transport } });
    await tick();
    await tick();
    return msg;
  }

  /** A request from a UA; returns the exact bytes so a retransmission can be replayed. */
  async send(o: RequestOpts = {}): Promise<Buffer> {
    const data = this.build(o);
    await this.injectRaw(data, o.from ?? ALICE);
    return data;
  }

  /** REGISTER user's contact with sipd (from the contact's own address), as user@domain (example.com). */
  async register(user: string, contact: Endpoint, o: { expires?: number; q?: number; callId?: string; cseq?: number; domain?: string } = {}): Promise<SipMessage> {
    const domain = o.domain ?? 'example.com';
    const params = `${o.q === undefined ? '' : `;q=${o.q}`}`;
    const before = this.sender.sent.length;
    await this.send({
      method: 'REGISTER',
      uri: `sip:${domain}`,
      from: contact,
      fromUser: user,
      fromDomain: domain,
      to: `<sip:${user}@${domain}>`,
      callId: o.callId ?? `reg-${user}-${contact.host}`,
      cseq: o.cseq ?? 1,
      contact: `<sip:${user}@${contact.host}:${contact.port}>${params}`,
      extra: [`Expires: ${o.expires ?? 3600}`],
    });
    const res = this.sender.sent.slice(before).find((s) => s.msg.status > 0 && s.msg.cseq.method === 'REGISTER');
    if (!res) throw new Error('no response to REGISTER');
    this.take();
    return res.msg;
  }

  /** Builds the response a UA gives to the request it received from sipd. */
  responseTo(req: SipMessage, status: number, o: { toTag?: string; extra?: string[]; contact?: string } = {}): Buffer {
    const lines = [`SIP/2.0 ${status} ${status === 200 ? 'OK' : 'Reason'}`];
    for (const v of req.getAll('via')) lines.push(`Via: ${v}`);
    if (status < 300 && status > 100) for (const rr of req.getAll('record-route')) lines.push(`Record-Route: ${rr}`);
    lines.push(`From: ${req.get('from')}`);
    lines.push(`To: ${req.get('to')}${status > 100 && !req.toTag ? `;tag=${o.toTag ?? `uas-${req.requestUri.host}`}` : ''}`);
    lines.push(`Call-ID: ${req.callId}`);
    lines.push(`CSeq: ${req.cseq.seq} ${req.cseq.method}`);
    if (o.contact) lines.push(`Contact: ${o.contact}`);
    lines.push(...(o.extra ?? []));
    lines.push('Content-Length: 0', '', '');
    return Buffer.from(lines.join('\r\n'));
  }

  /** A UA answers `req` (a request it received from sipd) with `status`. */
  async reply(req: SipMessage, status: number, o: { toTag?: string; extra?: string[]; contact?: string } = {}): Promise<SipMessage> {
    const res = parseMessage(this.responseTo(req, status, o));
    this.proxy.onResponse(res);
    await tick();
    return res;
  }

  /** Messages sent since the last take(). */
  take(): Sent[] {
    const out = this.sender.sent.slice(this.mark);
    this.mark = this.sender.sent.length;
    return out;
  }

  /** Messages not yet taken, without consuming them. */
  peek(): Sent[] {
    return this.sender.sent.slice(this.mark);
  }

  /** Everything sent, ever, to an endpoint. */
  sentTo(ep: Endpoint): SipMessage[] {
    return this.sender.sent.filter((s) => s.dest.host === ep.host && s.dest.port === ep.port).map((s) => s.msg);
  }

  /** Methods of the requests sent to an endpoint, in order. */
  requestsTo(ep: Endpoint): string[] {
    return this.sentTo(ep).filter((m) => m.isRequest).map((m) => m.method);
  }

  /** The last request with `method` sent to `ep`. */
  lastRequestTo(ep: Endpoint, method = 'INVITE'): SipMessage {
    const all = this.sentTo(ep).filter((m) => m.method === method);
    const last = all[all.length - 1];
    if (!last) throw new Error(`no ${method} sent to ${ep.host}:${ep.port}`);
    return last;
  }

  /** Responses sent to an endpoint, as their status codes, in order. */
  statusesTo(ep: Endpoint, method?: string): number[] {
    return this.sentTo(ep).filter((m) => m.status > 0 && (!method || m.cseq.method === method)).map((m) => m.status);
  }

  async advance(ms: number): Promise<void> {
    this.clock.advance(ms);
    await tick();
  }
}

export function endpoint(host: string, port = 5060, transport: TransportName = 'udp'): Endpoint {
  return { transport, host, port };
}
