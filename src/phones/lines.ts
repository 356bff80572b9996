// Which device lines a call occupies, and the per-device call limits of CUCM-12.
import { SipMessage, SipParseError, type SipUri } from '../sip';
import type { PolicyRequest } from '../policy/types';
import type { Device, DeviceDirectory, DeviceLine, DeviceType } from '../subscribers/types';

/** Maximum calls per device, CUCM 6.0 and later (CUCM-12): the sum over its lines may not go beyond it. */
export const DEVICE_MAX_CALLS: Readonly<Record<DeviceType, number>> = { basic: 2, advanced: 16 };

export interface PhoneLines {
  devices: DeviceDirectory;
  /** Whether a URI is in one of sipd's own domains: only users there can be device lines. */
  isLocalUri(uri: SipUri): boolean;
}

export interface LineOfDevice {
  device: Device;
  line: DeviceLine;
}

/** The device line a URI names (its user part, as written), if any. */
export function lineOf(uri: SipUri, phones: PhoneLines): LineOfDevice | undefined {
  if (uri.user === undefined || !phones.isLocalUri(uri)) return undefined;
  const device = phones.devices.byLine(uri.user);
  const line = device?.lines.find((l) => l.number === uri.user);
  return device && line ? { device, line } : undefined;
}

/**
 * The lines an initial INVITE occupies, as the dialog table wants them (DialogTable.onInviteForwarded):
 * the called line (Request-URI), and the calling line (From) when the caller may speak for it: the
 * authenticated device owns it, or, where nobody was authenticated, some device does. A From naming another
 * device's line than the authenticated one is not counted, so no one can make someone else's line busy.
 * The strings returned are the device records' own, never cut out of the message.
 */
export function callLines(ctx: PolicyRequest, phones: PhoneLines): { callee?: string; caller?: string } {
  const callee = lineOf(ctx.req.requestUri, phones)?.line.number;
  const from = fromUri(ctx.req);
  const calling = from && lineOf(from, phones);
  const own = ctx.identity ? calling?.device === ctx.identity.device : true;
  return { callee, caller: calling && own ? calling.line.number : undefined };
}

/** The From URI, or undefined when it is of a scheme sipd does not read. */
function fromUri(req: SipMessage): SipUri | undefined {
  try {
    return req.from.uri;
  } catch (e) {
    if (e instanceof SipParseError) return undefined;
    throw e;
  }
}
