// Composition root: builds the layers from a configuration and runs them.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { FloodGuard, type FloodGuardSettings } from './abuse/flood-guard';
import { AccessLists } from './acl/access-list';
import type { SipdConfig } from './config';
import { DialogTable, type DialogTableSettings } from './dialog';
import { DEFAULT_DNS_SETTINGS, DnsResolver, SipResolver, readHostsFile, sipResolverSettings } from './dns';
import { EnumTranslator, enumSettings } from './enum';
import { CallForwarding, type CallForwardSettings } from './forwarding';
import { createPrivacyHandling, privacySettings } from './privacy';
import { NumberExpander, type NumberExpansionSettings } from './numbers';
import { buildPolicies } from './policy/build';
import { SqliteSubscriberStore, defaultRealm, subscriberDbPath } from './subscribers';
import { ExternalSubscriberDirectory, openSubscriberDirectory } from './subscribers/external';
import type { Logger } from './log';
import { LocalIdentity, ProxyCore, ProxyRouting, ProxySettings, RegistryKeying, ownUriFacts, replyDestination, virtualProxyHosts } from './proxy';
import { LoadMonitor } from './proxy/load-monitor';
import { LocationService } from './registrar/location';
import { Registrar, RegistrarSettings } from './registrar/registrar';
import { parseStaticRegistrations } from './registrar/static-registrations';
import { ParseLimits, SipParseError, createResponse, parseMessage } from './sip';
import { RouteService, routeDbPath } from './routing';
import { NextHopRouter, type NextHopSettings } from './routing/next-hop-router';
import { SqliteRegistryStore } from './store/sqlite-registry-store';
import { buildTranslation, enumStep, registryStep } from './translation';
import { Destination, Sender, TimerConfig, TransactionLayer, systemClock } from './transaction';
import { InboundMessage, TransportLayer, TransportName, TransportOptions, tlsSettingWarnings } from './transport';

export interface ServerStatus {
  pid: number;
  startedAt: number;
  listeners: string[];
  /** Transactions in progress: server (requests received) and client (requests sent). */
  transactions: { server: number; client: number; serverStates: Record<string, number>; retired: number };
  registrations: number;
  draining: boolean;
  /** Resident set and V8 heap in use, bytes. */
  memory: { rss: number; heapUsed: number };
}

/** A subscriber or device changed with `sipd subscriber|device` is in force within this time (ReadCache). */
const SUBSCRIBER_CACHE_MS = 250;

export class SipServer {
  private transport?: TransportLayer;
  private proxy?: ProxyCore;
  private location?: LocationService;
  private registrar?: Registrar;
  private transactions?: TransactionLayer;
  private cleanup?: NodeJS.Timeout;
  private limits: ParseLimits;
  private startedAt = 0;
  private subscribers?: SqliteSubscriberStore;
  private externalSubscribers?: ExternalSubscriberDirectory;
  private flood?: FloodGuard;
  private dialogs?: DialogTable;
  private routes?: RouteService;
  private dns?: { servers: string; resolver: DnsResolver };
  private readonly load: LoadMonitor;
  /** Signs digest nonces for the life of the process, unless AuthNonceSecret gives one for the whole farm. */
  private readonly nonceSecret = randomBytes(32);

  constructor(private cfg: SipdConfig, private readonly log: Logger) {
    this.limits = parseLimits(cfg);
    this.load = new LoadMonitor(cfg.OverloadLagThreshold);
  }

