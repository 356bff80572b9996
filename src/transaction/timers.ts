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


/** Timer B, F, H, J, L, M: 64*T1. */
export function transactionTimeout(t: TimerConfig): number {
  return 64 * t.t1;
}
