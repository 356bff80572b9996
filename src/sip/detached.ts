/**
 * A copy of `s` that shares no memory with the message it was read from. V8 keeps substrings (and strings
 * built from them) pointing into the whole message text, so a short value stored for long (a binding, a
 * dialog, a retired transaction key) would otherwise hold the entire message alive.
 */
export function detached(s: string): string {
  return Buffer.from(s, 'utf8').toString('utf8');
}
