// The proxy core (RFC 3261 §16): one entry for requests and one for responses, stateful or stateless,
// proxy or redirect. Targets come from the translation step (registry lookup, or the Request-URI as is).
import { type MaybePromise, andThen } from '../maybe-async';
import { SipMessage, SipParseError, SipUri, createResponse, formatUri, formatVia, parseUri, bareHost } from '../sip';
import type { Logger } from '../log';
import type { Registrar } from '../registrar/registrar';
import type { Endpoint, InboundMessage, TransportName } from '../transport';
import { runPolicies } from '../policy/chain';
import type { PolicyRequest, PolicyVerdict, RequestPolicy } from '../policy/types';
import { ClientEvents, ClientTransaction, Destination, ServerTransaction, TimerHandle, TransactionLayer } from '../transaction';
import { type PrivacyHandling, addDiversion, carryDiversions } from '../privacy';
import { seededRandom } from '../seeded-random';
import type { LoadMonitor } from './load-monitor';
import type { LocalIdentity } from './local-identity';
import { loopHash, statefulBranch, statelessBranch } from './loop-detection';
import { defaultPort } from '../dns';
import type { CallForwarding, ForwardingPlan } from '../forwarding';
import type { NumberExpander } from '../numbers';
import type { Hop, HopPlanEntry, NextHopRouter } from '../routing/next-hop-router';
import { type TranslationStep, translate } from '../translation/chain';
import { Forwarded, ResponseContext } from './response-context';
import { nextHopUri, preprocessRoutes } from './routing';
import { Target } from './target';
import { validateRequest } from './validation';

export interface ProxySettings {
  stateful: boolean;
  redirect: boolean;
  recursive: boolean;
  maxForks: number;
  recordRoute: boolean;
  transportInRecordRoute: boolean;
  ignoreProxyRequire: ReadonlySet<string>;
  forward503: boolean;
  /** Timer C: SipT3InMs, and SipMaxT3InMs as the cap when the INVITE's Expires asks for more. */
  t3: number;
  maxT3: number;
  resolveLocalContactsInRedirect: boolean;
  /** Cisco_Registry: act as registrar and translate through the registry. */
  registry: boolean;
  /** AllowSipTlsConversionToSip: a sips request may end on a contact reached without TLS. */
  sipsToSip: boolean;
  /** MaxTransactionsInFlight: new requests beyond this many server transactions get 503; 0 no limit. */
  maxServerTransactions: number;
}

/** Where requests go: the translation steps (src/translation/chain.ts) and next-hop routing. */
export interface ProxyRouting {
  translation: readonly TranslationStep[];
  nextHops: NextHopRouter;
  /** Number expansion: the number a URI of ours stands for (ENUM, number routes) and credential user names. */
  numbers: NumberExpander;
  /** Call forwarding on busy, no answer and unavailable (unconditional is a translation step). */
  forwarding?: CallForwarding;
}

/** How many times one call may be forwarded from one of sipd's users to another (a loop of forwards ends). */
const MAX_LOCAL_DIVERSIONS = 5;

/** txngraceful-restart: 1 answers new INVITE/REGISTER with 503 + Retry-After, 2 drops them silently. */
export type DrainBehaviour = 0 | 1 | 2;

/** sipd's own CANCELs: their answers change nothing (the INVITE's 487 does). */
const IGNORE_OUTCOME: ClientEvents = { onResponse() {}, onTimeout() {}, onTransportError() {} };

const DIALOG_CREATING = new Set(['INVITE', 'SUBSCRIBE', 'REFER']);
const ALLOW = 'INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER, INFO, PRACK, UPDATE, SUBSCRIBE, NOTIFY, REFER, MESSAGE';

