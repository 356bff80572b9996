// The response context of a stateful proxy (RFC 3261 §16.7): branches, best response, CANCEL, recursion on 3xx.
import { andThen } from '../maybe-async';
import { SipMessage, createResponse, parseNameAddr, formatUri } from '../sip';
import type { ForwardingPlan } from '../forwarding';
import type { ClientEvents, ClientTransaction, ServerTransaction, TimerHandle } from '../transaction';
import { Target, groupByQ } from './target';

/** A request sent toward one target. */
export interface Forwarded {
  tx: ClientTransaction;
  /**
   * Sends to the target's next hop after this one failed (503, timeout, transport error); undefined when none is
   * left, or when `wanted` says no once the next hop's address is known (the call was answered or CANCELed meanwhile).
   */
  failover?: (wanted: () => boolean) => Promise<ClientTransaction | undefined>;
}

export interface Forwarder {
  /** Forwards the request to one target under a new client transaction; resolves to it, or to a failure status. */
  forward(ctx: ResponseContext, target: Target): Promise<Forwarded | number>;
  /** The targets a URI stands for (a 3xx Contact of one of sipd's users goes through the registry again). */
  retarget(uri: string, method: string): Target[] | Promise<Target[]>;
  cancel(branch: ClientTransaction): void;
  /** Sends a response upstream on the server transaction. */
  respond(tx: ServerTransaction, res: SipMessage): void;
  /** The 302 of a nonrecursive proxy that diverts a call (CF-10): the target as Contact, with its Diversion. */
  redirectTo(req: SipMessage, target: Target, toTag: string): SipMessage;
  /** Privacy's check of a 3xx before sipd acts on it (R5). */
  checkRedirect(ctx: ResponseContext, res: SipMessage, from: ClientTransaction['dest']): void;
  after(ms: number, fn: () => void): TimerHandle;
}

export interface ContextSettings {
  maxForks: number;
  recursive: boolean;
  forward503: boolean;
}

interface Branch {
  tx: ClientTransaction;
  failover?: Forwarded['failover'];
  final: number;
  provisional: boolean;
  /** A provisional above 100 came: the phone rings (no answer, not unavailable). */
  ringing: boolean;
  cancelWanted: boolean;
  cancelSent: boolean;
  /** A branch of the call before it was forwarded: its answer no longer counts (a 2xx still goes upstream). */
  superseded: boolean;
}

/** The response context is the events sink of its branches' client transactions. */
export class ResponseContext implements ClientEvents {
  private readonly branches: Branch[] = [];
  private readonly groups: Target[][];
  private readonly tried = new Set<string>();
  private best?: SipMessage;
  private challenges: SipMessage[] = [];
  private starting = 0;
  private answered = false;
  /** A 6xx ended the search: nothing new is tried. */
  private ended = false;
  /** Call forwarding on busy, no answer or unavailable, until the call was diverted once. */
  private forwarding?: ForwardingPlan;
  /** The forwarding timers (no answer, unavailable); none for most calls. */
  private timers?: TimerHandle[];
  canceled = false;
  /** The request, until the context is done: released then, as retransmitted 2xx need only the server transaction. */
  private req?: SipMessage;

  constructor(
    request: SipMessage,
    readonly serverTx: ServerTransaction,
    targets: Target[],
    private readonly forwarder: Forwarder,
    private readonly settings: ContextSettings,
    forwarding?: ForwardingPlan,
  ) {
    this.req = request;
    this.groups = groupByQ(targets);
    this.forwarding = forwarding;
  }

  get request(): SipMessage {
    if (!this.req) throw new Error('the response context was already released');
    return this.req;
  }

  /** Still looking for an answer: not answered, not CANCELed, no 6xx. */
  private get searching(): boolean {
    return !this.answered && !this.canceled && !this.ended;
  }

  start(): void {
    if (this.forwarding) this.timers = this.forwardingTimers(this.forwarding);
    this.nextGroup();
  }

