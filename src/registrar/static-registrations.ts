/*
 * Static registrations seed file (sipd's own format, RegistryStaticFile; `sipd regroute import|export
 * --registry --format seed` reads and writes it too): bindings for endpoints that cannot register, such as
 * gateway FXS ports. The server holds the file's bindings in memory only and reads the file again on graceful.
 *
 *   # comment (a line whose first non-blank character is '#'); blank lines are ignored
 *   AOR CONTACT [q=VALUE] [expires=TIME]
 *   5000@gw.example.com  sip:5000@10.1.1.1:5060;user=phone
 *   5001@gw.example.com  sip:5001@10.1.1.1:5060;user=phone  q=0.5
 *   temp@example.com     sip:temp@192.0.2.9  expires=2026-12-31T23:00:00Z
 *
 * Fields are separated by blanks. AOR is user@host (the host is lowercased); CONTACT is a sip: or sips: URI
 * used as written; q is an RFC 3261 qvalue; expires an ISO 8601 time with a zone, after which the binding is
 * no longer used (without it the binding never expires). The contactKey of a static binding is the contact
 * lowercased. An (AOR, contact) pair may appear once.
 */
import { parseUri, SipParseError } from '../sip';
import type { Binding } from './location';

const QVALUE = /^(0(\.\d{0,3})?|1(\.0{0,3})?)$/;
const SIP_SCHEME = /^sips?:/i;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/i;

/** One line's binding, or why the line is wrong. */
export type StaticLine = { line: number; value: Binding } | { line: number; reason: string };

/** Parses the file's text; throws Error("file:line: reason") on the first bad line. */
export function parseStaticRegistrations(text: string, file: string): Binding[] {
  const bindings: Binding[] = [];
  for (const item of readStaticRegistrations(text)) {
    if ('reason' in item) throw new Error(`${file}:${item.line}: ${item.reason}`);
    bindings.push(item.value);
  }
  return bindings;
}

/** Every binding line of the text with its line number, and every bad line with its reason, in line order. */
export function readStaticRegistrations(text: string): StaticLine[] {
  const out: StaticLine[] = [];
  const firstLine = new Map<string, number>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    try {
      const b = parseLine(line);
      const seenAt = firstLine.get(`${b.aor} ${b.contactKey}`);
      if (seenAt !== undefined) throw new Error(`duplicate of line ${seenAt}`);
      firstLine.set(`${b.aor} ${b.contactKey}`, i + 1);
      out.push({ line: i + 1, value: b });
    } catch (err) {
      out.push({ line: i + 1, reason: (err as Error).message });
    }
  }
  return out;
}

/** The file's text for these bindings, one a line, readable again by readStaticRegistrations. */
export function formatStaticRegistrations(bindings: readonly Binding[]): string {
  const lines = ['# AOR CONTACT [q=VALUE] [expires=TIME]  (sipd static registrations)'];
  for (const b of bindings) {
    let line = `${b.aor} ${b.contact}`;
    if (b.q !== undefined) line += ` q=${b.q}`;
    if (b.expires !== Infinity) line += ` expires=${formatExpiryTime(b.expires)}`;
    lines.push(line);
  }
  return `${lines.join('\n')}\n`;
}

/** A static binding of `aor` (user@host, host lowercased by the caller) to a sip:/sips: contact. */
export function staticBinding(aor: string, contact: string, expires = Infinity, q?: number): Binding {
  const b: Binding = { aor, contact, contactKey: contact.toLowerCase(), expires, callId: '', cseq: 0, static: true };
  if (q !== undefined) b.q = q;
  return b;
}

/** An ISO 8601 time with a zone (2026-12-31T23:00:00Z) as epoch ms. */
export function parseExpiryTime(text: string): number {
  const ms = ISO_TIME.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(ms)) throw new Error(`bad expiry time "${text}" (expected an ISO 8601 time with a zone, e.g. 2026-12-31T23:00:00Z)`);
  return ms;
}

export function formatExpiryTime(ms: number): string {
  return new Date(ms).toISOString();
}

function parseLine(line: string): Binding {
  const [aorText, contact, ...options] = line.split(/\s+/);
  const at = aorText.indexOf('@');
  if (at <= 0 || at === aorText.length - 1) throw new Error(`AOR "${aorText}" is not user@host`);
  if (contact === undefined) throw new Error('missing contact');
  if (!SIP_SCHEME.test(contact)) throw new Error(`contact "${contact}" is not a sip: or sips: URI`);
  try {
    parseUri(contact);
  } catch (err) {
    if (err instanceof SipParseError) throw new Error(`contact "${contact}": ${err.message}`);
    throw err;
  }
  let q: number | undefined;
  let expires = Infinity;
  for (const option of options) {
    const [name, value] = splitOption(option);
    if (name === 'q' && q === undefined) q = parseQ(option, value);
    else if (name === 'expires' && expires === Infinity) expires = parseExpiryTime(value);
    else throw new Error(`unexpected "${option}"`);
  }
  return staticBinding(aorText.slice(0, at) + aorText.slice(at).toLowerCase(), contact, expires, q);
}

function splitOption(option: string): [string, string] {
  const eq = option.indexOf('=');
  return eq < 0 ? [option.toLowerCase(), ''] : [option.slice(0, eq).toLowerCase(), option.slice(eq + 1)];
}

function parseQ(option: string, value: string): number {
  if (!QVALUE.test(value)) throw new Error(`bad q "${option}" (expected q=0 .. q=1)`);
  return Number(value);
}