export class ProxyCore {
  private readonly contexts = new WeakMap<ServerTransaction, ResponseContext>();
  drain: DrainBehaviour = 0;
  /** Access control, authentication and the other checks a request passes before it is served (policy/build.ts). */
  policies: readonly RequestPolicy[] = [];
  /** Event-loop lag, for shedding new work under overload (OverloadLagThreshold). */
  load?: Pick<LoadMonitor, 'overloaded'>;
  /** Privacy (CLIR) and the trust it rests on: PAI, RPID and Diversion toward each next hop and from each 3xx. */
  identities?: {
    privacy: PrivacyHandling;
    /** Downstream trust: the ACL's Allow to / Deny to. */
    trustedNextHop(host: string): boolean | Promise<boolean>;
    /** Upstream trust of a 3xx's sender, the ACL's Allow from, as known without waiting (a name not yet looked up is not trusted). */
    trustedSender(host: string): boolean;
  };
  /** Sees every response sipd sends upstream statefully (the dialog table follows calls with it). */
  observeResponse?: (res: SipMessage) => void;

  constructor(
    private readonly txl: TransactionLayer,
    readonly me: LocalIdentity,
    public settings: ProxySettings,
    private readonly registrar: Registrar,
    public routing: ProxyRouting,
    private readonly log: Logger,
  ) {}

  onRequest(req: SipMessage, src: InboundMessage): void {
    markReceived(req, src);
    if (this.drain && (req.method === 'INVITE' || req.method === 'REGISTER')) {
      if (this.drain === 1) {
        const res = createResponse(req, 503, 'Service Unavailable', 'drain');
        res.append('Retry-After', '60');
        this.txl.sender.send(res.toBuffer(), replyDestination(req, src));
      }
      return;
    }
    if (!this.settings.stateful) {
      this.stateless(req, src);
      return;
    }
    if (req.method === 'ACK') {
      const tx = this.txl.findServer(req);
      if (tx && tx.state !== 'Accepted') tx.onAck();
      else this.forwardStateless(req, src); // ACK for a 2xx: end to end, routed like its INVITE
      return;
    }
    const replyTo = replyDestination(req, src);
    if (this.txl.absorbRetransmission(req, replyTo)) return;
    if (this.mustShed(req)) {
      const res = createResponse(req, 503, 'Service Unavailable (overloaded)', 'overload');
      res.append('Retry-After', '5');
      this.txl.sender.send(res.toBuffer(), replyTo);
      return;
    }
    const tx = this.txl.createServer(req, replyTo);
    if (req.method === 'CANCEL') {
      this.onCancel(req, tx);
      return;
    }
    if (req.method === 'INVITE') tx.respond(createResponse(req, 100));
    void this.process(req, src, tx);
  }

  /**
   * Overload: beyond MaxTransactionsInFlight nothing new is taken; while the event loop lags, new calls and
   * registrations are refused but requests inside dialogs (BYE, re-INVITE) still pass, so calls can end.
   */
  private mustShed(req: SipMessage): boolean {
    if (req.method === 'CANCEL') return false;
    const max = this.settings.maxServerTransactions;
    if (max > 0 && this.txl.serverCount >= max) return true;
    return this.load?.overloaded === true && req.toTag === undefined;
  }

  /** A response from downstream: to its client transaction, or forwarded statelessly by its Via. */
  onResponse(res: SipMessage): void {
    if (this.settings.stateful) {
      const tx = this.txl.matchResponse(res);
      if (tx) {
        tx.onResponse(res);
        return;
      }
    }
    this.forwardResponseStateless(res);
  }

  private onCancel(cancel: SipMessage, cancelTx: ServerTransaction): void {
    const invite = this.txl.findServer(cancel, 'INVITE');
    const ctx = invite && this.contexts.get(invite);
    if (!invite) {
      const answered = this.txl.recentlyAnswered(cancel, 'INVITE');
      this.respond(cancelTx, createResponse(cancel, answered ? 200 : 481, undefined, cancelTx.toTag));
      return;
    }
    this.respond(cancelTx, createResponse(cancel, 200, 'OK', cancelTx.toTag));
    if (ctx) ctx.cancel();
    else if (!invite.finished) this.respond(invite, createResponse(invite.request, 487, undefined, invite.toTag));
  }