  /** Binds every listener and loads the registry; resolves once requests can be served. */
  async start(): Promise<void> {
    const cfg = this.cfg;
    const options = transportOptions(cfg);
    for (const warning of options.tls ? tlsSettingWarnings(options.tls) : []) this.log.warn(warning);
    const transport = new TransportLayer(options, {
      debug: (flag, msg) => this.log.debug(flag, msg),
      warn: (msg) => this.log.warn(msg),
      error: (msg) => this.log.error(msg),
    });
    transport.onMessage = (m) => this.receive(m);
    transport.onFramingError = (src, reason) => this.log.warn(`closing ${src.transport} connection from ${src.host}:${src.port}: ${reason}`);
    await transport.start();
    this.transport = transport;

    const dataDir = join(cfg.ServerRoot, 'data');
    mkdirSync(dataDir, { recursive: true });
    const store = SqliteRegistryStore.open(join(dataDir, 'registry.db'), {
      maxAgeOnBootSec: cfg.Cisco_Registry_Max_DB_Age_on_Boot,
      onError: (err) => this.log.error(`registry store write failed: ${(err as Error).message}`),
    });
    if (store.discardedStale) this.log.notice(`registry older than ${cfg.Cisco_Registry_Max_DB_Age_on_Boot} s discarded at start`);
    this.location = new LocationService(store);
    // `sipd regroute` edits registrations in the file: they are in force within 250 ms, as route changes are.
    this.location.followStore(250, (err) => this.log.error(`registry reload failed: ${(err as Error).message}`));
    this.subscribers = SqliteSubscriberStore.open(subscriberDbPath(cfg.ServerRoot), { realm: defaultRealm(cfg), cacheMs: SUBSCRIBER_CACHE_MS });
    this.externalSubscribers = await openSubscriberDirectory(cfg, this.log, defaultRealm(cfg));
    this.loadStaticRegistrations();
    this.registrar = new Registrar(this.location, registrarSettings(cfg));

    const sender: Sender = { send: (data, dest: Destination, onError) => transport.send(data, dest, onError, dest.connectionId) };
    this.transactions = new TransactionLayer(sender, systemClock, timerConfig(cfg));
    const bound = transport.localEndpoints();
    const numbers = new NumberExpander(numberExpansionSettings(cfg));
    const me = new LocalIdentity([cfg.ProxyDomain, cfg.ServerName].filter((d): d is string => !!d), bound, cfg.IpAddrInPathHeaders, registryKeying(cfg, numbers));
    me.advertiseName(...pathName(cfg));
    this.proxy = new ProxyCore(this.transactions, me, proxySettings(cfg), this.registrar, this.routing(cfg, me, numbers), this.log);
    this.load.start();
    this.proxy.load = this.load;
    this.applyPolicies(cfg, me);
    this.scheduleCleanup();
    this.startedAt = Date.now();
    this.log.notice(`sipd ${cfg.ServerType.toLowerCase()} (${cfg.StatefulServer ? 'stateful' : 'stateless'}) listening on ${this.listeners().join(', ')}`);
  }

  /** Graceful restart: apply a new, already validated configuration without dropping state. */
  async reload(cfg: SipdConfig): Promise<void> {
    this.cfg = cfg;
    this.limits = parseLimits(cfg);
    if (this.proxy) {
      this.proxy.settings = proxySettings(cfg);
      const numbers = new NumberExpander(numberExpansionSettings(cfg));
      this.proxy.me.setRegistryKeying(registryKeying(cfg, numbers));
      this.proxy.me.advertiseName(...pathName(cfg));
      this.proxy.routing = this.routing(cfg, this.proxy.me, numbers);
    }
    if (this.registrar) this.registrar.settings = registrarSettings(cfg);
    if (this.transactions) this.transactions.timers = timerConfig(cfg);
    const tls = transportOptions(cfg).tls;
    if (tls) this.transport?.reloadTls(tls);
    this.load.thresholdMs = cfg.OverloadLagThreshold;
    if (this.proxy) this.applyPolicies(cfg, this.proxy.me);
    this.loadStaticRegistrations();
    this.scheduleCleanup();
    this.log.notice('configuration reloaded (graceful restart)');
  }

  /** txngraceful-restart: behaviour 1 answers new INVITE/REGISTER 503 + Retry-After, 2 drops them. */
  beginTransactionDrain(seconds: number, behaviour: 1 | 2): void {
    if (this.proxy) this.proxy.drain = behaviour;
    this.log.notice(`transaction graceful restart: draining for ${seconds} s, new INVITE/REGISTER ${behaviour === 1 ? 'get 503' : 'are dropped'}`);
  }

  /** Stops listeners and flushes the registry store. */
  async stop(): Promise<void> {
    if (this.cleanup) clearInterval(this.cleanup);
    this.load.stop();
    await this.transport?.stop();
    this.location?.close();
    this.dialogs?.close();
    this.routes?.close();
    this.subscribers?.close();
    await this.externalSubscribers?.close();
    this.log.notice('sipd stopped');
  }

  /** For `sipd connections` (the control socket). */
  connectionControl(): TransportLayer | undefined {
    return this.transport;
  }

  status(): ServerStatus {
    return {
      pid: process.pid,
      startedAt: this.startedAt,
      listeners: this.listeners(),
      transactions: { server: this.transactions?.serverCount ?? 0, client: this.transactions?.clientCount ?? 0, serverStates: this.transactions?.serverStates() ?? {}, retired: this.transactions?.retiredCount ?? 0 },
      registrations: this.location?.size() ?? 0,
      draining: (this.proxy?.drain ?? 0) !== 0,
      memory: { rss: process.memoryUsage.rss(), heapUsed: process.memoryUsage().heapUsed },
    };
  }

