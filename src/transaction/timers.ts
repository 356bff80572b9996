// RFC 3261 §17 timer values, from the SipT*InMs and Max*RetxCount directives.

export interface TimerConfig {
  t1: number;
  t2: number;
  /** RFC T4 (5 s): how long a non-INVITE transaction absorbs retransmissions (Timers I and K). */
  t4: number;
  /** Timer D: how long an INVITE client transaction stays after a non-2xx final response, SipT4InMs. */
  timerD: number;
  /** Wait for a final response after a provisional one on an INVITE (Timer C), SipT3InMs. */
  t3: number;
  /** Cap on Timer C when the INVITE's Expires asks for longer, SipMaxT3InMs. */
  maxT3: number;
  maxInviteRetx: number;
  maxNonInviteRetx: number;
}

export const DEFAULT_TIMERS: TimerConfig = { t1: 500, t2: 4000, t4: 5000, timerD: 32000, t3: 60000, maxT3: 180000, maxInviteRetx: 6, maxNonInviteRetx: 10 };

/** Timer B, F, H, J, L, M: 64*T1. */
export function transactionTimeout(t: TimerConfig): number {
  return 64 * t.t1;
}
