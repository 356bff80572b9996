// Authorization / Proxy-Authorization values (RFC 3261 §25.1 credentials, RFC 2617 §3.2.2, RFC 7616 §3.4) and the
// WWW-Authenticate / Proxy-Authenticate challenges sipd sends. Parsing is one pass over the characters: it runs for
// every authenticated request.

export interface DigestCredentials {
  scheme: 'Digest';
  username: string;
  realm: string;
  nonce: string;
  /** digest-uri as the client wrote it (it enters the hash unchanged). */
  uri: string;
  /** Lowercased hex. */
  response: string;
  /** As written; absent means MD5 (RFC 2617 §3.2.1). */
  algorithm?: string;
  cnonce?: string;
  opaque?: string;
  /** Lowercased; absent is the RFC 2069 form. */
  qop?: string;
  /** The nonce count as a number; present exactly when qop is. */
  nc?: number;
  /** The 8 hex digits of nc as written: they enter the hash. */
  ncText?: string;
}

export interface BasicCredentials {
  scheme: 'Basic';
  username: string;
  password: string;
}

export type ParsedCredentials = DigestCredentials | BasicCredentials;

/** A credentials value that breaks the grammar; the message says what is wrong (sent as a 400 reason). */
export class CredentialsError extends Error {}

/**
 * Parses one Authorization or Proxy-Authorization value. Returns undefined for a scheme sipd does not speak (it
 * belongs to somebody else); throws CredentialsError when a Digest or Basic value is malformed.
 */
export function parseCredentials(value: string): ParsedCredentials | undefined {
  let i = skipSpace(value, 0);
  const start = i;
  while (i < value.length && !isSpace(value.charCodeAt(i))) i++;
  const scheme = value.slice(start, i).toLowerCase();
  if (scheme === 'digest') return parseDigest(value, i);
  if (scheme === 'basic') return parseBasic(value.slice(i).trim());
  if (scheme.length === 0) throw new CredentialsError('empty credentials');
  return undefined;
}

function parseDigest(value: string, from: number): DigestCredentials {
  const params = new Map<string, string>();
  let i = skipSpace(value, from);
  while (i < value.length) {
    const nameStart = i;
    while (i < value.length && isTokenChar(value.charCodeAt(i))) i++;
    if (i === nameStart) throw new CredentialsError(`expected a parameter name at "${value.slice(i, i + 20)}"`);
    const name = value.slice(nameStart, i).toLowerCase();
    i = skipSpace(value, i);
    if (value.charCodeAt(i) !== 61 /* = */) throw new CredentialsError(`parameter ${name} has no value`);
    i = skipSpace(value, i + 1);
    let paramValue: string;
    if (value.charCodeAt(i) === 34 /* " */) {
      const q = readQuoted(value, i);
      paramValue = q.text;
      i = q.end;
    } else {
      // Unquoted values are tokens by the grammar; some phones also leave / and = unquoted, so read to the separator.
      const valueStart = i;
      while (i < value.length && !isSpace(value.charCodeAt(i)) && value.charCodeAt(i) !== 44 && value.charCodeAt(i) !== 34) i++;
      if (i === valueStart) throw new CredentialsError(`parameter ${name} has an empty value`);
      paramValue = value.slice(valueStart, i);
    }
    if (params.has(name)) throw new CredentialsError(`duplicate parameter ${name}`);
    params.set(name, paramValue);
    i = skipSpace(value, i);
    if (i >= value.length) break;
    if (value.charCodeAt(i) !== 44 /* , */) throw new CredentialsError(`expected "," after parameter ${name}`);
    i = skipSpace(value, i + 1);
  }
  return digestFromParams(params);
}

function digestFromParams(params: Map<string, string>): DigestCredentials {
  const required = (name: string): string => {
    const v = params.get(name);
    if (v === undefined) throw new CredentialsError(`missing ${name} parameter`);
    return v;
  };
  const creds: DigestCredentials = {
    scheme: 'Digest',
    username: required('username'),
    realm: required('realm'),
    nonce: required('nonce'),
    uri: required('uri'),
    response: required('response').toLowerCase(),
    algorithm: params.get('algorithm'),
    cnonce: params.get('cnonce'),
    opaque: params.get('opaque'),
  };
  if (!isHex(creds.response) || (creds.response.length !== 32 && creds.response.length !== 64)) {
    throw new CredentialsError('response is not a 32 or 64 digit hex digest');
  }
  const qop = params.get('qop');
  if (qop !== undefined) {
    creds.qop = qop.toLowerCase();
    const nc = required('nc');
    if (nc.length !== 8 || !isHex(nc)) throw new CredentialsError('nc is not 8 hex digits');
    creds.ncText = nc;
    creds.nc = parseInt(nc, 16);
    if (creds.cnonce === undefined) throw new CredentialsError('qop without cnonce');
  } else if (params.has('nc')) throw new CredentialsError('nc without qop');
  if (creds.algorithm !== undefined && /-sess$/i.test(creds.algorithm) && creds.cnonce === undefined) {
    throw new CredentialsError(`${creds.algorithm} without cnonce`);
  }
  return creds;
}

function parseBasic(token: string): BasicCredentials {
  if (!/^[A-Za-z0-9+/]+=*$/.test(token)) throw new CredentialsError('Basic credentials are not base64');
  const decoded = Buffer.from(token, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw new CredentialsError('Basic credentials have no ":" between user and password');
  return { scheme: 'Basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function readQuoted(s: string, open: number): { text: string; end: number } {
  let text = '';
  let from = open + 1;
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 92 /* \ */) {
      // quoted-pair: drop the backslash, keep the next character.
      text += s.slice(from, i);
      from = i + 1;
      i++;
    } else if (c === 34) return { text: text + s.slice(from, i), end: i + 1 };
  }
  throw new CredentialsError('unterminated quoted string');
}

function skipSpace(s: string, i: number): number {
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  return i;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 10;
}

// RFC 3261 token: alphanum and -.!%*_+`'~
function isTokenChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) ||
    c === 45 || c === 46 || c === 33 || c === 37 || c === 42 || c === 95 || c === 43 || c === 96 || c === 39 || c === 126;
}

function isHex(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70))) return false;
  }
  return s.length > 0;
}

export interface DigestChallenge {
  realm: string;
  nonce: string;
  algorithm: string;
  /** qop options offered, e.g. ['auth'] or ['auth', 'auth-int']; empty offers none (RFC 2069 form). */
  qop: readonly string[];
  /** The previous nonce had expired but its answer was right: the client may retry without asking the user. */
  stale?: boolean;
}

/** The value of a WWW-Authenticate or Proxy-Authenticate header for one Digest challenge. */
export function formatDigestChallenge(c: DigestChallenge): string {
  let v = `Digest realm=${quote(c.realm)}, nonce=${quote(c.nonce)}, algorithm=${c.algorithm}`;
  if (c.qop.length > 0) v += `, qop="${c.qop.join(',')}"`;
  if (c.stale) v += ', stale=TRUE';
  return v;
}

export function formatBasicChallenge(realm: string): string {
  return `Basic realm=${quote(realm)}`;
}

function quote(s: string): string {
  // Realms rarely and nonces never hold a quote or backslash: skip the regex for them (once per challenge).
  if (s.indexOf('"') < 0 && s.indexOf('\\') < 0) return `"${s}"`;
  return `"${s.replace(/["\\]/g, '\\$&')}"`;
}