  private receive(m: InboundMessage): void {
    const proxy = this.proxy;
    if (!proxy || !this.flood?.admit(m.source.host, performance.now())) return;
    if (this.log.isDebug('Parser')) this.log.debug('Parser', `Received ${m.data.length} bytes ${m.source.transport.toUpperCase()} from ${m.source.host}:${m.source.port}\n${m.data.toString('utf8')}`);
    let msg;
    try {
      msg = parseMessage(m.data, this.limits);
    } catch (e) {
      this.rejectMalformed(e, m);
      return;
    }
    try {
      if (msg.isRequest) proxy.onRequest(msg, m);
      else proxy.onResponse(msg);
    } catch (e) {
      // A header the proxy needed turned out malformed; answer like a parse error.
      if (e instanceof SipParseError) e.partial = msg;
      this.rejectMalformed(e, m);
    }
  }

  /** A 4xx naming the problem when the request can be answered; otherwise the message is dropped. */
  private rejectMalformed(e: unknown, m: InboundMessage): void {
    if (!(e instanceof SipParseError)) {
      this.log.error(`internal error on a message from ${m.source.host}:${m.source.port}: ${(e as Error).stack ?? e}`);
      return;
    }
    this.log.debug('Parser', `malformed message from ${m.source.transport}:${m.source.host}:${m.source.port}: ${e.message}`);
    const req = e.partial;
    if (!req || !req.isRequest || req.method === 'ACK') return;
    try {
      const reason = e.status === 400 ? `Bad Request (${e.message})` : undefined;
      const res = createResponse(req, e.status, reason, 'malformed');
      this.transport?.send(res.toBuffer(), replyDestination(req, m), undefined, m.connectionId);
    } catch {
      // Not even Via/From/To/Call-ID/CSeq could be read: nobody to answer.
    }
  }

  /**
   * Builds the request policies (access control, authentication, phone rules) from `cfg`, and the dialog table
   * they count calls in: kept while sipd is stateful and record-routes, since only then do BYEs pass through it.
   */
  private applyPolicies(cfg: SipdConfig, me: LocalIdentity): void {
    const proxy = this.proxy!;
    const acl = AccessLists.compile(cfg.Order, cfg.AccessRules);
    if (this.flood) this.flood.settings = this.floodSettings(cfg, acl);
    else this.flood = new FloodGuard(this.floodSettings(cfg, acl));
    const tracksCalls = cfg.StatefulServer && cfg.AddRecordRoute && cfg.ServerType === 'Proxy';
    if (tracksCalls && !this.dialogs) this.dialogs = new DialogTable(dialogSettings(cfg));
    else if (this.dialogs && !tracksCalls) {
      this.dialogs.close();
      this.dialogs = undefined;
    } else if (this.dialogs) this.dialogs.settings = dialogSettings(cfg);
    const dialogs = this.dialogs;
    proxy.observeResponse = dialogs && ((res) => dialogs.onResponse(res));
    // An identity is asserted in the domain the user authenticated in when it is sipd's, else in sipd's own.
    const privacy = createPrivacyHandling(privacySettings(cfg), this.log, (d) => (d !== '' && me.isLocal(d, undefined) ? d : me.primaryDomain));
    proxy.identities = privacy.active
      ? { privacy, trustedNextHop: (host) => acl.isTrustedNextHop(host), trustedSender: (host) => acl.from.trustedWithoutWaiting(host) }
      : undefined;
    if (cfg.Authentication && cfg.AuthScheme === 'HTTP_Basic') this.log.warn('AuthScheme HTTP_Basic sends passwords in clear text; use HTTP_Digest');
    proxy.policies = buildPolicies(cfg, {
      subscribers: this.externalSubscribers ?? this.subscribers!,
      devices: this.subscribers!,
      acl,
      dialogs,
      isLocalUri: (uri) => me.isLocalDomain(uri),
      virtualDomain: (host) => me.virtualDomain(host),
      nonceSecret: cfg.AuthNonceSecret ?? this.nonceSecret,
      numbers: this.proxy?.routing.numbers,
      privacy,
      log: this.log,
    });
  }