  private forwardingTimers(plan: ForwardingPlan): TimerHandle[] {
    const timers: TimerHandle[] = [];
    const { noAnswer, unavailable } = plan;
    if (noAnswer) {
      timers.push(this.forwarder.after(plan.noAnswerMs, () => {
        if (this.branches.some((b) => b.ringing)) this.divert(noAnswer);
      }));
    }
    if (unavailable) {
      // Unavailable: no phone said anything at all, not even 100 Trying, in CallForwardUnavailableTimer.
      timers.push(this.forwarder.after(plan.unavailableMs, () => {
        if (!this.branches.some((b) => b.provisional)) this.divert(unavailable);
      }));
    }
    return timers;
  }

  private stopTimers(): void {
    for (const t of this.timers ?? []) t.cancel();
    this.timers = undefined;
  }

  /** The caller CANCELed: cancel every pending branch; their 487s make the final answer. */
  cancel(): void {
    if (this.canceled) return;
    this.canceled = true;
    this.groups.length = 0;
    for (const b of this.branches) this.cancelBranch(b);
    this.maybeFinish();
  }

  onResponse(tx: ClientTransaction, res: SipMessage): void {
    res.removeFirst('via'); // sipd's own Via goes before the response travels upstream
    const status = res.status;
    const branch = this.branches.find((b) => b.tx === tx);
    if (!branch) {
      // A retransmitted 2xx after the context was released still goes upstream.
      if (this.answered && status >= 200 && status < 300) this.relay(res);
      return;
    }
    if (status < 200) {
      branch.provisional = true;
      if (status > 100) branch.ringing = true;
      if (branch.cancelWanted) this.sendCancel(branch);
      if (status > 100 && !this.answered) this.relay(res);
      return;
    }
    if (status < 300) {
      // Every 2xx goes upstream, retransmissions included (§16.7 step 5, RFC 6026).
      branch.final = status;
      this.answered = true;
      this.relay(res);
      this.groups.length = 0;
      for (const b of this.branches) if (b !== branch) this.cancelBranch(b);
      this.releaseWhenDone();
      return;
    }
    if (branch.final) return;
    branch.final = status;
    if (branch.superseded || (status === 503 && this.failOver(branch, res))) {
      this.maybeFinish();
      return;
    }
    if (status < 400) this.forwarder.checkRedirect(this, res, tx.dest);
    if (status < 400 && this.settings.recursive && this.searching && this.recurse(res)) {
      this.maybeFinish();
      return;
    }
    if (status >= 600) {
      this.ended = true;
      this.groups.length = 0;
      for (const b of this.branches) this.cancelBranch(b);
    }
    this.consider(res);
    this.maybeFinish();
  }

  /**
   * Timer B/F: the branch answered nothing (408). Timer C after a provisional: CANCEL it, its 487 follows;
   * Timer C before any provisional: no CANCEL may be sent (§9.1), so the branch ends at once as 408 (§16.8).
   */
  onTimeout(tx: ClientTransaction, timer: 'B' | 'F' | 'C'): void {
    const branch = this.branches.find((b) => b.tx === tx);
    if (!branch || branch.final) return;
    if (timer === 'C' && branch.provisional) {
      this.cancelBranch(branch);
      return;
    }
    if (timer === 'C') tx.terminate();
    this.fail(branch, 408);
  }

  onTransportError(tx: ClientTransaction): void {
    const branch = this.branches.find((b) => b.tx === tx);
    if (branch && !branch.final) this.fail(branch, 503);
  }

  /** A branch that ended without a response: a timeout (408) or a transport error (503). */
  private fail(branch: Branch, status: number): void {
    branch.final = status;
    const outcome = this.local(status);
    if (!branch.superseded && !this.failOver(branch, outcome)) this.consider(outcome);
    this.maybeFinish();
  }

  /**
   * Tries the branch's next hop after `outcome` (503, timeout, transport error) when it has one and the call is
   * still searching; `outcome` counts only when no hop is left. False when there is nothing to fail over to.
   */
  private failOver(branch: Branch, outcome: SipMessage): boolean {
    const failover = branch.failover;
    if (!failover || branch.cancelWanted || branch.superseded || !this.searching) return false;
    this.starting++;
    const settle = (tx: ClientTransaction | undefined) => {
      this.starting--;
      if (tx === undefined) {
        branch.failover = undefined;
        this.consider(outcome);
      } else {
        Object.assign(branch, { tx, final: 0, provisional: false, ringing: false, cancelSent: false });
        if (!this.searching) this.cancelBranch(branch);
      }
      this.maybeFinish();
    };
    failover(() => this.searching).then(settle, () => settle(undefined));
    return true;
  }

