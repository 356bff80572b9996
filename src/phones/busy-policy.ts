// Busy lines of third-party phones (SPEC CUCM-12): a new call to a device line gets 486 when the line already
// has its busy trigger of calls, or when the whole device is at its maximum.
//
// What counts is the dialog table's activeCalls: every call through sipd on that line, ringing or answered,
// incoming or outgoing (CUCM counts the calls on a directory number whichever way they go), one per INVITE
// even when a forked INVITE was answered twice. Calls that do not pass through sipd (record-routing off,
// phone to phone) are not seen.
import type { RequestPolicy } from '../policy/types';
import type { DialogTable } from '../dialog';
import { DEVICE_MAX_CALLS, PhoneLines, lineOf } from './lines';

const BUSY = { status: 486, reason: 'Busy Here' } as const;

/**
 * For initial INVITEs to a device line. The line is busy at min(busyTrigger, maxCalls) calls (the busy trigger
 * is normally the lower; an upgraded device may keep a maximum below it), the device at DEVICE_MAX_CALLS of
 * its type summed over its lines. Put it last among the request policies: the call it lets through is entered
 * in the dialog table only when the INVITE is forwarded, so nothing asynchronous should come in between.
 */
export function busyPolicy(dialogs: Pick<DialogTable, 'activeCalls'>, phones: PhoneLines): RequestPolicy {
  return (ctx) => {
    const req = ctx.req;
    if (req.method !== 'INVITE' || req.toTag !== undefined) return undefined;
    const called = lineOf(req.requestUri, phones);
    if (!called) return undefined;
    const { device, line } = called;
    if (dialogs.activeCalls(line.number) >= Math.min(line.busyTrigger, line.maxCalls)) return BUSY;
    let deviceCalls = 0;
    for (const l of device.lines) deviceCalls += dialogs.activeCalls(l.number);
    return deviceCalls >= DEVICE_MAX_CALLS[device.type] ? BUSY : undefined;
  };
}
