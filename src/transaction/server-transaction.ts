// Server transactions, RFC 3261 §17.2 with the RFC 6026 "Accepted" state for INVITE 2xx.
import { SipMessage } from '../sip';
import { Clock, TimerHandle } from './clock';
import { TimerConfig, transactionTimeout } from './timers';
import { Destination, Sender, isReliable } from './types';

export type ServerState = 'Trying' | 'Proceeding' | 'Completed' | 'Confirmed' | 'Accepted' | 'Terminated';

export interface ServerHooks {
  terminated(tx: ServerTransaction): void;
  /**
   * The transaction has its final answer; only absorbing retransmissions is left (Timer J, Timer L). The layer does
   * that with a small record, repeating `repeat` if given, so the transaction object itself need not be kept.
   */
  retire(tx: ServerTransaction, repeat: Buffer | undefined): void;
}

export class ServerTransaction {
  state: ServerState;
  readonly method: string;
  /** The request, until the final response: a finished transaction only absorbs retransmissions. */
  private req?: SipMessage;
  private lastBytes?: Buffer;
  private retransmit?: TimerHandle;
  private timeout?: TimerHandle;
  private interval: number;
  /** The To tag of sipd's own responses, shared by all of them. */
  readonly toTag: string;
  readonly createdAt: number;

  constructor(
    readonly key: string,
    request: SipMessage,
    /** Where responses go (RFC 3261 §18.2.2, RFC 3581). */
    readonly replyTo: Destination,
    private readonly sender: Sender,
    private readonly clock: Clock,
    private readonly timers: TimerConfig,
    private readonly hooks: ServerHooks,
    toTag: string,
  ) {
    this.req = request;
    this.method = request.method;
    this.isInvite = request.method === 'INVITE';
    this.state = this.isInvite ? 'Proceeding' : 'Trying';
    this.interval = timers.t1;
    this.toTag = toTag;
    this.createdAt = clock.now();
  }

  readonly isInvite: boolean;

  get request(): SipMessage {
    if (!this.req) throw new Error(`the ${this.method} of transaction ${this.key} was released with its final response`);
    return this.req;
  }

  get finished(): boolean {
    return this.state !== 'Trying' && this.state !== 'Proceeding';
  }

  /** The request arrived again: answer with the last response (§17.2.1, §17.2.2). */
  onRetransmission(): void {
    if (this.lastBytes && this.state !== 'Accepted') this.sender.send(this.lastBytes, this.replyTo);
  }

  /** ACK for a non-2xx final response. */
  onAck(): void {
    if (this.state !== 'Completed' || !this.isInvite) return;
    this.state = 'Confirmed';
    this.retransmit?.cancel();
    this.timeout?.cancel();
    this.finishAfter(isReliable(this.replyTo) ? 0 : this.timers.t4);
  }

  respond(res: SipMessage): void {
    if (this.state === 'Terminated' || (this.finished && !(this.state === 'Accepted' && res.status < 300 && res.status >= 200))) return;
    const bytes = res.toBuffer();
    this.sender.send(bytes, this.replyTo);
    this.lastBytes = bytes;
    if (res.status < 200) {
      if (this.state === 'Trying') this.state = 'Proceeding';
      return;
    }
    this.req = undefined;
    if (this.isInvite && res.status < 300) {
      // RFC 6026 Accepted: further 2xx of other branches still go out through this object; the ACK is end to end.
      if (this.state !== 'Accepted') {
        this.state = 'Accepted';
        this.lastBytes = undefined; // an INVITE retransmission is absorbed, never answered, once a 2xx went out
        this.hooks.retire(this, undefined);
      }
    } else if (this.isInvite) {
      this.state = 'Completed';
      if (!isReliable(this.replyTo)) this.scheduleRetransmit();
      this.timeout = this.clock.after(transactionTimeout(this.timers), () => this.terminate()); // Timer H: the ACK never came
    } else {
      this.state = 'Completed';
      if (!isReliable(this.replyTo)) this.hooks.retire(this, bytes); // Timer J: the layer repeats the final answer
      this.terminate();
    }
  }

  /** Ends the transaction without an answer; retransmissions of the request are absorbed silently for a while. */
  discard(): void {
    if (this.finished) return;
    this.req = undefined;
    this.state = 'Completed';
    this.hooks.retire(this, undefined);
    this.terminate();
  }

  terminate(): void {
    if (this.state === 'Terminated') return;
    this.state = 'Terminated';
    this.retransmit?.cancel();
    this.timeout?.cancel();
    this.hooks.terminated(this);
  }

  // Timer G: resend a non-2xx final response until the ACK arrives.
  private scheduleRetransmit(): void {
    this.retransmit = this.clock.after(this.interval, () => {
      if (this.state !== 'Completed' || !this.lastBytes) return;
      this.sender.send(this.lastBytes, this.replyTo);
      this.interval = Math.min(this.interval * 2, this.timers.t2);
      this.scheduleRetransmit();
    });
  }

  private finishAfter(ms: number): void {
    this.timeout?.cancel();
    if (ms === 0) this.terminate();
    else this.timeout = this.clock.after(ms, () => this.terminate());
  }
}
