// In-memory devices and policy contexts for the phone-policy tests.
import type { SipMessage } from '../sip';
import type { PolicyRequest } from '../policy/types';
import type { TransportName } from '../transport';
import type { Device, DeviceDirectory, DeviceLine } from '../subscribers/types';
import type { PhoneLines } from './lines';

export const DOMAIN = 'example.com';

/** A device with CUCM's default lines (max 2 calls, busy trigger 2) unless told otherwise. */
export function device(o: Partial<Device> & { name: string; numbers?: string[] }): Device {
  const lines: DeviceLine[] = o.lines ?? (o.numbers ?? ['1000']).map((number) => ({ number, maxCalls: 2, busyTrigger: 2 }));
  return {
    name: o.name,
    type: o.type ?? 'basic',
    digestUser: o.digestUser ?? o.name.toLowerCase(),
    lines,
    trusted: o.trusted ?? false,
    securityProfile: o.securityProfile ?? 'non-secure',
    digestMode: o.digestMode ?? 'identify',
  };
}

export function memoryDevices(devices: Device[]): DeviceDirectory {
  return {
    byDigestUser: (user) => devices.find((d) => d.digestUser === user),
    byLine: (number) => devices.find((d) => d.lines.some((l) => l.number === number)),
  };
}

export function phoneLines(devices: Device[]): PhoneLines {
  return { devices: memoryDevices(devices), isLocalUri: (uri) => uri.host === DOMAIN };
}

/** A request as the policy chain sees it; `by` is the authenticated device, if any. */
export function policyContext(req: SipMessage, o: { by?: Device; user?: string; transport?: TransportName } = {}): PolicyRequest {
  const user = o.by?.digestUser ?? o.user;
  return {
    req,
    source: { transport: o.transport ?? 'udp', host: '192.0.2.10', port: 5060 },
    identity: user === undefined ? undefined : { user, domain: DOMAIN, device: o.by },
  };
}
