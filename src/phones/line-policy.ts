// Third-party phone rules for requests from a device (seeds 001, 002, 000; SPEC CUCM-6, ASIP-4, D-11): the
// security profile's transport and media demands, and REGISTER only for the device's own lines.
import { SipMessage, SipParseError } from '../sip';
import type { PolicyVerdict, RequestPolicy } from '../policy/types';
import type { Device } from '../subscribers/types';
import { plainRtpStreams } from './sdp';

/**
 * Runs after authentication, which sets ctx.identity.device when the digest user owns a device; requests
 * from anyone else pass (authentication decides about them). ACK and CANCEL are never answered.
 */
export const linePolicy: RequestPolicy = (ctx) => {
  const device = ctx.identity?.device;
  const req = ctx.req;
  if (!device || req.method === 'ACK' || req.method === 'CANCEL') return undefined;
  // authenticated and encrypted profiles: signalling over TLS only (third-party phones may use TLS, D-11).
  if (device.securityProfile !== 'non-secure' && ctx.source.transport !== 'tls') {
    return { status: 403, reason: `Forbidden (TLS required for device ${device.name})` };
  }
  if (req.method === 'REGISTER') return checkRegisteredLine(req, device);
  if (device.securityProfile === 'encrypted' && req.method === 'INVITE' && carriesSdp(req) && plainRtpStreams(req.body.toString('utf8')).length > 0) {
    return { status: 488, reason: 'Not Acceptable Here (SRTP required)' };
  }
  return undefined;
};

/** CUCM-6: the directory number being registered (the To user) must be a line of the device. */
function checkRegisteredLine(req: SipMessage, device: Device): PolicyVerdict {
  const line = registeredLine(req);
  if (line !== undefined && device.lines.some((l) => l.number === line)) return undefined;
  return { status: 403, reason: `Forbidden (line ${line ?? '(none)'} is not on device ${device.name})` };
}

function registeredLine(req: SipMessage): string | undefined {
  try {
    return req.to.uri.user;
  } catch (e) {
    if (e instanceof SipParseError) return undefined; // a To of a scheme sipd does not read names no line
    throw e;
  }
}

function carriesSdp(req: SipMessage): boolean {
  const type = req.get('content-type');
  return req.body.length > 0 && type !== undefined && type.split(';')[0].trim().toLowerCase() === 'application/sdp';
}
