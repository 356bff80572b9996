// Property tests: serialization is stable for well-formed messages; no input makes the parser throw anything but SipParseError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseMessage } from './parser';
import { SipParseError } from './errors';
import { SipMessage } from './message';

const CRLF = '\r\n';
const chars = (s: string) => fc.constantFrom(...s.split(''));
const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const TOKEN_CHARS = `${ALNUM}-.!%*_+\`'~`;

const token = (max = 12) => fc.string({ unit: chars(TOKEN_CHARS), minLength: 1, maxLength: max });
const alnum = (max = 10) => fc.string({ unit: chars(ALNUM), minLength: 1, maxLength: max });

const label = fc.string({ unit: chars('abcdefghijklmnopqrstuvwxyz0123456789'), minLength: 1, maxLength: 8 });
const domain = fc.array(label, { minLength: 1, maxLength: 4 }).map((ls) => ls.join('.'));
const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.'));
const ipv6 = fc.array(fc.nat(0xffff).map((n) => n.toString(16)), { minLength: 2, maxLength: 6 }).map((p) => `[2001:db8::${p.join(':')}]`);
const host = fc.oneof(domain, ipv4, ipv6);
const port = fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined });

// User part: unreserved and user-unreserved characters, or %-escapes of printable ASCII.
const userChar = fc.oneof(
  chars(`${ALNUM}-_.!~*'()&=+$,;?/`),
  fc.integer({ min: 0x20, max: 0x7e }).map((c) => `%${c.toString(16).padStart(2, '0').toUpperCase()}`),
);
const user = fc.string({ unit: userChar, minLength: 1, maxLength: 12 });
const uriParam = fc.oneof(
  fc.constantFrom(';lr', ';transport=udp', ';transport=TCP', ';user=phone', ';maddr=192.0.2.1', ';ob'),
  fc.tuple(alnum(6), fc.option(alnum(6), { nil: undefined })).map(([k, v]) => (v === undefined ? `;${k}` : `;${k}=${v}`)),
);
const sipUri = fc
  .record({
    scheme: fc.constantFrom('sip', 'sips', 'SIP'),
    user: fc.option(user, { nil: undefined }),
    host,
    port,
    params: fc.array(uriParam, { maxLength: 3 }),
  })
  .map((u) => `${u.scheme}:${u.user === undefined ? '' : `${u.user}@`}${u.host}${u.port === undefined ? '' : `:${u.port}`}${u.params.join('')}`);
const telUri = fc
  .tuple(fc.string({ unit: chars('0123456789-'), minLength: 1, maxLength: 12 }), fc.array(uriParam, { maxLength: 2 }))
  .map(([n, p]) => `tel:+1${n}${p.join('')}`);
const requestUri = fc.oneof({ weight: 4, arbitrary: sipUri }, { weight: 1, arbitrary: telUri });

const quoted = fc
  .string({ unit: fc.oneof(chars(`${ALNUM} ,;:<>@`), fc.constantFrom('\\"', '\\\\', 'é', '☃')), maxLength: 12 })
  .map((s) => `"${s}" `);
const displayName = fc.oneof(fc.constant(''), quoted, token(8).map((t) => `${t} `));
const tagParam = token(10).map((t) => `;tag=${t}`);
const nameAddr = (withTag: boolean) =>
  fc.tuple(displayName, sipUri, withTag ? tagParam : fc.oneof(fc.constant(''), tagParam)).map(([d, u, t]) => `${d}<${u}>${t}`);

const transport = fc.constantFrom('UDP', 'TCP', 'TLS', 'SCTP', 'WS', 'udp');
const via = fc
  .record({ transport, host, port, branch: token(16), rport: fc.boolean() })
  .map((v) => `SIP/2.0/${v.transport} ${v.host}${v.port === undefined ? '' : `:${v.port}`};branch=z9hG4bK${v.branch}${v.rport ? ';rport' : ''}`);

/** Header text for a value: printable ASCII and some UTF-8, no line breaks, not starting or ending with blanks. */
const headerValue = fc
  .string({ unit: fc.oneof(chars(`${ALNUM} ;:,="<>@/?&.-_`), fc.constantFrom('ü', '€', '\t')), maxLength: 30 })
  .map((s) => s.trim());
const unknownHeader = fc.tuple(token(10), headerValue).map(([n, v]) => `X-${n}: ${v}`);

const METHODS = ['INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'REGISTER', 'MESSAGE', 'SUBSCRIBE', 'NOTIFY', 'INFO', 'PRACK', 'UPDATE'];
const method = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...METHODS) }, { weight: 1, arbitrary: token(12) });

