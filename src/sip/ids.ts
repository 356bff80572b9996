// Random tokens for tags and branches, drawn from a pool so the crypto call is paid once per few hundred tokens.
import { randomFillSync } from 'node:crypto';

const POOL = Buffer.alloc(4096);
let offset = POOL.length;

/** 48 random bits (RFC 3261 §19.3 asks for at least 32), hex encoded. */
export function randomToken(): string {
  if (offset + 6 > POOL.length) {
    randomFillSync(POOL);
    offset = 0;
  }
  const s = POOL.toString('hex', offset, offset + 6);
  offset += 6;
  return s;
}
