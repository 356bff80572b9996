// Reading single directive values and describing what each value type expects.
import { isIP } from 'node:net';
import type { ScalarDefault, ValueType } from './schema-types';

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = (reason: string): Parsed<never> => ({ ok: false, reason });

export function hex(n: number, digits: number): string {
  return '0x' + n.toString(16).toUpperCase().padStart(digits, '0');
}

function hexDigits(max: number): number {
  return max > 0xff ? 8 : 2;
}

/** What a value of this type looks like, e.g. "an integer from 1 to 6". */
export function describeType(type: ValueType): string {
  switch (type.kind) {
    case 'flag': return 'On or Off';
    case 'integer': return `an integer from ${type.min} to ${type.max}${type.unit ? ` (${type.unit})` : ''}`;
    case 'hex': return `a hex value from ${hex(type.min, hexDigits(type.max))} to ${hex(type.max, hexDigits(type.max))}`;
    case 'enum': return type.values.length === 1 ? type.values[0] : `one of ${type.values.join(', ')}`;
    case 'string': return 'a string';
    case 'ip': return 'an IPv4 or IPv6 address';
    case 'path': return 'a path';
    case 'logTarget': return 'a path or "|program args"';
    case 'words': return `a list of words${type.max ? ` (at most ${type.max})` : ''}`;
    case 'listen': return 'a port or IP:port ([IPv6]:port)';
    case 'debugFlag': return 'a flag name and On or Off';
    case 'logFormat': return 'a format string and a nickname';
    case 'customLog': return 'a path or "|program args", and a format nickname or string';
    case 'access': return '"from" or "to" and one or more hosts';
    case 'numExp': return 'a pattern and its expansion';
    case 'gatekeeper': return 'a host and a port';
    case 'techPrefix': return 'a pattern, a prefix ending in # and INCLUDE or STRIP';
    case 'rpmsServer': return `a host, a port and a secret (at most ${type.max} lines)`;
    case 'mysqlField': return 'a column name';
    case 'vphField': return 'a string';
  }
}

/** A default as it reads in the file. */
export function formatDefault(type: ValueType, value: ScalarDefault): string {
  if (type.kind === 'flag') return value ? 'On' : 'Off';
  if (type.kind === 'hex' && typeof value === 'number') return hex(value, hexDigits(type.max));
  return String(value);
}

/** Reads a single-word value of a scalar type; `name` is used in the error text. */
export function parseScalar(name: string, type: ValueType, raw: string): Parsed<ScalarDefault> {
  const expected = () => fail(`${name} must be ${describeType(type)}, got "${raw}"`);
  switch (type.kind) {
    case 'flag': {
      const v = raw.toLowerCase();
      return v === 'on' ? ok(true) : v === 'off' ? ok(false) : expected();
    }
    case 'integer': {
      if (!/^-?\d+$/.test(raw)) return expected();
      const n = Number(raw);
      return n >= type.min && n <= type.max ? ok(n) : expected();
    }
    case 'hex': {
      if (!/^0x[0-9a-f]+$/i.test(raw)) return expected();
      const n = parseInt(raw.slice(2), 16);
      return n >= type.min && n <= type.max ? ok(n) : expected();
    }
    case 'enum': {
      const found = type.values.find((v) => v.toLowerCase() === raw.toLowerCase());
      return found === undefined ? expected() : ok(found);
    }
    case 'ip':
      return isIP(raw) ? ok(raw) : expected();
    case 'string':
    case 'path':
    case 'logTarget':
    case 'mysqlField':
    case 'vphField':
      return raw === '' ? expected() : ok(raw);
    default:
      throw new Error(`${name}: ${type.kind} is not a single-word type`);
  }
}

export function parsePort(raw: string): number | undefined {
  if (!/^\d+$/.test(raw)) return undefined;
  const n = Number(raw);
  return n >= 1 && n <= 65535 ? n : undefined;
}