  private async process(req: SipMessage, src: InboundMessage, tx: ServerTransaction): Promise<void> {
    try {
      const screened = this.screen(req, src, tx.toTag);
      // Awaited only when a policy had to wait: most requests stay on the synchronous path.
      const verdict = screened instanceof Promise ? await screened : screened;
      if (verdict === 'drop') {
        tx.discard();
        return;
      }
      if (tx.finished) return;
      const local = verdict ?? this.register(req, src, tx.toTag);
      if (local) {
        this.respond(tx, local);
        return;
      }
      const found = this.usableTargets(req, tx.toTag);
      const targets = found instanceof Promise ? await found : found;
      // A CANCEL (answered 487) may have come while a lookup was awaited: then the request goes nowhere.
      if (tx.finished) return;
      if (!Array.isArray(targets)) {
        this.respond(tx, targets);
        return;
      }
      if (this.settings.redirect && !req.toTag) {
        this.respond(tx, await this.redirect(req, targets, tx.toTag));
        return;
      }
      if (targets[0].forwarded && !this.settings.recursive) {
        this.respond(tx, this.redirectTo(req, targets[0], tx.toTag)); // SC-05: forwarded unconditionally, by the caller
        return;
      }
      // A call forwarded already (unconditional, unavailable) is not forwarded again on busy or no answer.
      const planned = targets[0].forwarded ? undefined : this.forwardingPlan(req);
      const plan = planned instanceof Promise ? await planned : planned;
      if (tx.finished) return;
      const ctx = new ResponseContext(req, tx, targets, this, this.settings, plan);
      this.contexts.set(tx, ctx);
      ctx.start();
    } catch (e) {
      this.log.error(`request ${req.method} ${req.uri} from ${src.source.host}:${src.source.port} failed: ${(e as Error).message}`);
      this.respond(tx, createResponse(req, e instanceof SipParseError ? e.status : 500, undefined, tx.toTag));
    }
  }

  /**
   * What a request passes before it is served: OPTIONS to sipd answered, validation, Route pre-processing, then the
   * policies. Returns the response that ends it here, 'drop', or undefined when it goes on.
   */
  private screen(req: SipMessage, src: InboundMessage, toTag: string): SipMessage | 'drop' | undefined | Promise<SipMessage | 'drop' | undefined> {
    const uri = req.requestUri;
    if (req.method === 'OPTIONS' && !req.has('route') && uri.user === undefined && this.me.isLocalUri(uri)) {
      const res = createResponse(req, 200, 'OK', toTag);
      res.append('Allow', ALLOW);
      res.append('Accept', 'application/sdp');
      return res;
    }
    const rejection = validateRequest(req, this.me, this.settings.ignoreProxyRequire);
    if (rejection) {
      const res = createResponse(req, rejection.status, rejection.reason, toTag);
      for (const [n, v] of rejection.headers ?? []) res.append(n, v);
      return res;
    }
    preprocessRoutes(req, this.me);
    if (this.policies.length === 0) return undefined;
    const ctx: PolicyRequest = { req, source: src.source, tlsPeerCertificate: src.tlsPeerCertificate };
    const verdict = runPolicies(this.policies, ctx);
    return andThen(verdict, (v) => verdictResponse(req, v, toTag));
  }

  /** REGISTER for one of sipd's domains, answered by the registrar; undefined for everything else. */
  private register(req: SipMessage, src: InboundMessage, toTag: string): SipMessage | undefined {
    if (req.method === 'REGISTER' && !req.has('route') && this.me.isLocalDomain(req.requestUri)) {
      const to = req.to.uri;
      if (!this.settings.registry) return createResponse(req, 403, 'Registrar disabled (Cisco_Registry Off)', toTag);
      if (to.scheme === 'tel' || !this.me.isLocalDomain(to)) return createResponse(req, 403, 'Not a domain of this registrar', toTag);
      const res = this.registrar.handle(req, this.me.aorKey(to), src.source, toTag);
      if (this.log.isDebug('Registry')) this.log.debug('Registry', `REGISTER ${this.me.aorKey(to)} from ${src.source.host}:${src.source.port}: ${res.status} ${res.reason}`);
      return res;
    }
    return undefined;
  }