  /**
   * Where requests go (ProxyRouting): the translation steps the configuration turns on, number expansion, the
   * route table (opened once; it follows `sipd regroute` changes by itself) and RFC 3263 over a caching resolver.
   */
  private routing(cfg: SipdConfig, me: LocalIdentity, numbers: NumberExpander): ProxyRouting {
    const onDnsError = (err: Error) => this.log.warn(err.message);
    // The resolver and its cache outlive a graceful restart unless DnsServers changed.
    const servers = cfg.DnsServers.join(' ');
    if (!this.dns || this.dns.servers !== servers) {
      this.dns = { servers, resolver: new DnsResolver({ ...DEFAULT_DNS_SETTINGS, servers: cfg.DnsServers.length > 0 ? cfg.DnsServers : undefined, hosts: readHostsFile() }) };
    }
    const dns = this.dns.resolver;
    const resolver = new SipResolver(dns, sipResolverSettings(cfg), Math.random, onDnsError);
    if (cfg.Cisco_Routing && !this.routes) {
      this.routes = RouteService.open(routeDbPath(cfg.ServerRoot), {
        lessSpecificSearch: cfg.Cisco_Routing_Global_Less_Specific_Route_Search,
        onError: (err) => this.log.error(`route table reload failed: ${(err as Error).message}`),
      });
    }
    this.routes?.setLessSpecificSearch(cfg.Cisco_Routing_Global_Less_Specific_Route_Search);
    const forwarding = cfg.CallForwardUnconditional || cfg.CallForwardBusy || cfg.CallForwardNoAnswer || cfg.CallForwardUnavailable
      ? new CallForwarding(callForwardSettings(cfg), this.externalSubscribers ?? this.subscribers!)
      : undefined;
    const translation = buildTranslation({
      callForwardUnconditional: forwarding?.unconditionalStep(),
      registry: cfg.Cisco_Registry ? registryStep(this.location!) : undefined,
      callForwardNotRegistered: forwarding?.notRegisteredStep(),
      enum: cfg.Cisco_Enum ? enumStep(new EnumTranslator(dns, enumSettings(cfg), onDnsError)) : undefined,
    });
    const nextHops = new NextHopRouter(nextHopSettings(cfg), resolver, ownUriFacts(me, numbers), cfg.Cisco_Routing ? this.routes : undefined);
    return { translation, nextHops, numbers, forwarding };
  }

  private floodSettings(cfg: SipdConfig, acl: AccessLists): FloodGuardSettings {
    return {
      maxRequests: cfg.RateLimitRequests,
      windowSec: cfg.RateLimitWindow,
      banTimeSec: cfg.RateLimitBanTime,
      exempt: (host) => acl.from.trustedWithoutWaiting(host),
      log: (msg) => this.log.warn(msg),
    };
  }

  private loadStaticRegistrations(): void {
    const file = this.cfg.RegistryStaticFile;
    if (!this.location || !existsSync(file)) return;
    try {
      this.location.loadStatic(parseStaticRegistrations(readFileSync(file, 'utf8'), file));
    } catch (e) {
      this.log.error((e as Error).message);
    }
  }

  private scheduleCleanup(): void {
    if (this.cleanup) clearInterval(this.cleanup);
    this.cleanup = setInterval(() => this.location?.purgeExpired(), this.cfg.RegistryCleanupRate);
    this.cleanup.unref();
  }

  private listeners(): string[] {
    return (this.transport?.localEndpoints() ?? []).map((ep) => `${ep.transport}:${ep.host.includes(':') ? `[${ep.host}]` : ep.host}:${ep.port}`);
  }
}

function transportOptions(cfg: SipdConfig): TransportOptions {
  const tls = cfg.SipTlsEnable && cfg.SipTlsCertificateFile && cfg.SipTlsCertificateKeyFile
    ? {
      port: cfg.SipTlsPort, cert: cfg.SipTlsCertificateFile, key: cfg.SipTlsCertificateKeyFile, ca: cfg.SipTlsCACertificateFile,
      requestCert: cfg.SipTlsMutualAuthentication, sessionTimeoutSec: cfg.SipTlsSessionTimeout,
      minVersion: cfg.SipTlsMinVersion, ciphers: cfg.SipTlsCiphers,
    }
    : undefined;
  return {
    listen: cfg.Listen.length > 0 ? cfg.Listen : [{ port: cfg.Port }],
    transports: ['udp', 'tcp'],
    tls,
    tcpConnectTimeoutMs: cfg.SipTcpMaxConnectTimeout,
    reuseConnections: cfg.SipTcpReuseConnection,
    maxConnections: cfg.SipTcpMaxTCPConnections,
    maxConnectionsPerSource: cfg.MaxConnectionsPerSource,
    idleTimeoutMs: cfg.SipTcpIdleTimeout * 1000,
    maxMessageSize: cfg.MaxMessageSize,
    udpRecvBufferSize: 8 * 1024 * 1024,
  };
}

