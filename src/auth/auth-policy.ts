// Authentication as a request policy (SPEC AUTH-*, CUCM-1..5; RFC 3261 §22, RFC 2617, RFC 7616, RFC 8760).
//
// Which requests are challenged:
// - ACK and CANCEL never (RFC 3261 §22.1: neither can be resubmitted with credentials).
// - Requests inside a dialog (a To tag) are not challenged, except REGISTER, which has no dialog: the dialog was set
//   up by an authenticated INVITE, and RFC 3261 §22.3 leaves in-dialog challenges to the proxy. A forged To tag
//   gains nothing at a UA, which answers 481 for a dialog it does not know.
// - A source the ACL allows is not challenged under Satisfy Any (AUTH-9, ACL-4).
import type { SipMessage } from '../sip';
import type { PolicyRequest, PolicyVerdict, RequestPolicy } from '../policy/types';
import type { Device, DeviceDirectory, Subscriber, SubscriberDirectory } from '../subscribers/types';
import {
  BasicCredentials, CredentialsError, DigestCredentials, ParsedCredentials, formatBasicChallenge, formatDigestChallenge,
  parseCredentials,
} from './credentials';
import { DigestAlgorithm, computeHa1, digestResponse, digestsEqual, isSha256, parseAlgorithm } from './digest';
import { AuthLockout } from './lockout';
import { NonceCounts, NonceIssuer } from './nonce';

export interface AuthSettings {
  realm: string;
  scheme: 'Digest' | 'Basic';
  /** 'none' is the legacy spelling of 'auth' (AUTH-13). */
  qop: 'auth' | 'auth-int' | 'both' | 'none';
  algorithm: 'MD5' | 'MD5-sess';
  /**
   * Also offer SHA-256 (SHA-256-sess with MD5-sess), as a second challenge. RFC 8760 §2.4 reads the order as the
   * preference, and MD5 stays first on purpose: old phones read only the first challenge and know only MD5.
   */
  offerSha256: boolean;
  nonceLifetimeSec: number;
  /** Key of the nonce HMAC; farm members that share it accept each other's nonces. */
  nonceSecret: string | Buffer;
  /** Nonces remembered for replay protection (default 1,000,000); see NonceCounts for what happens when full. */
  nonceTableSize?: number;
  /** Remove our realm's Proxy-Authorization once verified, so it is not forwarded (AUTH-15). */
  consumeProxyAuth: boolean;
  allow3rdPartyRegistration: boolean;
  allow3rdPartyInvite: boolean;
  /** Satisfy Any: a source the ACL trusts (ctx.trustedSource) needs no credentials. */
  satisfyAny: boolean;
  /** Number expansion of the credential user name before lookup (NumExpandAuthUserName), by the plan of `domain` (keyDomain). */
  expandUser?: (user: string, domain: string) => string;
  /** The domain half of the lookup key: the From host with virtual proxy hosts (AUTH-5, AUTH-7), else ''. */
  keyDomain: (req: SipMessage) => string;
  failureLimit: number;
  failureWindowSec: number;
  lockoutSec: number;
  log: (msg: string) => void;
}

const DEFAULT_NONCE_TABLE_SIZE = 1_000_000;
const UNKNOWN_USER_HA1 = '0'.repeat(32);

const LOCKED_OUT: PolicyVerdict = { status: 403, reason: 'Forbidden (too many failed authentications)' };

export function createAuthPolicy(
  settings: AuthSettings, subscribers: SubscriberDirectory, devices?: DeviceDirectory, now: () => number = Date.now,
): RequestPolicy {
  const auth = new Authenticator(settings, subscribers, devices, now);
  return (ctx) => auth.check(ctx);
}

/** What verification of one credential concluded, before the request-level rules apply. */
type Outcome =
  | { kind: 'ok'; subscriber: Subscriber; device?: Device }
  /** Wrong answer or unknown user: counted for lockout, answered with the same challenge either way. */
  | { kind: 'failed' }
  /** The answer was right but its nonce cannot be used (expired, foreign or replayed): a challenge with stale=true. */
  | { kind: 'stale' }
  | { kind: 'table-full' };

class Authenticator {
  private readonly nonces: NonceIssuer;
  private readonly counts: NonceCounts;
  private readonly lockout: AuthLockout;
  private readonly algorithms: DigestAlgorithm[];
  private readonly qops: string[];
  private readonly expand: (user: string, domain: string) => string;
  private tableFullLogged = false;

  constructor(
    private readonly s: AuthSettings, private readonly subscribers: SubscriberDirectory,
    private readonly devices: DeviceDirectory | undefined, now: () => number,
  ) {
    this.nonces = new NonceIssuer(s.nonceSecret, s.realm, s.nonceLifetimeSec, now);
    this.counts = new NonceCounts(s.nonceLifetimeSec, s.nonceTableSize ?? DEFAULT_NONCE_TABLE_SIZE, now);
    this.lockout = new AuthLockout(s, s.log, now);
    this.algorithms = [s.algorithm];
    if (s.offerSha256) this.algorithms.push(s.algorithm === 'MD5-sess' ? 'SHA-256-sess' : 'SHA-256');
    this.qops = s.qop === 'both' ? ['auth', 'auth-int'] : s.qop === 'auth-int' ? ['auth-int'] : ['auth'];
    this.expand = s.expandUser ?? ((user) => user);
  }