  /**
   * The target set (§16.5): the translation steps for a Request-URI, or the Request-URI itself when none gives
   * targets (next-hop routing then decides where it goes). A request with a Route header is not translated (PRX-2).
   */
  private targets(req: SipMessage): Target[] | Promise<Target[]> {
    if (req.has('route')) return [{ uri: req.uri }];
    // An ACK or CANCEL without a Route goes where its INVITE went (stateless mode): it is translated as that INVITE.
    const follows = req.method === 'ACK' || req.method === 'CANCEL';
    return this.retarget(req.uri, follows ? 'INVITE' : req.method, { uri: req.requestUri, inDialog: !follows && req.toTag !== undefined });
  }

  /**
   * Targets for a URI: translated when it names one of sipd's domains (also for 3xx contacts and forwarding). A call
   * forwarded to another of sipd's users is translated again, so it reaches that user's phones.
   */
  retarget(text: string, method: string, at: { uri?: SipUri; inDialog?: boolean; depth?: number } = {}): Target[] | Promise<Target[]> {
    const { uri = parseUri(text), inDialog = false, depth = 0 } = at;
    const local = this.me.isLocalDomain(uri);
    const facts = this.routing.nextHops.facts;
    // The number is worked out only if a step asks (ENUM, forwarding): a call to a registered user never needs it.
    const input = { uri, local, aor: local ? this.me.aorKey(uri) : '', method, inDialog, get number() { return local ? facts.numberOf(uri) : undefined; } };
    const found = translate(this.routing.translation, input);
    const settle = (targets: Target[]): Target[] | Promise<Target[]> => {
      if (targets.length === 0) return [{ uri: text }];
      if (depth >= MAX_LOCAL_DIVERSIONS) return targets;
      // A nonrecursive proxy answers a forwarding with a 302 naming the target as configured, not its phones.
      if (!this.settings.recursive || !targets.some((t) => t.forwarded)) return targets;
      const parts = targets.map((t) => {
        if (!t.forwarded || !this.me.isLocalDomain(parseUri(t.uri))) return [t];
        const keep = (more: Target[]) => more.map((m) => ({ ...m, forwarded: true, diversions: [...(t.diversions ?? []), ...(m.diversions ?? [])] }));
        const more = this.retarget(t.uri, method, { inDialog, depth: depth + 1 });
        return andThen(more, keep);
      });
      return parts.some((p) => p instanceof Promise) ? Promise.all(parts).then((p) => p.flat()) : (parts as Target[][]).flat();
    };
    return andThen(found, settle);
  }

  /** Forwarding on busy, no answer or unavailable for a new call to one of sipd's users. */
  private forwardingPlan(req: SipMessage): ForwardingPlan | undefined | Promise<ForwardingPlan | undefined> {
    const forwarding = this.routing.forwarding;
    const uri = req.requestUri;
    if (!forwarding?.anyAfterRinging || req.method !== 'INVITE' || req.toTag !== undefined || req.has('route') || !this.me.isLocalDomain(uri)) return undefined;
    return forwarding.plan(uri, this.me.aorKey(uri));
  }

  /** The 302 of a nonrecursive proxy that forwards a call (CF-10): the target as Contact, and its Diversion. */
  redirectTo(req: SipMessage, target: Target, toTag: string): SipMessage {
    const res = createResponse(req, 302, 'Moved Temporarily', toTag);
    res.append('Contact', `<${target.uri}>`);
    for (const d of [...(target.diversions ?? [])].reverse()) res.append(d.header, d.value);
    return res;
  }

