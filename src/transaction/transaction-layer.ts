// Transaction tables and matching (RFC 3261 §17.1.3, §17.2.3, with the RFC 2543 fallback).
import { MAGIC_COOKIE, SipMessage, detached, newTag } from '../sip';
import { Clock } from './clock';
import { ClientEvents, ClientTransaction } from './client-transaction';
import { ServerHooks, ServerTransaction } from './server-transaction';
import { TimerConfig, transactionTimeout } from './timers';
import { Destination, Sender } from './types';

export class TransactionLayer {
  private readonly servers = new Map<string, ServerTransaction>();
  private readonly clients = new Map<string, ClientTransaction>();
  /**
   * Keys of answered server transactions still absorbing retransmissions, with the response to repeat, if any,
   * as a latin1 string: thousands linger for 64*T1, and a string costs less than a Buffer object each.
   */
  private readonly retired = new Map<string, string | null>();
  /** Retired keys in the order they expire (all linger the same 64*T1), swept as new ones arrive. */
  private retiredOrder: { key: string; until: number }[] = [];
  private retiredHead = 0;
  /** A sweep is due on the clock: an idle server lets its retired records go too. */
  private sweepPending = false;

  /** Shared by every server transaction without an own termination callback: no closures per transaction. */
  private readonly serverHooks: ServerHooks = {
    terminated: (t) => this.dropServer(t),
    retire: (t, repeat) => this.retire(t, repeat),
  };
  private readonly dropClient = (t: ClientTransaction): void => {
    if (this.clients.get(t.key) === t) this.clients.delete(t.key);
  };

  constructor(readonly sender: Sender, readonly clock: Clock, public timers: TimerConfig) {}

  get serverCount(): number {
    return this.servers.size;
  }

  /** How many server transactions are in each state (for `sipd status`). */
  serverStates(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const tx of this.servers.values()) out[`${tx.method}:${tx.state}`] = (out[`${tx.method}:${tx.state}`] ?? 0) + 1;
    return out;
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Answered server transactions still remembered to absorb retransmissions (RFC 6026, 64×T1). */
  get retiredCount(): number {
    return this.retired.size;
  }

  /** The server transaction a request belongs to; an ACK finds its INVITE's. */
  findServer(req: SipMessage, method = req.method === 'ACK' ? 'INVITE' : req.method): ServerTransaction | undefined {
    return this.servers.get(serverKey(req, method));
  }

  /** True when the INVITE a CANCEL names was answered with a 2xx a moment ago (its transaction is retired). */
  recentlyAnswered(req: SipMessage, method: string): boolean {
    this.sweepRetired();
    return this.retired.has(serverKey(req, method));
  }

  /**
   * A request that belongs to a transaction sipd already has: the transaction repeats its last response,
   * or a retired one its final response, or the retransmission is absorbed. False for a new request.
   */
  absorbRetransmission(req: SipMessage, replyTo: Destination): boolean {
    const key = serverKey(req, req.method);
    const tx = this.servers.get(key);
    if (tx) {
      tx.onRetransmission();
      return true;
    }
    this.sweepRetired();
    const repeat = this.retired.get(key);
    if (repeat === undefined) return false;
    if (repeat) this.sender.send(Buffer.from(repeat, 'latin1'), replyTo);
    return true;
  }

  createServer(req: SipMessage, replyTo: Destination, onTerminated?: (tx: ServerTransaction) => void): ServerTransaction {
    const key = serverKey(req, req.method);
    const hooks: ServerHooks = onTerminated
      ? { terminated: (t) => { this.dropServer(t); onTerminated(t); }, retire: this.serverHooks.retire }
      : this.serverHooks;
    const tx = new ServerTransaction(key, req, replyTo, this.sender, this.clock, this.timers, hooks, newTag());
    this.servers.set(key, tx);
    return tx;
  }

  private dropServer(tx: ServerTransaction): void {
    if (this.servers.get(tx.key) === tx) this.servers.delete(tx.key);
  }

  private retire(tx: ServerTransaction, repeat: Buffer | undefined): void {
    if (this.servers.get(tx.key) === tx) this.servers.delete(tx.key);
    this.sweepRetired();
    // The key is made of Via parts that would keep the whole request text alive while it lingers.
    const key = detached(tx.key);
    const linger = transactionTimeout(this.timers);
    this.retired.set(key, repeat ? repeat.toString('latin1') : null);
    this.retiredOrder.push({ key, until: this.clock.now() + linger });
    this.scheduleSweep(linger);
  }

  /**
   * Sweeps again every `linger` while retired records remain, so those of a burst go when it ends, not when the
   * next request comes (each sweep takes the ones that expired; the rest wait at most one more period).
   */
  private scheduleSweep(linger: number): void {
    if (this.sweepPending) return;
    this.sweepPending = true;
    this.clock.after(linger, () => {
      this.sweepPending = false;
      this.sweepRetired();
      if (this.retiredHead < this.retiredOrder.length) this.scheduleSweep(linger);
    });
  }

  private sweepRetired(): void {
    const now = this.clock.now();
    const order = this.retiredOrder;
    while (this.retiredHead < order.length && order[this.retiredHead].until <= now) this.retired.delete(order[this.retiredHead++].key);
    if (this.retiredHead === order.length) {
      this.retiredOrder = [];
      this.retiredHead = 0;
    } else if (this.retiredHead > 1024 && this.retiredHead * 2 > order.length) {
      this.retiredOrder = order.slice(this.retiredHead);
      this.retiredHead = 0;
    }
  }

  /** Sends `req` (which already carries sipd's Via with a unique branch) under a new client transaction. */
  createClient(req: SipMessage, dest: Destination, events: ClientEvents, timerCMs = 0): ClientTransaction {
    const key = clientKey(req.topVia.params.get('branch') ?? '', req.method);
    const tx = new ClientTransaction(key, req, dest, this.sender, this.clock, this.timers, events, this.dropClient, timerCMs);
    this.clients.set(key, tx);
    tx.start();
    return tx;
  }

  /** The client transaction a response belongs to, by the branch of its top Via and its CSeq method. */
  matchResponse(res: SipMessage): ClientTransaction | undefined {
    const branch = res.topVia.params.get('branch');
    if (!branch) return undefined;
    return this.clients.get(clientKey(branch, res.cseq.method));
  }
}

function clientKey(branch: string, method: string): string {
  return `${branch}|${method}`;
}

function serverKey(req: SipMessage, method: string): string {
  const via = req.topVia;
  const branch = via.params.get('branch');
  const sentBy = `${via.host}:${via.port ?? ''}`;
  if (branch && branch.startsWith(MAGIC_COOKIE)) return `${branch}|${sentBy}|${method}`;
  // RFC 2543 peers: no unique branch, so match on the request's identifying fields.
  return `2543|${req.uri}|${req.fromTag ?? ''}|${req.callId}|${req.cseq.seq}|${sentBy}|${branch ?? ''}|${method}`;
}