/** Long name or compact form. */
const name = (long: string, compact?: string) => (compact ? fc.constantFrom(long, compact, long.toLowerCase(), long.toUpperCase()) : fc.constantFrom(long, long.toLowerCase()));

interface Generated {
  bytes: Buffer;
  method: string;
  status: number;
  callId: string;
  seq: number;
  branches: string[];
  body: Buffer;
}

const message = fc
  .record({
    isRequest: fc.boolean(),
    method,
    ruri: requestUri,
    status: fc.integer({ min: 100, max: 699 }),
    reason: fc.string({ unit: chars(`${ALNUM} -'.,`), maxLength: 20 }),
    vias: fc.array(via, { minLength: 1, maxLength: 4 }),
    viaJoin: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
    from: nameAddr(true),
    to: nameAddr(false),
    callId: fc.tuple(token(20), fc.option(domain, { nil: undefined })).map(([a, d]) => (d ? `${a}@${d}` : a)),
    seq: fc.integer({ min: 0, max: 0x7fffffff }),
    maxForwards: fc.option(fc.integer({ min: 0, max: 255 }), { nil: undefined }),
    contact: fc.option(nameAddr(false), { nil: undefined }),
    unknown: fc.array(unknownHeader, { maxLength: 5 }),
    names: fc.record({ via: name('Via', 'v'), from: name('From', 'f'), to: name('To', 't'), callId: name('Call-ID', 'i'), cseq: name('CSeq'), contact: name('Contact', 'm'), length: name('Content-Length', 'l') }),
    body: fc.uint8Array({ maxLength: 200 }),
    withLength: fc.boolean(),
    order: fc.array(fc.nat(), { minLength: 12, maxLength: 12 }),
  })
  .map((g): Generated => {
    const method = g.isRequest ? g.method : '';
    const start = g.isRequest ? `${g.method} ${g.ruri} SIP/2.0` : `SIP/2.0 ${g.status} ${g.reason}`;
    // Vias stay in order; adjacent ones are joined with commas or written on separate lines.
    const viaLines: string[] = [];
    g.vias.forEach((v, i) => {
      if (i > 0 && g.viaJoin[i]) viaLines[viaLines.length - 1] += `, ${v}`;
      else viaLines.push(`${g.names.via}: ${v}`);
    });
    const others = [
      `${g.names.from}: ${g.from}`,
      `${g.names.to}: ${g.to}`,
      `${g.names.callId}: ${g.callId}`,
      `${g.names.cseq}: ${g.seq} ${g.isRequest ? g.method : 'INVITE'}`,
      ...(g.maxForwards === undefined ? [] : [`Max-Forwards: ${g.maxForwards}`]),
      ...(g.contact === undefined ? [] : [`${g.names.contact}: ${g.contact}`]),
      ...g.unknown,
      ...(g.withLength ? [`${g.names.length}: ${g.body.length}`] : []),
    ];
    // Shuffle the non-Via headers deterministically from the generated order keys.
    const shuffled = others.map((h, i) => ({ h, k: g.order[i % g.order.length] * 16 + i })).sort((a, b) => a.k - b.k).map((x) => x.h);
    const head = [start, ...viaLines, ...shuffled].join(CRLF) + CRLF + CRLF;
    const body = Buffer.from(g.body);
    return {
      bytes: Buffer.concat([Buffer.from(head, 'utf8'), body]),
      method,
      status: g.isRequest ? 0 : g.status,
      callId: g.callId,
      seq: g.seq,
      branches: g.vias.map((v) => v.slice(v.indexOf(';branch=') + 8).replace(';rport', '')),
      body,
    };
  });

test('parse → toBuffer is a fixed point and keeps the key fields (well-formed requests and responses)', () => {
  fc.assert(
    fc.property(message, (g) => {
      const m1 = parseMessage(g.bytes);
      const b1 = m1.toBuffer();
      const m2 = parseMessage(b1);
      const b2 = m2.toBuffer();
      assert.deepEqual(b2, b1);
      for (const m of [m1, m2]) {
        assert.equal(m.method, g.method);
        assert.equal(m.status, g.status);
        assert.equal(m.callId, g.callId);
        assert.equal(m.cseq.seq, g.seq);
        assert.deepEqual(m.vias.map((v) => v.params.get('branch')), g.branches);
        assert.deepEqual(m.body, g.body);
        assert.equal(m.fromTag, m1.fromTag);
        assert.equal(m.toTag, m1.toTag);
        assert.equal(m.uri, m1.uri);
        if (m.isRequest) assert.deepEqual(m.requestUri, m1.requestUri);
      }
      assert.notEqual(m1.fromTag, undefined);
    }),
    { numRuns: 1000 },
  );
});