  /** A 3xx from a sender not trusted has its topmost Diversion checked against the Request-URI (R5, D-13). */
  checkRedirect(ctx: ResponseContext, res: SipMessage, from: Destination): void {
    const ids = this.identities;
    if (!ids?.privacy.active) return;
    ids.privacy.checkRedirect(res, ctx.request.requestUri, ids.trustedSender(from.host));
  }

  after(ms: number, fn: () => void): TimerHandle {
    return this.txl.clock.after(ms, fn);
  }

  /**
   * The targets a request may go to, or the response when there are none: 480 when a sips request has only
   * contacts it could not reach over TLS (RFC 3261 §26.2.2; AllowSipTlsConversionToSip).
   */
  private usableTargets(req: SipMessage, toTag: string): MaybePromise<Target[] | SipMessage> {
    return andThen(this.targets(req), (all) => this.secureTargets(req, all, toTag));
  }

  private secureTargets(req: SipMessage, all: Target[], toTag: string): Target[] | SipMessage {
    if (req.requestUri.scheme !== 'sips' || this.settings.sipsToSip) return all;
    const secure = all.filter(reachedOverTls);
    return secure.length > 0 ? secure : createResponse(req, 480, 'Temporarily Unavailable (no contact reachable over TLS for a sips request)', toTag);
  }

  /**
   * The 302 of a redirect server (SPEC D-10): every target as a Contact with its q-value; a number of ours that only
   * a route knows is redirected to the route's next hop. The status instead when no target is left (404, 403).
   */
  private async redirect(req: SipMessage, targets: Target[], toTag: string): Promise<SipMessage> {
    const res = createResponse(req, 302, 'Moved Temporarily', toTag);
    const listed = new Set<string>();
    let refusal = 404;
    for (const t of targets) {
      const uri = parseUri(t.uri);
      const plan = t.via ? undefined : this.routing.nextHops.plan(uri, undefined);
      if (typeof plan === 'number') {
        refusal = Math.min(refusal, plan);
        continue;
      }
      for (const entry of plan ?? [undefined]) {
        let contact = entry?.requestUri ?? t.uri;
        if (this.settings.resolveLocalContactsInRedirect) {
          const dest = t.via ?? (entry && (await this.firstHop([entry]))?.dest);
          if (dest) contact = formatUri({ ...parseUri(contact), host: dest.host.includes(':') ? `[${dest.host}]` : dest.host, port: dest.port });
        }
        if (listed.has(contact)) continue; // several routes of one next hop name one contact
        listed.add(contact);
        res.append('Contact', `<${contact}>${t.q === undefined ? '' : `;q=${t.q}`}`);
      }
    }
    return res.has('contact') ? res : createResponse(req, refusal, undefined, toTag);
  }

  // --- Forwarder (used by ResponseContext) ---

  /**
   * Forwards to one target under a new client transaction. A registered contact is one hop; a target routed or
   * resolved by DNS may have several, and the branch fails over to the next one after a 503, a timeout or a
   * transport error (RFC 3263 §4.3, SPEC RTE-4).
   */
  async forward(ctx: ResponseContext, target: Target): Promise<Forwarded | number> {
    const req = ctx.request;
    const msg = this.outgoing(req, target);
    const timerC = req.method === 'INVITE' ? this.timerC(req) : 0;
    const send = (m: SipMessage, hop: Hop) => this.txl.createClient(this.stamp(m, req, hop, statefulBranch(loopHash(req))), hop.dest, ctx, timerC);
    const start = (m: SipMessage, hop: Hop): ClientTransaction | Promise<ClientTransaction> => {
      const protecting = this.protectIdentities(m, hop.dest);
      return andThen(protecting, () => send(m, hop));
    };
    if (!msg.has('route') && target.via) return { tx: await start(msg, { dest: target.via }) };
    const plan = this.plan(msg);
    if (typeof plan === 'number') return plan;
    const size = msg.byteLengthEstimate() + 200;
    const immediate = this.routing.nextHops.immediateHop(plan, size);
    if (immediate) return { tx: await start(msg, immediate) };
    const hops = this.routing.nextHops.hops(plan, size);
    const first = await hops.next();
    if (first.done) {
      this.log.warn(`no address to send ${req.method} for ${target.uri} to`);
      return 503;
    }
    const failover = async (wanted: () => boolean): Promise<ClientTransaction | undefined> => {
      const next = await hops.next();
      return next.done || !wanted() ? undefined : start(msg.clone(), next.value);
    };
    return { tx: await start(msg.clone(), first.value), failover };
  }

