// The INVITE dialogs that pass through sipd when it record-routes, so that calls can be counted per line
// (busy trigger and maximum calls of third-party phones) without asking the phones.
//
// One entry per INVITE transaction, keyed by Call-ID and the caller's From tag. It is early from the moment the
// INVITE is forwarded, confirmed by the first 2xx, and gone after a non-2xx final answer (487 after a CANCEL
// included) or once a BYE was answered on every confirmed leg. A forked INVITE may be answered by several 2xx
// with different To tags: each becomes a leg of the same entry, and the entry still counts as one call until
// the caller has hung up (or BYEd away) every leg, since one INVITE is one call attempt by the caller.
//
// Entries never closed (a lost BYE, a phone that vanished) are removed by a safety timeout: a short one while
// early, a long one once confirmed. Each state has one fixed duration, so each state's Map, in insertion order,
// is also in expiry order: one sweep timer removes from the front what is due, with no timer per dialog.
import { SipMessage, SipParseError, detached, type CSeq } from '../sip';
import { systemClock, type Clock, type TimerHandle } from '../transaction/clock';

export interface DialogTableSettings {
  /** An INVITE with no final answer by then is forgotten: at least the longest Timer C (SipMaxT3InMs) plus 32 s. */
  earlyTimeoutMs: number;
  /** A confirmed call with no BYE seen by then is forgotten; an in-dialog re-INVITE starts the period again. */
  confirmedTimeoutMs: number;
  /** How often due entries are removed: a timeout fires at most this late. */
  sweepIntervalMs: number;
}

export const DEFAULT_DIALOG_SETTINGS: Readonly<DialogTableSettings> = {
  earlyTimeoutMs: 5 * 60_000,
  confirmedTimeoutMs: 12 * 3600_000,
  sweepIntervalMs: 10_000,
};

interface Dialog {
  /** Call-ID and caller tag: the key in `early` or `confirmed`. */
  readonly key: string;
  /** CSeq number of the INVITE: responses to re-INVITEs in the dialog carry another one and change nothing. */
  readonly inviteSeq: number;
  readonly callee: LineCalls | undefined;
  readonly caller: LineCalls | undefined;
  /** To tags of the callee sides that answered 2xx; empty while early. Replaced, never changed in place. */
  legs: readonly string[];
  expiresAt: number;
}

/** The calls of one line; shared by its dialogs, so the line's number is stored once. */
interface LineCalls {
  readonly line: string;
  calls: number;
}

export interface DialogTableStats {
  early: number;
  confirmed: number;
  /** Dialogs removed by the safety timeout since start: each one is a call whose end sipd never saw. */
  expired: number;
}

export class DialogTable {
  private readonly early = new Map<string, Dialog>();
  private readonly confirmed = new Map<string, Dialog>();
  /** Early and confirmed dialogs per line; a line with none has no entry. */
  private readonly lines = new Map<string, LineCalls>();
  private sweepTimer?: TimerHandle;
  private expiredCount = 0;

  /** `settings` may be replaced on graceful; new values apply to dialogs created or refreshed afterwards. */
  constructor(
    public settings: DialogTableSettings = DEFAULT_DIALOG_SETTINGS,
    private readonly clock: Clock = systemClock,
  ) {}

  /**
   * An INVITE was forwarded. An initial INVITE (no To tag) opens an early dialog counted on `calleeLine` and
   * `callerLine` (either may be undefined: not a line whose calls are counted). A retransmission or a spiral of
   * the same INVITE (same Call-ID and From tag) is not counted again. An INVITE inside a confirmed dialog
   * (re-INVITE, session refresh) only restarts that dialog's safety timeout.
   */
  onInviteForwarded(invite: SipMessage, calleeLine: string | undefined, callerLine: string | undefined): void {
    const id = identify(invite);
    if (!id) return;
    if (id.toTag !== undefined) {
      const found = this.findConfirmed(id.callId, id.fromTag, id.toTag);
      if (found) this.place(this.confirmed, found.dialog, this.settings.confirmedTimeoutMs);
      return;
    }
    const key = dialogKey(id.callId, id.fromTag);
    if (this.early.has(key) || this.confirmed.has(key)) return;
    const dialog: Dialog = { key: detached(key), inviteSeq: id.cseq.seq, callee: this.join(calleeLine), caller: this.join(callerLine), legs: NO_LEGS, expiresAt: 0 };
    this.place(this.early, dialog, this.settings.earlyTimeoutMs);
  }

  /**
   * A response on its way upstream (any method, any status; only the final answers to the dialog's INVITE and
   * to BYEs matter). A 2xx to the INVITE confirms the dialog (one more leg for each new To tag); a non-2xx
   * final answer to it ends an early dialog. Any final answer to a BYE ends that leg: the UA that sent the BYE
   * considers the call over whatever the answer (RFC 3261 §15.1.1), and so does sipd.
   */
  onResponse(res: SipMessage): void {
    if (res.status < 200) return;
    const id = identify(res);
    if (!id) return;
    if (id.cseq.method === 'INVITE') this.inviteAnswered(res.status, id);
    else if (id.cseq.method === 'BYE' && id.toTag !== undefined) this.byeAnswered(id.callId, id.fromTag, id.toTag);
  }