/** Touches everything a caller may read; only SipParseError may come out. */
function exercise(m: SipMessage): void {
  const reads: (() => unknown)[] = [
    () => m.vias,
    () => m.topVia,
    () => m.cseq,
    () => m.callId,
    () => m.from,
    () => m.to,
    () => m.fromTag,
    () => m.toTag,
    () => m.maxForwards,
    () => m.transactionMethod,
    () => (m.isRequest ? m.requestUri : undefined),
    () => m.nameAddrs('contact'),
    () => m.nameAddrs('route'),
    () => m.toBuffer(),
  ];
  for (const read of reads) {
    try {
      read();
    } catch (e) {
      if (!(e instanceof SipParseError)) throw e;
    }
  }
}

/** parseMessage must return or throw SipParseError; an accepted message must serialize to an accepted, stable form. */
function check(input: Buffer): void {
  let m: SipMessage;
  try {
    m = parseMessage(input);
  } catch (e) {
    if (!(e instanceof SipParseError)) throw e;
    assert.ok(e.status === 400 || e.status === 413 || e.status === 414 || e.status === 416 || e.status === 505 || e.status === 513, `status ${e.status}`);
    if (e.partial) exercise(e.partial);
    return;
  }
  exercise(m);
  const again = parseMessage(m.toBuffer());
  assert.deepEqual(again.toBuffer(), m.toBuffer());
}

test('arbitrary bytes never make the parser throw anything but SipParseError', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => check(Buffer.from(bytes))), { numRuns: 2000 });
});

test('arbitrary SIP-looking text never makes the parser throw anything but SipParseError', () => {
  const line = fc.oneof(
    fc.constantFrom('INVITE sip:a@b SIP/2.0', 'SIP/2.0 200 OK', 'Via: SIP/2.0/UDP h;branch=z9hG4bKx', 'From: <sip:a@b>;tag=1', 'To: <sip:b@c>', 'Call-ID: c', 'CSeq: 1 INVITE', 'l: 0', ' folded', ''),
    fc.string({ unit: chars('SIP/2.0 :;<>"@,=\\%[]\t\r\nvlftiab0123456789'), maxLength: 40 }),
  );
  fc.assert(fc.property(fc.array(line, { maxLength: 12 }), (lines) => check(Buffer.from(lines.join(CRLF), 'utf8'))), { numRuns: 2000 });
});

type Mutation =
  | { kind: 'flip'; at: number; byte: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'number'; which: number; text: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.nat(255) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.constantFrom('\r', '\n', '\r\n', '\r\n\r\n', ' ', '\t', ',', ';', '"', '<', '>', ':', '%', '\u0000', '\r\n ') }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 20 }) }),
  fc.record({ kind: fc.constant('number' as const), which: fc.nat(), text: fc.constantFrom('99999999999999999999999999', '-1', '4294967296', '1e9', '0x10', '', '256', '65536') }),
);

function mutate(buf: Buffer, mu: Mutation): Buffer {
  const at = buf.length === 0 ? 0 : (mu as { at?: number }).at ?? 0;
  const i = buf.length === 0 ? 0 : at % (buf.length + 1);
  switch (mu.kind) {
    case 'flip': {
      const out = Buffer.from(buf);
      if (out.length > 0) out[i % out.length] = mu.byte;
      return out;
    }
    case 'truncate':
      return buf.subarray(0, i);
    case 'insert':
      return Buffer.concat([buf.subarray(0, i), Buffer.from(mu.text, 'latin1'), buf.subarray(i)]);
    case 'delete':
      return Buffer.concat([buf.subarray(0, i), buf.subarray(i + mu.length)]);
    case 'number': {
      const s = buf.toString('latin1');
      const runs = [...s.matchAll(/\d+/g)];
      if (runs.length === 0) return buf;
      const r = runs[mu.which % runs.length];
      const start = r.index ?? 0;
      return Buffer.from(s.slice(0, start) + mu.text + s.slice(start + r[0].length), 'latin1');
    }
  }
}

test('mutated valid messages never make the parser throw anything but SipParseError', () => {
  fc.assert(
    fc.property(message, fc.array(mutation, { minLength: 1, maxLength: 4 }), (g, mus) => {
      check(mus.reduce(mutate, g.bytes));
    }),
    { numRuns: 2000 },
  );
});