  cancel(branch: ClientTransaction): void {
    const inv = branch.request;
    const c = new SipMessage();
    c.method = 'CANCEL';
    c.uri = inv.uri;
    c.headers = [inv.headers.find((h) => h.key === 'via')!];
    for (const h of inv.headers) if (h.key === 'route' || h.key === 'from' || h.key === 'to' || h.key === 'call-id') c.headers.push(h);
    c.append('CSeq', `${inv.cseq.seq} CANCEL`);
    c.append('Max-Forwards', '70');
    this.txl.createClient(c, branch.dest, IGNORE_OUTCOME);
  }

  respond(tx: ServerTransaction, res: SipMessage): void {
    if (res.status >= 200 && !tx.finished) {
      this.contexts.delete(tx); // a CANCEL from now on finds nothing left to cancel
      const req = tx.request;
      this.log.access({ method: req.method, uri: req.uri, source: `${tx.replyTo.transport}:${tx.replyTo.host}:${tx.replyTo.port}`, status: res.status, durationMs: this.txl.clock.now() - tx.createdAt, callId: req.callId, userAgent: req.get('user-agent') });
    }
    this.observeResponse?.(res);
    tx.respond(res);
  }

  // --- Building and sending a forwarded request (§16.6) ---

  /** The copy of a request for one target: its Request-URI, Max-Forwards and the target's route set. */
  private outgoing(req: SipMessage, target: Target): SipMessage {
    const msg = req.clone();
    msg.setRequestUri(target.uri);
    const mf = req.maxForwards;
    msg.set('Max-Forwards', String(mf === undefined ? 70 : mf - 1));
    if (target.route) for (let i = target.route.length - 1; i >= 0; i--) msg.prepend('Route', target.route[i]);
    if (target.redirectedBy !== undefined) carryDiversions(target.redirectedBy, msg);
    for (const d of target.diversions ?? []) addDiversion(msg, d.header, d.value);
    return msg;
  }

  /** Next-hop routing of a copy whose Route set is final (a strict route is turned around here, §16.6 step 6). */
  private plan(msg: SipMessage, random?: () => number): ReturnType<NextHopRouter['plan']> {
    const topRoute = msg.has('route') ? parseUri(nextHopUri(msg)) : undefined;
    return this.routing.nextHops.plan(msg.requestUri, topRoute, random);
  }

  private async firstHop(plan: readonly HopPlanEntry[], size = 0, random?: () => number): Promise<Hop | undefined> {
    const first = await this.routing.nextHops.hops(plan, size, random).next();
    return first.done ? undefined : first.value;
  }

  /** Privacy toward one next hop (R4, R6, R7): what an untrusted hop may not see is taken out of the copy. */
  private protectIdentities(msg: SipMessage, dest: Destination): void | Promise<void> {
    const ids = this.identities;
    if (!ids?.privacy.active || msg.method !== 'INVITE') return;
    const trusted = ids.trustedNextHop(dest.host);
    if (trusted instanceof Promise) return trusted.then((t) => ids.privacy.prepareOutgoing(msg, t));
    ids.privacy.prepareOutgoing(msg, trusted);
  }

