import { readFileSync } from 'node:fs';
import { createSecureContext, DEFAULT_CIPHERS, getCiphers, type SecureContext, type SecureContextOptions } from 'node:tls';
import { errorMessage } from './endpoint';
import type { TlsOptions, TlsVersion } from './types';

/**
 * Node's default list without RSA key exchange (no forward secrecy: AES128-SHA and kin) and without SHA-1 MAC
 * suites. TLS 1.3 suites are not affected by this list. The seed's AES128-SHA needs SipTlsCiphers.
 */
export const DEFAULT_TLS_CIPHERS = `${DEFAULT_CIPHERS}:!kRSA:!SHA1`;
export const DEFAULT_TLS_MIN_VERSION: TlsVersion = 'TLSv1.2';

export interface TlsMaterial {
  /** For tls.createServer / server.setSecureContext. */
  options: SecureContextOptions;
  /** For outgoing tls.connect: the same certificate, presented when the server asks for one. */
  context: SecureContext;
}

/** Reads the PEM files and checks that they form a usable context; throws a descriptive Error. */
export function loadTlsMaterial(tls: TlsOptions): TlsMaterial {
  const options: SecureContextOptions = {
    cert: readPem('certificate', tls.cert),
    key: readPem('private key', tls.key),
    minVersion: tls.minVersion ?? DEFAULT_TLS_MIN_VERSION,
    ciphers: tls.ciphers ?? DEFAULT_TLS_CIPHERS,
  };
  if (tls.ca) options.ca = readPem('CA', tls.ca);
  try {
    return { options, context: createSecureContext(options) };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_SSL_NO_CIPHER_MATCH') {
      throw new Error(`SipTlsCiphers "${tls.ciphers}" names no cipher suite this OpenSSL supports`);
    }
    throw new Error(`invalid TLS certificate or key (${tls.cert}, ${tls.key}): ${errorMessage(e)}`);
  }
}

const OLD_VERSIONS: ReadonlySet<string> = new Set(['TLSv1', 'TLSv1.1']);
const WEAK_CIPHER = /3DES|DES-CBC3|RC4|NULL|EXPORT|EXP-/i;
/** Suites without ECDHE/DHE: the key exchange is plain RSA, so a stolen key decrypts recorded traffic. */
const RSA_KEY_EXCHANGE = /^(AES|DES|RC4|NULL|CAMELLIA|SEED|IDEA)/i;

/**
 * What an operator should be told at start about weak or unusable TLS settings; empty when all is well.
 *
 * OpenSSL 3 facts behind these (checked with Node 20's OpenSSL 3.0):
 *  - TLSv1 and TLSv1.1 handshakes fail at the default security level (SHA-1 signatures); they need
 *    "@SECLEVEL=0" in the cipher list, e.g. "AES128-SHA:@SECLEVEL=0".
 *  - 3DES (DES-CBC3-SHA) and RC4 suites are compiled out of Node's OpenSSL ("weak-ssl-ciphers"), so they
 *    cannot be offered at any security level; OpenSSL ignores such names inside a list.
 *  - AES128-SHA works over TLSv1.2 at the default security level once named in the list.
 */
export function tlsSettingWarnings(tls: Pick<TlsOptions, 'minVersion' | 'ciphers' | 'requestCert' | 'ca'>): string[] {
  const warnings: string[] = [];
  const oldVersion = tls.minVersion !== undefined && OLD_VERSIONS.has(tls.minVersion);
  if (oldVersion) {
    warnings.push(`SipTlsMinVersion ${tls.minVersion} accepts TLS versions below TLSv1.2, which have known weaknesses`);
    if (tls.ciphers === undefined) {
      warnings.push('the default cipher list has no suite usable below TLSv1.2: set SipTlsCiphers, e.g. AES128-SHA:@SECLEVEL=0');
    } else if (!/@SECLEVEL=0/i.test(tls.ciphers)) {
      warnings.push(`OpenSSL 3 refuses ${tls.minVersion} handshakes at its default security level: add :@SECLEVEL=0 to SipTlsCiphers`);
    }
  }
  if (tls.ciphers !== undefined) warnings.push(...cipherWarnings(tls.ciphers));
  if (tls.requestCert && !tls.ca) {
    warnings.push("SipTlsMutualAuthentication without SipTlsCACertificateFile: client certificates are checked against the system's CAs");
  }
  return warnings;
}

function cipherWarnings(ciphers: string): string[] {
  const warnings: string[] = [];
  const offered = ciphers.split(/[:, ]+/).filter((t) => t !== '' && !/^[!+@-]/.test(t));
  const weak = offered.filter((t) => WEAK_CIPHER.test(t));
  if (weak.length > 0) warnings.push(`SipTlsCiphers offers weak suites: ${weak.join(', ')}`);
  const available = new Set(getCiphers());
  const missing = offered.filter((t) => isSuiteName(t) && !available.has(t.toLowerCase()));
  if (missing.length > 0) {
    warnings.push(`SipTlsCiphers names suites this OpenSSL does not have (3DES and RC4 are compiled out of Node's OpenSSL); they are ignored: ${missing.join(', ')}`);
  }
  const suites = offered.filter(isSuiteName);
  if (suites.length > 0 && suites.length === offered.length && suites.every((t) => RSA_KEY_EXCHANGE.test(t))) {
    warnings.push(`SipTlsCiphers offers only RSA key exchange suites (${suites.join(', ')}): no forward secrecy over TLS 1.2`);
  }
  return warnings;
}

/** A suite name such as AES128-SHA or TLS_AES_128_GCM_SHA256, as opposed to an alias such as HIGH or kRSA. */
function isSuiteName(token: string): boolean {
  return token.includes('-') || /^TLS_/i.test(token);
}

function readPem(what: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new Error(`cannot read TLS ${what} file ${path}: ${errorMessage(e)}`);
  }
}