  /** Calls on this line now, ringing or answered, in either direction. */
  activeCalls(line: string): number {
    return this.lines.get(line)?.calls ?? 0;
  }

  stats(): DialogTableStats {
    return { early: this.early.size, confirmed: this.confirmed.size, expired: this.expiredCount };
  }

  /** Stops the sweep timer (the table keeps its entries); the next dialog added starts it again. */
  close(): void {
    this.sweepTimer?.cancel();
    this.sweepTimer = undefined;
  }

  private inviteAnswered(status: number, id: MessageIds): void {
    const key = dialogKey(id.callId, id.fromTag);
    const early = this.early.get(key);
    const dialog = early ?? this.confirmed.get(key);
    if (!dialog || dialog.inviteSeq !== id.cseq.seq) return;
    if (status >= 300) {
      // After a 2xx the call is up: a late non-2xx of another branch ends nothing.
      if (early) this.end(this.early, early);
      return;
    }
    const leg = id.toTag ?? '';
    if (early) {
      this.early.delete(key);
      this.place(this.confirmed, early, this.settings.confirmedTimeoutMs);
    }
    if (!dialog.legs.includes(leg)) dialog.legs = dialog.legs.concat(detached(leg));
  }

  private byeAnswered(callId: string, fromTag: string, toTag: string): void {
    const found = this.findConfirmed(callId, fromTag, toTag);
    if (!found) return;
    const { dialog, leg } = found;
    if (!dialog.legs.includes(leg)) return;
    dialog.legs = dialog.legs.filter((l) => l !== leg);
    if (dialog.legs.length === 0) this.end(this.confirmed, dialog);
  }

  /** The confirmed dialog of an in-dialog message sent by either side, and the callee leg it belongs to. */
  private findConfirmed(callId: string, fromTag: string, toTag: string): { dialog: Dialog; leg: string } | undefined {
    const fromCaller = this.confirmed.get(dialogKey(callId, fromTag));
    if (fromCaller) return { dialog: fromCaller, leg: toTag };
    const fromCallee = this.confirmed.get(dialogKey(callId, toTag));
    if (fromCallee) return { dialog: fromCallee, leg: fromTag };
    return undefined;
  }

  /** (Re)inserts at the end of `map`, which keeps the map in expiry order. */
  private place(map: Map<string, Dialog>, dialog: Dialog, timeoutMs: number): void {
    map.delete(dialog.key);
    dialog.expiresAt = this.clock.now() + timeoutMs;
    map.set(dialog.key, dialog);
    this.sweepTimer ??= this.clock.after(this.settings.sweepIntervalMs, () => this.sweep());
  }

  private end(map: Map<string, Dialog>, dialog: Dialog): void {
    map.delete(dialog.key);
    this.leave(dialog.callee);
    this.leave(dialog.caller);
  }

  /** One more call on `line`. */
  private join(line: string | undefined): LineCalls | undefined {
    if (line === undefined) return undefined;
    let entry = this.lines.get(line);
    if (!entry) {
      entry = { line: detached(line), calls: 0 };
      this.lines.set(entry.line, entry);
    }
    entry.calls++;
    return entry;
  }

  private leave(entry: LineCalls | undefined): void {
    if (entry && --entry.calls === 0) this.lines.delete(entry.line);
  }

  private sweep(): void {
    this.sweepTimer = undefined;
    const now = this.clock.now();
    for (const map of [this.early, this.confirmed]) {
      for (const dialog of map.values()) {
        if (dialog.expiresAt > now) break;
        this.end(map, dialog);
        this.expiredCount++;
      }
    }
    if (this.early.size > 0 || this.confirmed.size > 0) this.sweepTimer = this.clock.after(this.settings.sweepIntervalMs, () => this.sweep());
  }
}

/** The legs of every early dialog: none, and no array allocated for it. */
const NO_LEGS: readonly string[] = [];

interface MessageIds {
  callId: string;
  fromTag: string;
  toTag: string | undefined;
  cseq: CSeq;
}

/** What identifies a message's dialog and transaction; undefined when a header is missing or malformed. */
function identify(msg: SipMessage): MessageIds | undefined {
  const callId = msg.get('call-id');
  if (callId === undefined) return undefined;
  try {
    // A peer without From tags (RFC 2543) still gets one dialog per Call-ID.
    return { callId, fromTag: msg.fromTag ?? '', toTag: msg.toTag, cseq: msg.cseq };
  } catch (e) {
    if (e instanceof SipParseError) return undefined;
    throw e;
  }
}


function dialogKey(callId: string, callerTag: string): string {
  return `${callId}\n${callerTag}`;
}