function callForwardSettings(cfg: SipdConfig): CallForwardSettings {
  return {
    unconditional: cfg.CallForwardUnconditional,
    busy: cfg.CallForwardBusy,
    noAnswer: cfg.CallForwardNoAnswer,
    unavailable: cfg.CallForwardUnavailable,
    noAnswerMs: cfg.CallForwardNoAnswerTimer,
    unavailableMs: cfg.CallForwardUnavailableTimer,
    addDiversion: cfg.AddDiversionHeader,
    headerName: cfg.DiversionHeaderName,
  };
}

function nextHopSettings(cfg: SipdConfig): NextHopSettings {
  return {
    routing: cfg.Cisco_Routing,
    domainRouting: cfg.Cisco_Routing_Use_Domain_Routing,
    routeHeaderTransport: cfg.SipRouteHeaderTransportType.toLowerCase() as TransportName,
  };
}

/** ProxyAddressResolutionType: the name sipd writes in Via and Record-Route (A, SRV), or none (IP). */
function pathName(cfg: SipdConfig): [host: string | undefined, srv: boolean] {
  if (cfg.ProxyAddressResolutionType === 'A') return [cfg.ServerName ?? hostname(), false];
  if (cfg.ProxyAddressResolutionType === 'SRV') return [cfg.ProxyDomain, true];
  return [undefined, false];
}

function registryKeying(cfg: SipdConfig, numbers: NumberExpander): RegistryKeying {
  return { useVirtualProxyHost: cfg.Cisco_Registry_Use_Virtual_Proxy_Host, virtualHosts: virtualProxyHosts(cfg.VirtualProxyHosts), numbers };
}

function numberExpansionSettings(cfg: SipdConfig): NumberExpansionSettings {
  return {
    enabled: cfg.Cisco_Numexpand,
    plans: cfg.NumberPlans,
    domains: Object.values(cfg.VirtualProxyHosts).map((h) => h.Virtual_Proxy_Domain).filter((d): d is string => d !== undefined),
    interpretation: cfg.NumericUsernameInterpretation,
    characterSet: cfg.NumericUsernameCharacterSet,
    expandAuthUserName: cfg.NumExpandAuthUserName,
    origUserNameSource: cfg.OrigUserNameSource,
  };
}

function dialogSettings(cfg: SipdConfig): DialogTableSettings {
  // An INVITE is unanswered at most Timer C (capped by SipMaxT3InMs) plus the 32 s a transaction may linger.
  return { earlyTimeoutMs: cfg.SipMaxT3InMs + 32_000, confirmedTimeoutMs: 12 * 3600_000, sweepIntervalMs: 10_000 };
}

function parseLimits(cfg: SipdConfig): ParseLimits {
  return { maxMessageSize: cfg.MaxMessageSize, maxBodySize: cfg.MaxBodySize, maxUriLength: cfg.MaxRequestUriLength, maxHeaders: cfg.MaxHeaderCount };
}

function timerConfig(cfg: SipdConfig): TimerConfig {
  return {
    t1: cfg.SipT1InMs, t2: cfg.SipT2InMs, t4: 5000, timerD: cfg.SipT4InMs, t3: cfg.SipT3InMs, maxT3: cfg.SipMaxT3InMs,
    maxInviteRetx: cfg.MaxInviteRetxCount, maxNonInviteRetx: cfg.MaxNonInviteRetxCount,
  };
}

function registrarSettings(cfg: SipdConfig): RegistrarSettings {
  return { minExpires: cfg.MinRegistrationExpires, maxExpires: cfg.MaxRegistrationExpires, defaultExpires: cfg.DefaultRegistrationExpires };
}

function proxySettings(cfg: SipdConfig): ProxySettings {
  return {
    stateful: cfg.StatefulServer,
    redirect: cfg.ServerType === 'Redirect',
    recursive: cfg.Recursive,
    maxForks: cfg.MaxForks,
    recordRoute: cfg.AddRecordRoute,
    transportInRecordRoute: cfg.AddTransportInRecordRoute,
    ignoreProxyRequire: new Set(cfg.IgnoreProxyRequire.map((t) => t.toLowerCase())),
    forward503: cfg.Forward503,
    t3: cfg.SipT3InMs,
    maxT3: cfg.SipMaxT3InMs,
    resolveLocalContactsInRedirect: cfg.SipResolveLocalContactsInRedirectMode,
    registry: cfg.Cisco_Registry,
    maxServerTransactions: cfg.MaxTransactionsInFlight,
    sipsToSip: cfg.AllowSipTlsConversionToSip,
  };
}