  check(ctx: PolicyRequest): PolicyVerdict | Promise<PolicyVerdict> {
    const req = ctx.req;
    const method = req.method;
    if (method === 'ACK' || method === 'CANCEL') return undefined;
    const register = method === 'REGISTER';
    if (!register && req.toTag !== undefined) return undefined;
    if (ctx.trustedSource === true && this.s.satisfyAny) return undefined;
    const source = ctx.source.host;
    if (this.lockout.isSourceLocked(source)) return LOCKED_OUT;

    let creds: ParsedCredentials | undefined;
    try {
      creds = this.ourCredentials(req, register);
    } catch (err) {
      if (!(err instanceof CredentialsError)) throw err;
      return { status: 400, reason: `Bad Request (malformed ${register ? 'Authorization' : 'Proxy-Authorization'}: ${err.message})` };
    }
    // No credentials yet: the first request of the exchange, not a failure.
    if (creds === undefined) return this.challenge(register, false);
    if (creds.scheme === 'Digest' && creds.qop !== undefined && !this.qops.includes(creds.qop)) return this.challenge(register, false);

    const domain = this.s.keyDomain(req);
    const user = this.expand(creds.username, domain);
    const userKey = `${user}@${domain}`;
    if (this.lockout.isUserLocked(userKey)) return LOCKED_OUT;

    const verified = creds;
    const conclude = (subscriber: Subscriber | undefined): PolicyVerdict => {
      const outcome = verified.scheme === 'Digest' ? this.verifyDigest(verified, subscriber, req) : this.verifyBasic(verified, subscriber);
      switch (outcome.kind) {
        case 'failed':
          this.lockout.recordFailure(userKey, source);
          return this.lockout.isUserLocked(userKey) || this.lockout.isSourceLocked(source) ? LOCKED_OUT : this.challenge(register, false);
        case 'stale':
          return this.challenge(register, true);
        case 'table-full':
          return { status: 503, reason: 'Service Unavailable (nonce table full)', headers: [['Retry-After', String(this.s.nonceLifetimeSec)]] };
        case 'ok':
          this.lockout.recordSuccess(userKey);
          return this.authorize(ctx, verified.username, user, domain, outcome.subscriber, outcome.device);
      }
    };
    const found = this.subscribers.find(user, domain);
    return isPromise(found) ? found.then(conclude) : conclude(found);
  }

  /**
   * The first credentials of ours: REGISTER answers the registrar's 401 in Authorization, other requests the proxy's
   * 407 in Proxy-Authorization. Other realms (another proxy's), other schemes and algorithms we did not offer are
   * passed over.
   */
  private ourCredentials(req: SipMessage, register: boolean): ParsedCredentials | undefined {
    const key = register ? 'authorization' : 'proxy-authorization';
    for (const h of req.headers) {
      if (h.key !== key) continue;
      const creds = parseCredentials(h.value);
      if (creds !== undefined && this.isOurs(creds)) return creds;
    }
    return undefined;
  }

  private isOurs(creds: ParsedCredentials): boolean {
    if (creds.scheme !== this.s.scheme) return false;
    if (creds.scheme === 'Basic') return true;
    const algorithm = parseAlgorithm(creds.algorithm);
    return creds.realm === this.s.realm && algorithm !== undefined && this.algorithms.includes(algorithm);
  }

  private verifyDigest(creds: DigestCredentials, subscriber: Subscriber | undefined, req: SipMessage): Outcome {
    const algorithm = parseAlgorithm(creds.algorithm) as DigestAlgorithm; // isOurs admitted only known ones
    if (subscriber === undefined) {
      // Hash anyway, so an unknown user costs the time a wrong password does (no user enumeration by timing).
      digestResponse({ algorithm, ha1: UNKNOWN_USER_HA1, nonce: creds.nonce, method: req.method, uri: creds.uri });
      return { kind: 'failed' };
    }
    const nonce = this.nonces.check(creds.nonce);
    // CUCM-4: a phone in identify mode is known by its digest user alone; the hash is not looked at.
    const device = this.devices?.byDigestUser(subscriber.user);
    if (device?.digestMode === 'identify') return nonce.state === 'fresh' ? { kind: 'ok', subscriber, device } : { kind: 'stale' };

    const ha1 = storedHa1(subscriber, algorithm, creds.username, this.s.realm);
    if (ha1 === undefined) return { kind: 'failed' };
    const expected = digestResponse({
      algorithm, ha1, nonce: creds.nonce, method: req.method, uri: creds.uri,
      qop: creds.qop, nc: creds.ncText, cnonce: creds.cnonce, body: req.body,
    });
    if (!digestsEqual(expected, creds.response)) return { kind: 'failed' };
    // Right answer: a nonce we cannot honour (expired, or minted under another secret before a restart) gets
    // stale=true, so the phone retries at once without asking its user.
    if (nonce.state !== 'fresh') return { kind: 'stale' };
    switch (this.counts.use(nonce.id, creds.nc)) {
      case 'replay':
        return { kind: 'stale' };
      case 'full':
        if (!this.tableFullLogged) this.s.log(`auth: nonce table full (${this.s.nonceTableSize ?? DEFAULT_NONCE_TABLE_SIZE} entries), new nonces answered 503 until old ones expire`);
        this.tableFullLogged = true;
        return { kind: 'table-full' };
      case 'ok':
        this.tableFullLogged = false;
        return { kind: 'ok', subscriber, device };
    }
  }

