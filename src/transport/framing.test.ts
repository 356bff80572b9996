import { test } from 'node:test';
import assert from 'node:assert/strict';
import { INVALID, MISSING, parseContentLength, StreamFramer, type FrameSink } from './framing';

class Recorder implements FrameSink {
  messages: string[] = [];
  pings = 0;
  errors: string[] = [];
  frameMessage(data: Buffer): void { this.messages.push(data.toString('latin1')); }
  framePing(): void { this.pings++; }
  frameError(reason: string): void { this.errors.push(reason); }
}

function framer(max = 65535): { f: StreamFramer; r: Recorder } {
  const r = new Recorder();
  return { f: new StreamFramer(max, r), r };
}

const INVITE = 'INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/TCP a.example.com\r\nContent-Length: 12\r\n\r\nv=0\r\no=x\r\n\r\n';
const BYE = 'BYE sip:bob@example.com SIP/2.0\r\ncontent-length  :   5  \r\nCall-ID: x\r\n\r\nhello';

function lengthOf(headers: string): number {
  const buf = Buffer.from(headers, 'latin1');
  return parseContentLength(buf, 0, buf.indexOf('\r\n\r\n'));
}

test('Content-Length forms: full, compact l, any case, spaces, repeated', () => {
  assert.equal(lengthOf('A\r\nContent-Length: 12\r\n\r\n'), 12);
  assert.equal(lengthOf('A\r\nCONTENT-LENGTH:0\r\n\r\n'), 0);
  assert.equal(lengthOf('A\r\nl: 7\r\n\r\n'), 7);
  assert.equal(lengthOf('A\r\nL :7 \r\n\r\n'), 7);
  assert.equal(lengthOf('A\r\nContent-Length: 7\r\nl: 7\r\n\r\n'), 7);
  assert.equal(lengthOf('A\r\nLocation: 9\r\nMax-Forwards: 70\r\n\r\n'), MISSING);
  assert.equal(lengthOf('A\r\nContent-Length: 7\r\nl: 8\r\n\r\n'), INVALID);
  assert.equal(lengthOf('A\r\nContent-Length: 1x\r\n\r\n'), INVALID);
  assert.equal(lengthOf('A\r\nContent-Length:\r\n\r\n'), INVALID);
  assert.equal(lengthOf('A\r\nContent-Length: 12345678901\r\n\r\n'), INVALID);
});

test('two messages with bodies split at every byte position', () => {
  const both = Buffer.from(INVITE + BYE, 'latin1');
  for (let cut = 0; cut <= both.length; cut++) {
    const { f, r } = framer();
    f.push(both.subarray(0, cut));
    f.push(both.subarray(cut));
    assert.deepEqual(r.messages, [INVITE, BYE], `cut at ${cut}`);
    assert.deepEqual(r.errors, []);
  }
});

test('byte-at-a-time delivery and three-way splits', () => {
  const both = Buffer.from(INVITE + BYE, 'latin1');
  const { f, r } = framer();
  for (let i = 0; i < both.length; i++) f.push(both.subarray(i, i + 1));
  assert.deepEqual(r.messages, [INVITE, BYE]);
  for (let a = 1; a < both.length; a += 7) {
    for (let b = a; b < both.length; b += 5) {
      const t = framer();
      t.f.push(both.subarray(0, a));
      t.f.push(both.subarray(a, b));
      t.f.push(both.subarray(b));
      assert.deepEqual(t.r.messages, [INVITE, BYE], `cuts at ${a}, ${b}`);
    }
  }
});

test('compact l: header frames the body', () => {
  const msg = 'MESSAGE sip:a@b SIP/2.0\r\nl:3\r\n\r\nabc';
  const { f, r } = framer();
  f.push(Buffer.from(msg + msg));
  assert.deepEqual(r.messages, [msg, msg]);
});

test('CRLFCRLF between messages is a ping; a lone CRLF is skipped', () => {
  const { f, r } = framer();
  f.push(Buffer.from('\r\n\r\n' + BYE + '\r\n' + BYE + '\r\n'));
  f.push(Buffer.from('\r\n'));
  assert.equal(r.pings, 2);
  assert.deepEqual(r.messages, [BYE, BYE]);
});

test('a ping split across chunks is still one ping', () => {
  const { f, r } = framer();
  f.push(Buffer.from('\r'));
  f.push(Buffer.from('\n\r'));
  f.push(Buffer.from('\n'));
  assert.equal(r.pings, 1);
  assert.deepEqual(r.messages, []);
});

test('missing Content-Length is a framing error and stops the framer', () => {
  const { f, r } = framer();
  f.push(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nCall-ID: 1\r\n\r\n' + BYE));
  assert.deepEqual(r.errors, ['missing Content-Length on a stream transport']);
  assert.deepEqual(r.messages, []);
  f.push(Buffer.from(BYE));
  assert.deepEqual(r.messages, [], 'nothing is delivered after an error');
});

test('a message over the size limit is an error, by Content-Length or by endless headers', () => {
  const big = framer(100);
  big.f.push(Buffer.from('MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 200\r\n\r\n'));
  assert.equal(big.r.errors.length, 1);
  assert.match(big.r.errors[0], /exceeds 100/);

  const endless = framer(100);
  for (let i = 0; i < 10; i++) endless.f.push(Buffer.from('X-Filler: 0123456789\r\n'));
  assert.equal(endless.r.errors.length, 1);
  assert.match(endless.r.errors[0], /without CRLFCRLF/);
});

test('a message exactly at the size limit passes', () => {
  const { f, r } = framer(Buffer.byteLength(BYE));
  f.push(Buffer.from(BYE));
  assert.deepEqual(r.messages, [BYE]);
});

test('stop() inside a message callback suppresses the rest of the chunk', () => {
  const r = new Recorder();
  const f: StreamFramer = new StreamFramer(65535, {
    frameMessage: (d) => { r.frameMessage(d); f.stop(); },
    framePing: () => r.framePing(),
    frameError: (reason) => r.frameError(reason),
  });
  f.push(Buffer.from(BYE + BYE));
  assert.deepEqual(r.messages, [BYE]);
});
