// Client transactions, RFC 3261 §17.1 with the RFC 6026 "Accepted" state, plus the proxy's Timer C (§16.6 step 11).
import { SipMessage } from '../sip';
import { Clock, TimerHandle } from './clock';
import { TimerConfig, transactionTimeout } from './timers';
import { Destination, Sender, isReliable } from './types';

export type ClientState = 'Calling' | 'Trying' | 'Proceeding' | 'Completed' | 'Accepted' | 'Terminated';

export interface ClientEvents {
  /** A response for the transaction user: provisional, final, and 2xx retransmissions while Accepted. */
  onResponse(tx: ClientTransaction, res: SipMessage): void;
  /** Timer B or F fired, or Timer C after a provisional response: the caller treats it as 408. */
  onTimeout(tx: ClientTransaction, timer: 'B' | 'F' | 'C'): void;
  /** The transport could not send the request: treated as 503 (§8.1.3.1). */
  onTransportError(tx: ClientTransaction, err: Error): void;
}

export class ClientTransaction {
  state: ClientState;
  /** Highest status seen so far (0 before any response). */
  lastStatus = 0;
  private retransmit?: TimerHandle;
  private timeout?: TimerHandle;
  private timerC?: TimerHandle;
  private interval: number;
  private sends = 0;
  /** Timer C fired: from then on `timeout` is the wait for the CANCELed branch's 487, which provisionals must not stop. */
  private timerCFired = false;
  /** The request as sent, kept while it may be retransmitted. */
  private bytes?: Buffer;
  /** The request, until the final response (then only the ACK for a non-2xx is still needed). */
  private req?: SipMessage;
  private ackBytes?: Buffer;
  readonly isInvite: boolean;

  constructor(
    readonly key: string,
    request: SipMessage,
    readonly dest: Destination,
    private readonly sender: Sender,
    private readonly clock: Clock,
    private readonly timers: TimerConfig,
    private readonly events: ClientEvents,
    private readonly onTerminated: (tx: ClientTransaction) => void,
    /** Timer C duration for INVITE; 0 disables it. */
    private readonly timerCMs = 0,
  ) {
    this.req = request;
    this.isInvite = request.method === 'INVITE';
    this.state = this.isInvite ? 'Calling' : 'Trying';
    this.interval = timers.t1;
    this.bytes = request.toBuffer();
  }

  get request(): SipMessage {
    if (!this.req) throw new Error(`the request of transaction ${this.key} was released with its final response`);
    return this.req;
  }

  start(): void {
    this.transmit();
    if (!isReliable(this.dest)) this.scheduleRetransmit();
    this.timeout = this.clock.after(transactionTimeout(this.timers), () => this.fire(this.isInvite ? 'B' : 'F'));
    if (this.isInvite && this.timerCMs > 0) this.restartTimerC();
  }

  onResponse(res: SipMessage): void {
    const status = res.status;
    switch (this.state) {
      case 'Calling':
      case 'Trying':
      case 'Proceeding':
        if (status < 200) {
          const wasCalling = this.state === 'Calling';
          this.state = 'Proceeding';
          this.lastStatus = Math.max(this.lastStatus, status);
          if (this.isInvite) {
            // No more INVITE retransmissions and no Timer B once anything came back; Timer C takes over.
            this.retransmit?.cancel();
            this.bytes = undefined;
            if (!this.timerCFired) this.timeout?.cancel();
            else if (wasCalling) this.awaitCanceled(); // the CANCEL goes out now: give its 487 the full wait
            if (status > 100 && this.timerCMs > 0) this.restartTimerC();
          }
          this.events.onResponse(this, res);
          return;
        }
        this.lastStatus = status;
        this.retransmit?.cancel();
        this.bytes = undefined;
        this.timeout?.cancel();
        this.timerC?.cancel();
        if (this.isInvite && status < 300) {
          this.state = 'Accepted';
          this.timeout = this.clock.after(transactionTimeout(this.timers), () => this.terminate()); // Timer M
        } else if (this.isInvite) {
          this.state = 'Completed';
          this.ackBytes = this.buildAck(res);
          this.sendAck();
          this.finishAfter(isReliable(this.dest) ? 0 : this.timers.timerD);
        } else {
          this.state = 'Completed';
          this.finishAfter(isReliable(this.dest) ? 0 : this.timers.t4); // Timer K
        }
        this.req = undefined;
        this.events.onResponse(this, res);
        return;
      case 'Accepted':
        if (status >= 200 && status < 300) this.events.onResponse(this, res);
        return;
      case 'Completed':
        if (this.isInvite && status >= 300) this.sendAck();
        return;
      case 'Terminated':
        return;
    }
  }