  private nextGroup(): void {
    const group = this.groups.shift();
    if (group) this.launch(group);
  }

  private launch(group: Target[]): void {
    const fresh = group.filter((t) => !this.tried.has(t.uri));
    // Targets beyond MaxForks wait for the next round (and are not marked tried until then).
    if (fresh.length > this.settings.maxForks) this.groups.unshift(fresh.splice(this.settings.maxForks));
    for (const t of fresh) this.tried.add(t.uri);
    if (fresh.length === 0) {
      this.maybeFinish();
      return;
    }
    for (const t of fresh) {
      this.starting++;
      this.forwarder.forward(this, t).then(
        (result) => {
          this.starting--;
          if (typeof result === 'number') this.consider(this.local(result));
          else {
            const branch: Branch = {
              tx: result.tx, failover: result.failover, final: 0, provisional: false, ringing: false, cancelWanted: false, cancelSent: false, superseded: false,
            };
            this.branches.push(branch);
            if (!this.searching) this.cancelBranch(branch);
          }
          this.maybeFinish();
        },
        () => {
          // A target that could not even be prepared (a malformed header met late) counts as a failed branch.
          this.starting--;
          this.consider(this.local(500));
          this.maybeFinish();
        },
      );
    }
  }

  /**
   * Call forwarding on busy, no answer or unavailable (SC-06..SC-11): the branches still pending are CANCELed and
   * the call goes to the target, by the proxy itself (Recursive On) or by the caller after a 302 (Off). Once.
   */
  private divert(target: Target): void {
    if (!this.forwarding || !this.searching) return;
    this.forwarding = undefined;
    this.stopTimers();
    if (!this.settings.recursive) {
      this.groups.length = 0;
      for (const b of this.branches) this.cancelBranch(b);
      this.answered = true;
      this.relay(this.forwarder.redirectTo(this.request, target, this.serverTx.toTag));
      this.releaseWhenDone();
      return;
    }
    this.starting++;
    const go = (targets: Target[]) => {
      this.starting--;
      const fresh = targets.filter((t) => !this.tried.has(t.uri));
      // Forwarding to where the call already went would only end it: then the first leg goes on as it is.
      if (this.searching && fresh.length > 0) {
        this.groups.length = 0;
        for (const b of this.branches) {
          this.cancelBranch(b);
          b.superseded = true;
        }
        // The answer is now the forwarded call's: what the first leg said no longer counts.
        this.best = undefined;
        this.challenges = [];
        this.launch(fresh);
      }
      this.maybeFinish();
    };
    const expanded = this.expand(target);
    if (expanded instanceof Promise) void expanded.then(go, () => go([]));
    else go(expanded);
  }

  /**
   * Recursion on a 3xx (§16.7 step 4): its contacts not tried yet become the next targets, each through
   * translation again (a contact of one of sipd's users reaches that user's registered phones). False when none.
   */
  private recurse(res: SipMessage): boolean {
    const contacts: Target[] = [];
    for (const value of res.getAll('contact')) {
      try {
        const na = parseNameAddr(value);
        const uri = formatUri(na.uri);
        if (this.tried.has(uri)) continue;
        const q = na.params.get('q');
        contacts.push({ uri, q: q ? Number(q) : undefined, redirectedBy: res });
      } catch {
        // An unusable contact is skipped; the others are still tried.
      }
    }
    // Each contact is tried once, and recursion stops at a bound so a chain of redirects cannot fork forever.
    contacts.splice(Math.max(0, MAX_TARGETS_PER_FORK_FACTOR * this.settings.maxForks - this.tried.size));
    if (contacts.length === 0) return false;
    this.starting++;
    const add = (expanded: Target[][]) => {
      this.starting--;
      if (this.searching) this.groups.push(...groupByQ(expanded.flat()));
      this.maybeFinish();
    };
    const expansions = contacts.map((c) => this.expand(c));
    if (expansions.some((e) => e instanceof Promise)) void Promise.all(expansions).then(add, () => add([]));
    else add(expansions as Target[][]);
    return true;
  }

