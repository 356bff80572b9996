// HA1 = H(username ":" realm ":" password) of HTTP digest (RFC 2617 §3.2.2.2, RFC 7616 §3.4.2), lowercase hex.
import { createHash } from 'node:crypto';

export type Ha1Algorithm = 'MD5' | 'SHA-256';

export function ha1(algorithm: Ha1Algorithm, user: string, realm: string, password: string): string {
  return createHash(algorithm === 'MD5' ? 'md5' : 'sha256').update(`${user}:${realm}:${password}`, 'utf8').digest('hex');
}

/** Both hashes a subscriber's credentials keep, so either algorithm can be offered in challenges. */
export function ha1Pair(user: string, realm: string, password: string): { md5: string; sha256: string } {
  return { md5: ha1('MD5', user, realm, password), sha256: ha1('SHA-256', user, realm, password) };
}
