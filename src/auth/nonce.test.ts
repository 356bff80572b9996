// Signed nonces and the nonce-count table, on a fake clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NonceCounts, NonceIssuer } from './nonce';

const T0 = 1_700_000_000_000;

function clock() {
  let now = T0;
  return { now: () => now, advance: (sec: number) => (now += sec * 1000) };
}

function freshId(issuer: NonceIssuer, nonce: string): string {
  const c = issuer.check(nonce);
  assert.equal(c.state, 'fresh');
  return c.state === 'fresh' ? c.id : '';
}

test('a minted nonce checks fresh on this and on any member sharing the secret and realm; it is URL-safe', () => {
  const c = clock();
  const a = new NonceIssuer('farm-secret', 'sipd', 30, c.now);
  const b = new NonceIssuer('farm-secret', 'sipd', 30, c.now);
  const nonce = a.mint();
  assert.match(nonce, /^[A-Za-z0-9_-]+$/);
  assert.equal(a.check(nonce).state, 'fresh');
  assert.equal(b.check(nonce).state, 'fresh');
  assert.notEqual(a.mint(), nonce);
});

test('another secret, another realm, a changed character or a truncated nonce is invalid', () => {
  const c = clock();
  const a = new NonceIssuer('farm-secret', 'sipd', 30, c.now);
  const nonce = a.mint();
  assert.equal(new NonceIssuer('other-secret', 'sipd', 30, c.now).check(nonce).state, 'invalid');
  assert.equal(new NonceIssuer('farm-secret', 'other', 30, c.now).check(nonce).state, 'invalid');
  const flipped = (nonce[5] === 'A' ? 'B' : 'A');
  assert.equal(a.check(nonce.slice(0, 5) + flipped + nonce.slice(6)).state, 'invalid');
  assert.equal(a.check(nonce.slice(0, -1)).state, 'invalid');
  assert.equal(a.check('').state, 'invalid');
});

test('past its lifetime a nonce is expired (still recognised as ours), within it fresh', () => {
  const c = clock();
  const a = new NonceIssuer('s', 'sipd', 30, c.now);
  const nonce = a.mint();
  c.advance(29);
  assert.equal(a.check(nonce).state, 'fresh');
  c.advance(2);
  assert.equal(a.check(nonce).state, 'expired');
});

test('a peer clock ahead by less than a lifetime is tolerated; further ahead is not', () => {
  const c = clock();
  const ahead = clock();
  ahead.advance(20);
  const peer = new NonceIssuer('s', 'sipd', 30, ahead.now);
  const me = new NonceIssuer('s', 'sipd', 30, c.now);
  assert.equal(me.check(peer.mint()).state, 'fresh');
  ahead.advance(20);
  assert.equal(me.check(peer.mint()).state, 'invalid');
});

test('nonce counts: each higher nc passes once; a repeated or lower nc is a replay', () => {
  const c = clock();
  const issuer = new NonceIssuer('s', 'sipd', 30, c.now);
  const counts = new NonceCounts(30, 100, c.now);
  const id = freshId(issuer, issuer.mint());
  assert.equal(counts.use(id, 1), 'ok');
  assert.equal(counts.use(id, 1), 'replay');
  assert.equal(counts.use(id, 3), 'ok');
  assert.equal(counts.use(id, 2), 'replay');
  assert.equal(counts.use(id, undefined), 'replay');
});

test('without qop (no nc) a nonce is good once', () => {
  const c = clock();
  const issuer = new NonceIssuer('s', 'sipd', 30, c.now);
  const counts = new NonceCounts(30, 100, c.now);
  const id = freshId(issuer, issuer.mint());
  assert.equal(counts.use(id, undefined), 'ok');
  assert.equal(counts.use(id, undefined), 'replay');
  assert.equal(counts.use(id, 1), 'replay');
});

test('entries are kept while their nonce can be valid and swept after; a full table refuses only new nonces', () => {
  const c = clock();
  const counts = new NonceCounts(30, 2, c.now);
  assert.equal(counts.use('a', 1), 'ok');
  c.advance(59);
  assert.equal(counts.use('b', 1), 'ok');
  assert.equal(counts.use('c', 1), 'full');
  assert.equal(counts.use('a', 2), 'ok', 'a held nonce still counts up when the table is full');
  c.advance(2); // first generation rotates: a and b move to the previous one, still remembered
  assert.equal(counts.use('a', 2), 'replay');
  assert.equal(counts.size, 2);
  c.advance(60); // the generation holding a and b is dropped
  assert.equal(counts.use('c', 1), 'ok');
  assert.equal(counts.size, 1);
  c.advance(1000); // a long idle period clears both generations
  assert.equal(counts.use('d', 1), 'ok');
  assert.equal(counts.size, 1);
});
