// Third-party phone rules (SPEC 32): line counts per type (CUCM-9) and per-line call limits (CUCM-12).
import { ProvisioningError } from './errors';
import { checkUser } from './syntax';
import type { DeviceLine, DeviceType, DigestMode, SecurityProfile } from './types';

export const DEVICE_TYPES: readonly DeviceType[] = ['basic', 'advanced'];
export const SECURITY_PROFILES: readonly SecurityProfile[] = ['non-secure', 'authenticated', 'encrypted'];
export const DIGEST_MODES: readonly DigestMode[] = ['identify', 'verify'];

interface TypeLimits {
  maxLines: number;
  /** Calls at once over all lines of the device. */
  maxCallsPerDevice: number;
}

export const DEVICE_LIMITS: Readonly<Record<DeviceType, TypeLimits>> = {
  basic: { maxLines: 1, maxCallsPerDevice: 2 },
  advanced: { maxLines: 8, maxCallsPerDevice: 16 },
};

/** CUCM-12 defaults for a line when the operator gives only its number (the same for both types). */
export const DEFAULT_MAX_CALLS = 2;
export const DEFAULT_BUSY_TRIGGER = 2;

/** A line as written by the operator; missing limits take the defaults. */
export interface LineSpec {
  number: string;
  maxCalls?: number;
  busyTrigger?: number;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function checkDeviceName(name: string): string {
  if (!NAME.test(name)) {
    throw new ProvisioningError(`invalid device name "${name}": 1 to 64 letters, digits and ._- starting with a letter or digit`);
  }
  return name;
}

function oneOf<T extends string>(allowed: readonly T[], what: string, text: string): T {
  const t = text.trim().toLowerCase();
  const found = allowed.find((a) => a === t);
  if (!found) throw new ProvisioningError(`${what} must be ${allowed.join(', ')}; got "${text}"`);
  return found;
}

export const parseDeviceType = (text: string): DeviceType => oneOf(DEVICE_TYPES, 'device type', text);
export const parseSecurityProfile = (text: string): SecurityProfile => oneOf(SECURITY_PROFILES, 'security profile', text);
export const parseDigestMode = (text: string): DigestMode => oneOf(DIGEST_MODES, 'digest mode', text);

function positiveInt(text: string, what: string): number {
  if (!/^[0-9]+$/.test(text) || Number(text) < 1) throw new ProvisioningError(`${what} must be a whole number of at least 1, got "${text}"`);
  return Number(text);
}

/** `NUMBER[:MAXCALLS[:BUSYTRIGGER]]` */
export function parseLineSpec(text: string): LineSpec {
  const parts = text.trim().split(':');
  if (parts.length > 3) throw new ProvisioningError(`invalid line "${text}": expected NUMBER[:MAXCALLS[:BUSYTRIGGER]]`);
  const number = checkLineNumber(parts[0]);
  const maxCalls = parts[1] === undefined ? undefined : positiveInt(parts[1], `max calls of line ${number}`);
  const busyTrigger = parts[2] === undefined ? undefined : positiveInt(parts[2], `busy trigger of line ${number}`);
  return { number, maxCalls, busyTrigger };
}

/** Lines of the CSV field: `1001:2:2;1002:2:2`. */
export function parseLineList(text: string): LineSpec[] {
  const items = text.split(';').map((s) => s.trim());
  if (items.some((s) => s === '')) throw new ProvisioningError(`invalid lines "${text}": expected NUMBER[:MAXCALLS[:BUSYTRIGGER]] separated by ;`);
  return items.map(parseLineSpec);
}

export function formatLineList(lines: readonly DeviceLine[]): string {
  return lines.map((l) => `${l.number}:${l.maxCalls}:${l.busyTrigger}`).join(';');
}

/** A directory number is a user part without the ; and , that separate lines in the CSV field. */
function checkLineNumber(number: string): string {
  checkUser(number, 'line number');
  if (/[;,]/.test(number)) throw new ProvisioningError(`invalid line number "${number}": ; and , are not allowed`);
  return number;
}

/** Applies the defaults and checks the per-type rules; returns the lines in the order given. */
export function resolveLines(type: DeviceType, specs: readonly LineSpec[]): DeviceLine[] {
  const limits = DEVICE_LIMITS[type];
  if (specs.length === 0) throw new ProvisioningError('a device needs at least one line');
  if (specs.length > limits.maxLines) {
    throw new ProvisioningError(
      type === 'basic' ? `a basic device has exactly 1 line, got ${specs.length}` : `an advanced device has at most ${limits.maxLines} lines, got ${specs.length}`,
    );
  }
  const seen = new Set<string>();
  const lines = specs.map((s): DeviceLine => {
    const number = checkLineNumber(s.number);
    if (seen.has(number)) throw new ProvisioningError(`line ${number} is listed twice`);
    seen.add(number);
    const maxCalls = s.maxCalls ?? DEFAULT_MAX_CALLS;
    const busyTrigger = s.busyTrigger ?? Math.min(DEFAULT_BUSY_TRIGGER, maxCalls);
    if (!Number.isInteger(maxCalls) || maxCalls < 1) throw new ProvisioningError(`line ${number}: max calls must be a whole number of at least 1`);
    if (!Number.isInteger(busyTrigger) || busyTrigger < 1) throw new ProvisioningError(`line ${number}: busy trigger must be a whole number of at least 1`);
    if (busyTrigger > maxCalls) throw new ProvisioningError(`line ${number}: busy trigger ${busyTrigger} is above its max calls ${maxCalls}`);
    return { number, maxCalls, busyTrigger };
  });
  const total = lines.reduce((sum, l) => sum + l.maxCalls, 0);
  if (total > limits.maxCallsPerDevice) {
    throw new ProvisioningError(`the lines allow ${total} calls in all; a ${type} device allows at most ${limits.maxCallsPerDevice}`);
  }
  return lines;
}