  /** The last touches for one hop: its Request-URI (a number route's), Record-Route and sipd's Via. */
  private stamp(msg: SipMessage, req: SipMessage, hop: Hop, branch: string): SipMessage {
    if (hop.requestUri !== undefined) msg.setRequestUri(hop.requestUri);
    const dest = hop.dest;
    if (this.settings.recordRoute && !this.settings.redirect && DIALOG_CREATING.has(msg.method) && !msg.toTag) this.recordRoute(msg, req, dest);
    msg.prepend('Via', `SIP/2.0/${dest.transport.toUpperCase()} ${this.me.viaSentBy(dest)};branch=${branch};rport`);
    if (this.log.isDebug('Routing')) this.log.debug('Routing', `${msg.method} ${req.uri} -> ${msg.uri} via ${dest.transport}:${dest.host}:${dest.port}`);
    return msg;
  }

  /**
   * Record-Route toward the callee; when the caller's side uses another transport or address family, a second
   * entry for that side goes below it (double record-routing, RFC 5658), so each side reaches sipd its own way.
   */
  private recordRoute(msg: SipMessage, req: SipMessage, dest: Destination): void {
    const withTransport = this.settings.transportInRecordRoute;
    const via = req.topVia;
    const from: Endpoint = { transport: via.transport.toLowerCase() as TransportName, host: via.params.get('received') ?? via.host, port: 0 };
    const secure = req.requestUri.scheme === 'sips';
    const outward = this.me.recordRoute(dest, withTransport, secure);
    const inward = this.me.recordRoute(from, withTransport, secure);
    if (inward !== outward) msg.prepend('Record-Route', inward);
    msg.prepend('Record-Route', outward);
  }

  private timerC(req: SipMessage): number {
    const expires = req.get('expires');
    if (expires !== undefined && /^\d+$/.test(expires) && Number(expires) > 0) return Math.min(Number(expires) * 1000, this.settings.maxT3);
    return this.settings.t3;
  }

  // --- Stateless operation ---

  private stateless(req: SipMessage, src: InboundMessage): void {
    if (req.method === 'ACK' || req.method === 'CANCEL') {
      this.forwardStateless(req, src);
      return;
    }
    void (async () => {
      const reply = (res: SipMessage) => this.txl.sender.send(res.toBuffer(), replyDestination(req, src));
      let toTag = 'sl';
      try {
        toTag = statelessToTag(req);
        const screened = this.screen(req, src, toTag);
        const verdict = screened instanceof Promise ? await screened : screened;
        if (verdict === 'drop') return;
        const local = verdict ?? this.register(req, src, toTag);
        if (local) return reply(local);
        const found = this.usableTargets(req, toTag);
        const targets = found instanceof Promise ? await found : found;
        if (!Array.isArray(targets)) return reply(targets);
        if (this.settings.redirect && !req.toTag) return reply(await this.redirect(req, targets, toTag));
        const refused = await this.sendStateless(req, targets[0]);
        if (refused !== undefined) reply(createResponse(req, refused, undefined, toTag));
      } catch (e) {
        this.log.error(`request ${req.method} ${req.uri} failed: ${(e as Error).message}`);
        try {
          reply(createResponse(req, 500, undefined, toTag));
        } catch {
          // Not even the headers of a response could be read from it.
        }
      }
    })();
  }

  /** ACK for 2xx, and everything in stateless mode: forwarded without a transaction. */
  private forwardStateless(req: SipMessage, src: InboundMessage): void {
    void (async () => {
      try {
        if (validateRequest(req, this.me, this.settings.ignoreProxyRequire)) return; // an ACK or CANCEL gets no error response
        // In stateless mode the ACK for a response sipd made itself ends here: its To tag is the one sipd chose.
        if (req.method === 'ACK' && !this.settings.stateful && req.toTag === statelessToTag(req)) return;
        preprocessRoutes(req, this.me);
        const [target] = await this.targets(req);
        await this.sendStateless(req, target);
      } catch (e) {
        this.log.warn(`dropping ${req.method} from ${src.source.host}:${src.source.port}: ${(e as Error).message}`);
      }
    })();
  }

