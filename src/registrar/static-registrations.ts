/*
 * Static registrations seed file (sipd's own format): bindings for endpoints that cannot
 * register, such as gateway FXS ports. They never expire and are not persisted.
 *
 *   # comment (a line whose first non-blank character is '#'); blank lines are ignored
 *   AOR CONTACT [q=VALUE]
 *   5000@gw.example.com  sip:5000@10.1.1.1:5060;user=phone
 *   5001@gw.example.com  sip:5001@10.1.1.1:5060;user=phone  q=0.5
 *
 * Fields are separated by blanks. AOR is user@host (the host is lowercased); CONTACT is a sip:
 * or sips: URI used as written; q is an RFC 3261 qvalue. The contactKey of a static binding is
 * the contact lowercased. An (AOR, contact) pair may appear once.
 */
import type { Binding } from './location';

const QVALUE = /^(0(\.\d{0,3})?|1(\.0{0,3})?)$/;
const SIP_SCHEME = /^sips?:/i;

/** Parses the file's text; throws Error("file:line: reason") on the first bad line. */
export function parseStaticRegistrations(text: string, file: string): Binding[] {
  const bindings: Binding[] = [];
  const firstLine = new Map<string, number>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    let b: Binding;
    try {
      b = parseLine(line);
      const seenAt = firstLine.get(`${b.aor} ${b.contactKey}`);
      if (seenAt !== undefined) throw new Error(`duplicate of line ${seenAt}`);
    } catch (err) {
      throw new Error(`${file}:${i + 1}: ${(err as Error).message}`);
    }
    firstLine.set(`${b.aor} ${b.contactKey}`, i + 1);
    bindings.push(b);
  }
  return bindings;
}

function parseLine(line: string): Binding {
  const [aorText, contact, qText, ...extra] = line.split(/\s+/);
  const at = aorText.indexOf('@');
  if (at <= 0 || at === aorText.length - 1) throw new Error(`AOR "${aorText}" is not user@host`);
  if (contact === undefined) throw new Error('missing contact');
  if (!SIP_SCHEME.test(contact)) throw new Error(`contact "${contact}" is not a sip: or sips: URI`);
  if (extra.length > 0) throw new Error(`unexpected "${extra[0]}"`);
  const b: Binding = {
    aor: aorText.slice(0, at) + aorText.slice(at).toLowerCase(),
    contact,
    contactKey: contact.toLowerCase(),
    expires: Infinity,
    callId: '',
    cseq: 0,
    static: true,
  };
  if (qText !== undefined) b.q = parseQ(qText);
  return b;
}

function parseQ(text: string): number {
  const m = /^q=(.*)$/i.exec(text);
  if (!m || !QVALUE.test(m[1])) throw new Error(`bad q "${text}" (expected q=0 .. q=1)`);
  return Number(m[1]);
}