  /** A contact's targets, with the contact's q-value and Diversion. */
  private expand(contact: Target): Target[] | Promise<Target[]> {
    const withQ = (targets: Target[]) =>
      targets.map((t) => (t.uri === contact.uri ? contact : { ...t, q: contact.q, forwarded: contact.forwarded, diversions: contact.diversions ?? t.diversions, redirectedBy: contact.redirectedBy }));
    const found = this.forwarder.retarget(contact.uri, this.request.method);
    return andThen(found, withQ);
  }

  private cancelBranch(b: Branch): void {
    if (b.final || b.cancelWanted) return;
    b.cancelWanted = true;
    // A CANCEL may only follow a provisional response (§9.1); otherwise it is sent when one arrives.
    if (b.provisional) this.sendCancel(b);
  }

  /** One CANCEL per branch, however many provisionals follow it. */
  private sendCancel(b: Branch): void {
    if (b.cancelSent) return;
    b.cancelSent = true;
    this.forwarder.cancel(b.tx);
  }

  /** Keeps the better of the current best and `res` (§16.7 step 6). */
  private consider(res: SipMessage): void {
    if (res.status === 401 || res.status === 407) this.challenges.push(res);
    if (!this.best || rank(res.status) < rank(this.best.status)) this.best = res;
  }

  private maybeFinish(): void {
    if (this.answered) {
      this.releaseWhenDone();
      return;
    }
    if (this.starting > 0) return;
    if (this.branches.some((b) => !b.final)) return;
    if (this.groups.length > 0 && !this.canceled) {
      this.nextGroup();
      return;
    }
    const busy = this.forwarding?.busy;
    if (busy && this.best?.status === 486 && !this.canceled) {
      this.divert(busy);
      return;
    }
    this.answered = true;
    let res = this.best ?? this.local(this.canceled ? 487 : 408);
    if (res.status === 503 && !this.settings.forward503) res = withStatus(res, 500, 'Server Internal Error');
    if (res.status === 401 || res.status === 407) res = mergeChallenges(res, this.challenges);
    this.relay(res);
    this.releaseWhenDone();
  }

  /**
   * Once answered with every branch final, the context only relays retransmitted 2xx (RFC 6026 Accepted state
   * of its branches, 32 s): drop what it held for choosing the answer so a finished call costs little memory.
   */
  private releaseWhenDone(): void {
    if (!this.answered || this.starting > 0 || this.branches.some((b) => !b.final)) return;
    this.stopTimers();
    this.forwarding = undefined;
    this.req = undefined;
    this.branches.length = 0;
    this.groups.length = 0;
    this.tried.clear();
    this.best = undefined;
    this.challenges = [];
  }

  /** A response sipd makes itself: with the server transaction's To tag, like every final it sends (§8.2.6.2). */
  private local(status: number): SipMessage {
    return createResponse(this.request, status, undefined, this.serverTx.toTag);
  }

  private relay(res: SipMessage): void {
    this.forwarder.respond(this.serverTx, res);
  }
}

/** How many targets one request may be forked to, in all, as a multiple of MaxForks (recursion included). */
const MAX_TARGETS_PER_FORK_FACTOR = 4;

// 6xx beat everything; then the lowest class; 5xx other than 503 before 503 (a lone 503 is rewritten anyway).
function rank(status: number): number {
  if (status >= 600) return 0;
  if (status === 503) return 590;
  if (status === 408) return 580; // a timeout says less than any real answer
  return status;
}

function withStatus(res: SipMessage, status: number, reason: string): SipMessage {
  const copy = res.clone();
  copy.status = status;
  copy.reason = reason;
  return copy;
}

/** All challenges of all branches go upstream in one response (§16.7 step 7). */
function mergeChallenges(best: SipMessage, all: SipMessage[]): SipMessage {
  if (all.length <= 1) return best;
  const copy = best.clone();
  for (const r of all) {
    if (r === best) continue;
    for (const name of ['WWW-Authenticate', 'Proxy-Authenticate']) for (const v of r.getAll(name)) copy.append(name, v);
  }
  return copy;
}