  /**
   * Stateless forwarding has no branch to fail over with: the first hop only. Returns the status of a request that
   * cannot go anywhere (404 no route, 403 a blocking one, 503 no address).
   */
  private async sendStateless(req: SipMessage, target: Target): Promise<number | undefined> {
    // An ACK (of a non-2xx) or a CANCEL must carry its INVITE's branch: hash it as the INVITE, without the To tag.
    const hash = loopHash(req, req.method === 'ACK' || req.method === 'CANCEL');
    const branch = statelessBranch(hash, req);
    const msg = this.outgoing(req, target);
    let hop: Hop | undefined = !msg.has('route') && target.via ? { dest: target.via } : undefined;
    if (!hop) {
      // Seeded by the request as its INVITE reads: a retransmission, the ACK and the CANCEL take the INVITE's route.
      const random = seededRandom(Number.parseInt(hash.slice(0, 6), 36));
      const plan = this.plan(msg, random);
      if (typeof plan === 'number') return plan;
      const size = msg.byteLengthEstimate() + 200;
      hop = this.routing.nextHops.immediateHop(plan, size) ?? (await this.firstHop(plan, size, random));
      if (!hop) {
        this.log.warn(`no address to send ${req.method} for ${target.uri} to`);
        return 503;
      }
    }
    await this.protectIdentities(msg, hop.dest);
    this.txl.sender.send(this.stamp(msg, req, hop, branch).toBuffer(), hop.dest);
    return undefined;
  }

  private forwardResponseStateless(res: SipMessage): void {
    const vias = res.vias;
    if (vias.length < 2 || !this.me.isLocal(vias[0].host, vias[0].port)) return; // not ours to forward
    res.removeFirst('via');
    const next = res.topVia;
    const rport = next.params.get('rport');
    const transport = next.transport.toLowerCase() as TransportName;
    const host = bareHost(next.params.get('maddr') ?? next.params.get('received') ?? next.host);
    this.txl.sender.send(res.toBuffer(), { transport, host, port: rport ? Number(rport) : next.port ?? defaultPort(transport) });
  }
}

function verdictResponse(req: SipMessage, verdict: PolicyVerdict, toTag: string): SipMessage | 'drop' | undefined {
  if (verdict === undefined || verdict === 'drop') return verdict;
  const res = createResponse(req, verdict.status, verdict.reason, toTag);
  for (const [n, v] of verdict.headers ?? []) res.append(n, v);
  return res;
}

/** §18.2.1 and RFC 3581: note where the request really came from in its top Via. */
function markReceived(req: SipMessage, src: InboundMessage): void {
  const via = req.topVia;
  const rportAsked = via.params.has('rport');
  if (bareHost(via.host) === src.source.host && !rportAsked) return;
  via.params.set('received', src.source.host);
  if (rportAsked) via.params.set('rport', String(src.source.port));
  req.removeFirst('via');
  req.prepend('Via', formatVia(via));
}

/** Where responses to a request go (§18.2.2, RFC 3581): the connection it came on, or received/rport. */
export function replyDestination(req: SipMessage, src: InboundMessage): Destination {
  const via = req.topVia;
  if (src.source.transport !== 'udp') {
    // The connection the request came on; should it have closed, the sent-by port of the Via (§18.2.2).
    return { transport: src.source.transport, host: src.source.host, port: via.port ?? defaultPort(src.source.transport), connectionId: src.connectionId };
  }
  const maddr = via.params.get('maddr');
  if (maddr) return { transport: 'udp', host: bareHost(maddr), port: via.port ?? 5060 };
  const port = via.params.has('rport') ? src.source.port : via.port ?? 5060;
  return { transport: 'udp', host: src.source.host, port };
}

/** The To tag of responses sipd sends without a transaction: the same for a retransmission and for its ACK. */
function statelessToTag(req: SipMessage): string {
  return `sl${loopHash(req, true)}`;
}

function reachedOverTls(t: Target): boolean {
  if (t.via) return t.via.transport === 'tls';
  const uri = parseUri(t.uri);
  return uri.scheme === 'sips' || uri.params.get('transport')?.toLowerCase() === 'tls';
}
