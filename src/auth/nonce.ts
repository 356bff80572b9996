// Stateless nonces (RFC 7616 §3.3 suggests a time stamp and a keyed hash): any farm member holding the same secret
// accepts a nonce another one minted, and none of them keeps per-nonce state to check it. Replay protection (the
// nonce count, RFC 7616 §3.4.5) is the one thing that needs memory; NonceCounts keeps it bounded.
import { createHmac, randomFillSync, timingSafeEqual } from 'node:crypto';

const TIME_BYTES = 4; // issue time, whole seconds since the epoch (uint32: good until 2106)
const RANDOM_BYTES = 8;
const MAC_BYTES = 16; // HMAC-SHA256 truncated to 128 bits
const SIGNED_BYTES = TIME_BYTES + RANDOM_BYTES;
const NONCE_BYTES = SIGNED_BYTES + MAC_BYTES;
const NONCE_CHARS = Math.ceil((NONCE_BYTES * 4) / 3); // base64url without padding

export type NonceCheck =
  /** Signed by us (or a farm peer) and within its lifetime; `id` names it compactly in NonceCounts. */
  | { state: 'fresh'; id: string }
  /** Signed by us but past its lifetime: a right answer earns a new challenge with stale=true. */
  | { state: 'expired' }
  /** Not ours: forged, damaged, for another realm, or from another secret. */
  | { state: 'invalid' };

const EXPIRED: NonceCheck = { state: 'expired' };
const INVALID: NonceCheck = { state: 'invalid' };

export class NonceIssuer {
  private readonly key: Buffer;
  private readonly lifetimeMs: number;
  // Random bytes are drawn from a refilled pool: one getrandom call per 512 nonces instead of one per nonce.
  private readonly pool = Buffer.alloc(RANDOM_BYTES * 512);
  private poolAt = this.pool.length;

  constructor(secret: string | Buffer, private readonly realm: string, lifetimeSec: number, private readonly now: () => number = Date.now) {
    if (secret.length === 0) throw new Error('nonce secret is empty');
    this.key = Buffer.from(secret);
    this.lifetimeMs = lifetimeSec * 1000;
  }

  mint(): string {
    const buf = Buffer.allocUnsafe(NONCE_BYTES);
    buf.writeUInt32BE(Math.floor(this.now() / 1000) >>> 0, 0);
    if (this.poolAt >= this.pool.length) {
      randomFillSync(this.pool);
      this.poolAt = 0;
    }
    this.pool.copy(buf, TIME_BYTES, this.poolAt, this.poolAt + RANDOM_BYTES);
    this.poolAt += RANDOM_BYTES;
    this.mac(buf).copy(buf, SIGNED_BYTES, 0, MAC_BYTES);
    return buf.toString('base64url');
  }

  check(nonce: string): NonceCheck {
    if (nonce.length !== NONCE_CHARS) return INVALID;
    const buf = Buffer.from(nonce, 'base64url');
    if (buf.length !== NONCE_BYTES) return INVALID;
    const mac = this.mac(buf).subarray(0, MAC_BYTES);
    if (!timingSafeEqual(mac, buf.subarray(SIGNED_BYTES))) return INVALID;
    const age = this.now() - buf.readUInt32BE(0) * 1000;
    // A farm peer's clock may run ahead of ours; a nonce from further in the future than a lifetime is not believed.
    if (age < -this.lifetimeMs) return INVALID;
    if (age > this.lifetimeMs) return EXPIRED;
    // Time and random bytes identify the nonce (the MAC follows from them). A new 12-character string, not a slice
    // of the header, so a table entry does not keep the whole message alive.
    return { state: 'fresh', id: buf.toString('latin1', 0, SIGNED_BYTES) };
  }

  private mac(buf: Buffer): Buffer {
    return createHmac('sha256', this.key).update(buf.subarray(0, SIGNED_BYTES)).update(this.realm).digest();
  }
}

export type CountVerdict = 'ok' | 'replay' | 'full';

/**
 * The highest nonce count seen per live nonce. Entries sit in two generations of 2 × lifetime each: an entry lives
 * at least 2 × lifetime after its nonce's first use, longer than that nonce can be valid (a lifetime past its issue,
 * which is at most a lifetime after the first use when a peer's clock runs ahead), so dropping a whole generation
 * never forgets a nonce that could still be accepted. Sweeping is one Map swap per generation, nothing per entry.
 *
 * When maxEntries nonces are held, a nonce not seen before is refused ('full'; the policy answers 503 with
 * Retry-After) until old generations age out (at most 4 × lifetime). Failing closed keeps replay protection intact;
 * nonces already held keep working. Only correct answers reach this table, so filling it takes valid credentials.
 * The table holds up to 4 × lifetime of first uses: 1,000,000 entries (about 60 MB) cover 8,000 new nonces a
 * second with a 30 s lifetime.
 */
export class NonceCounts {
  private current = new Map<string, number>();
  private previous = new Map<string, number>();
  private readonly generationMs: number;
  private rotateAt: number;

  constructor(lifetimeSec: number, private readonly maxEntries: number, private readonly now: () => number = Date.now) {
    this.generationMs = 2 * lifetimeSec * 1000;
    this.rotateAt = now() + this.generationMs;
  }

  /** Records a use of the nonce `id` (from NonceIssuer.check) with nonce count `nc`; undefined nc (no qop) allows a single use. */
  use(id: string, nc: number | undefined): CountVerdict {
    this.rotate();
    const seen = this.current.get(id) ?? this.previous.get(id);
    if (seen !== undefined) {
      if (nc === undefined || nc <= seen) return 'replay';
      // Updated where it sits: the generation it was first used in is the one that bounds its lifetime.
      if (this.current.has(id)) this.current.set(id, nc);
      else this.previous.set(id, nc);
      return 'ok';
    }
    if (this.size >= this.maxEntries) return 'full';
    // A count-less use leaves nothing above it: any later use of the nonce is a replay.
    this.current.set(id, nc ?? Infinity);
    return 'ok';
  }

  get size(): number {
    return this.current.size + this.previous.size;
  }

  private rotate(): void {
    const t = this.now();
    if (t < this.rotateAt) return;
    if (t >= this.rotateAt + this.generationMs) {
      this.previous = new Map();
      this.rotateAt = t + this.generationMs;
    } else {
      this.previous = this.current;
      this.rotateAt += this.generationMs;
    }
    this.current = new Map();
  }
}