  private verifyBasic(creds: BasicCredentials, subscriber: Subscriber | undefined): Outcome {
    if (subscriber === undefined) return { kind: 'failed' };
    // Compared as HA1 hashes: constant time, and the only form a hash-keeping store can check.
    const algorithm: DigestAlgorithm = subscriber.credentials.kind === 'ha1' && subscriber.credentials.sha256 !== undefined ? 'SHA-256' : 'MD5';
    const ha1 = storedHa1(subscriber, algorithm, creds.username, this.s.realm);
    const right = ha1 !== undefined && digestsEqual(ha1, computeHa1(algorithm, creds.username, this.s.realm, creds.password));
    return right ? { kind: 'ok', subscriber, device: this.devices?.byDigestUser(subscriber.user) } : { kind: 'failed' };
  }

  /** Rules that apply once the credentials are proven: third-party requests (AUTH-16, AUTH-17), then consumption. */
  private authorize(ctx: PolicyRequest, credentialUser: string, user: string, domain: string, subscriber: Subscriber, device?: Device): PolicyVerdict {
    const req = ctx.req;
    // A phone's digest user speaks for the phone's lines (CUCM-6): the device rules check a REGISTER's line.
    const ownLine = (other: string) => device !== undefined && device.lines.some((l) => l.number === other);
    const sameUser = (other: string | undefined) => other === credentialUser || (other !== undefined && (this.expand(other, domain) === user || ownLine(other)));
    const refusal =
      req.method === 'REGISTER' && !this.s.allow3rdPartyRegistration && device === undefined ? thirdPartyRefusal(req, 'to', sameUser)
      : req.method === 'INVITE' && !this.s.allow3rdPartyInvite ? thirdPartyRefusal(req, 'from', sameUser)
      : undefined;
    if (refusal !== undefined) return refusal;
    if (req.method !== 'REGISTER' && this.s.consumeProxyAuth) this.removeOurProxyAuthorization(req);
    ctx.identity = device === undefined
      ? { user: subscriber.user, domain: subscriber.domain || domain }
      : { user: subscriber.user, domain: subscriber.domain || domain, device };
    return undefined;
  }

  private removeOurProxyAuthorization(req: SipMessage): void {
    req.headers = req.headers.filter((h) => {
      if (h.key !== 'proxy-authorization') return true;
      const creds = parseCredentials(h.value);
      return creds === undefined || !this.isOurs(creds);
    });
  }

  private challenge(register: boolean, stale: boolean): PolicyVerdict {
    const name = register ? 'WWW-Authenticate' : 'Proxy-Authenticate';
    const status = register ? 401 : 407;
    if (this.s.scheme === 'Basic') return { status, headers: [[name, formatBasicChallenge(this.s.realm)]] };
    const nonce = this.nonces.mint();
    return {
      status,
      headers: this.algorithms.map((algorithm) => [name, formatDigestChallenge({ realm: this.s.realm, nonce, algorithm, qop: this.qops, stale })] as const),
    };
  }
}

/** The HA1 to check against: the stored hash for our realm and this hash function, or one made from a clear password. */
function storedHa1(subscriber: Subscriber, algorithm: DigestAlgorithm, username: string, realm: string): string | undefined {
  const c = subscriber.credentials;
  if (c.kind === 'password') return computeHa1(algorithm, username, realm, c.password);
  if (c.realm !== realm) return undefined;
  return isSha256(algorithm) ? c.sha256 : c.md5;
}

/** 403 when the user of the To (REGISTER) or From (INVITE) URI is not the one who authenticated; 400 when unreadable. */
function thirdPartyRefusal(req: SipMessage, header: 'from' | 'to', sameUser: (user: string | undefined) => boolean): PolicyVerdict {
  let other: string | undefined;
  try {
    other = (header === 'from' ? req.from : req.to).uri.user;
  } catch (err) {
    return { status: 400, reason: `Bad Request (${err instanceof Error ? err.message : String(err)})` };
  }
  if (sameUser(other)) return undefined;
  return { status: 403, reason: `Forbidden (${header === 'to' ? 'To' : 'From'} user differs from the authenticated user)` };
}

function isPromise<T>(v: T | Promise<T>): v is Promise<T> {
  return typeof (v as { then?: unknown } | undefined)?.then === 'function';
}