  terminate(): void {
    if (this.state === 'Terminated') return;
    this.state = 'Terminated';
    this.retransmit?.cancel();
    this.timeout?.cancel();
    this.timerC?.cancel();
    this.onTerminated(this);
  }

  /** The ACK for a non-2xx final response is part of the INVITE transaction (§17.1.1.3). */
  private buildAck(res: SipMessage): Buffer {
    const req = this.request;
    const ack = new SipMessage();
    ack.method = 'ACK';
    ack.uri = req.uri;
    const keep = new Set(['call-id', 'from', 'route', 'max-forwards']);
    ack.headers = [req.headers.find((h) => h.key === 'via')!];
    for (const h of req.headers) if (keep.has(h.key)) ack.headers.push(h);
    const to = res.headers.find((h) => h.key === 'to');
    if (to) ack.headers.push(to);
    ack.append('CSeq', `${req.cseq.seq} ACK`);
    return ack.toBuffer();
  }

  private sendAck(): void {
    if (this.ackBytes) this.sender.send(this.ackBytes, this.dest);
  }

  private transmit(): void {
    this.sends++;
    if (!this.bytes) return;
    this.sender.send(this.bytes, this.dest, (err) => {
      if (this.state === 'Terminated' || this.lastStatus >= 200) return;
      this.events.onTransportError(this, err);
      this.terminate();
    });
  }

  // Timers A and E: resend with doubling intervals (E capped at T2), within the configured retransmission count.
  private scheduleRetransmit(): void {
    const limit = this.isInvite ? this.timers.maxInviteRetx : this.timers.maxNonInviteRetx;
    if (this.sends > limit) return;
    const interval = this.state === 'Proceeding' && !this.isInvite ? this.timers.t2 : this.interval;
    this.retransmit = this.clock.after(interval, () => {
      if (this.state !== 'Calling' && this.state !== 'Trying' && this.state !== 'Proceeding') return;
      if (this.isInvite && this.state === 'Proceeding') return;
      this.transmit();
      this.interval = this.isInvite ? this.interval * 2 : Math.min(this.interval * 2, this.timers.t2);
      this.scheduleRetransmit();
    });
  }

  private restartTimerC(): void {
    this.timerC?.cancel();
    this.timerC = this.clock.after(this.timerCMs, () => this.fire('C'));
  }

  private fire(timer: 'B' | 'F' | 'C'): void {
    if (this.state === 'Terminated' || this.state === 'Completed' || this.state === 'Accepted') return;
    this.events.onTimeout(this, timer);
    if (timer !== 'C') {
      this.terminate();
      return;
    }
    this.timerCFired = true;
    // After Timer C the proxy CANCELs the branch; give the 487 one transaction timeout to arrive.
    // Still Calling: no CANCEL can go yet and Timer B keeps running until a provisional comes.
    if (this.state === 'Proceeding') this.awaitCanceled();
  }

  private awaitCanceled(): void {
    this.timeout?.cancel();
    this.timeout = this.clock.after(transactionTimeout(this.timers), () => this.fire('B'));
  }

  private finishAfter(ms: number): void {
    if (ms === 0) this.terminate();
    else this.timeout = this.clock.after(ms, () => this.terminate());
  }
}
