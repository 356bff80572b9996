// Malformed and refused requests sent as raw datagrams (node:dgram) and over a raw TCP socket
// (node:net) to the real sipd: the status codes it answers, and that garbage does not hurt it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { DOMAIN, HOST, Sipd, alive, killStrays, pingOptions } from './harness';

// ---- Raw SIP messages ---------------------------------------------------------------------------

interface RequestSpec {
  method: string;
  uri: string;
  /** Port the Via names (the sender's own port). */
  localPort: number;
  transport?: 'UDP' | 'TCP';
  version?: string;
  /** Header names (as written below) to leave out. */
  omit?: string[];
  extra?: string[];
  body?: string;
  maxForwards?: number;
  /** Write Content-Length (default true). */
  contentLength?: boolean;
}

interface Built {
  text: string;
  branch: string;
  callId: string;
}

function buildRequest(spec: RequestSpec): Built {
  const branch = `z9hG4bK${randomBytes(8).toString('hex')}`;
  const callId = `raw-${randomBytes(8).toString('hex')}`;
  const body = spec.body ?? '';
  const headers: Array<[string, string]> = [
    ['Via', `SIP/2.0/${spec.transport ?? 'UDP'} ${HOST}:${spec.localPort};branch=${branch};rport`],
    ['From', `<sip:tester@${DOMAIN}>;tag=${randomBytes(4).toString('hex')}`],
    ['To', `<${spec.uri.startsWith('sip:') ? spec.uri : `sip:someone@${DOMAIN}`}>`],
    ['Call-ID', callId],
    ['CSeq', `1 ${spec.method}`],
    ['Max-Forwards', String(spec.maxForwards ?? 70)],
  ];
  const lines = [`${spec.method} ${spec.uri} ${spec.version ?? 'SIP/2.0'}`];
  for (const [name, value] of headers) if (!spec.omit?.includes(name)) lines.push(`${name}: ${value}`);
  lines.push(...(spec.extra ?? []));
  if (body !== '') lines.push('Content-Type: text/plain');
  if (spec.contentLength ?? true) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return { text: `${lines.join('\r\n')}\r\n\r\n${body}`, branch, callId };
}

function statusLine(text: string): string {
  return text.slice(0, text.indexOf('\r\n'));
}

function statusCode(text: string): number | null {
  const m = /^SIP\/2\.0 (\d{3})/.exec(text);
  return m ? Number(m[1]) : null;
}

function headerLines(text: string, name: string): string[] {
  const wanted = name.toLowerCase();
  return text
    .split('\r\n\r\n')[0]
    .split('\r\n')
    .slice(1)
    .filter((l) => l.slice(0, l.indexOf(':')).trim().toLowerCase() === wanted)
    .map((l) => l.slice(l.indexOf(':') + 1).trim());
}

/** A response echoing a request's Via, From, To (tagged), Call-ID and CSeq. */
function buildResponse(req: string, status: string): string {
  const lines = [`SIP/2.0 ${status}`];
  for (const v of headerLines(req, 'via')) lines.push(`Via: ${v}`);
  lines.push(`From: ${headerLines(req, 'from')[0]}`);
  const to = headerLines(req, 'to')[0];
  lines.push(`To: ${/;\s*tag=/i.test(to) ? to : `${to};tag=${randomBytes(4).toString('hex')}`}`);
  lines.push(`Call-ID: ${headerLines(req, 'call-id')[0]}`, `CSeq: ${headerLines(req, 'cseq')[0]}`, 'Content-Length: 0', '', '');
  return lines.join('\r\n');
}

// ---- A UDP endpoint that keeps every datagram it receives ---------------------------------------

class UdpPeer {
  private readonly inbox: string[] = [];
  private waiters: Array<() => void> = [];

  private constructor(private readonly sock: UdpSocket) {
    sock.on('message', (buf) => {
      this.inbox.push(buf.toString('latin1'));
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w();
    });
  }

  static open(): Promise<UdpPeer> {
    const sock = createSocket('udp4');
    return new Promise((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(0, HOST, () => resolve(new UdpPeer(sock)));
    });
  }

  get port(): number {
    return this.sock.address().port;
  }

  send(data: string | Buffer, port: number): void {
    this.sock.send(typeof data === 'string' ? Buffer.from(data, 'latin1') : data, port, HOST);
  }

  /** The first datagram not yet taken that matches, or null after timeoutMs. */
  async next(match: (text: string) => boolean, timeoutMs: number): Promise<string | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.inbox.findIndex(match);
      if (index >= 0) return this.inbox.splice(index, 1)[0];
      const left = deadline - Date.now();
      if (left <= 0) return null;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Everything received so far (and not taken). */
  get received(): readonly string[] {
    return this.inbox;
  }

  close(): void {
    this.sock.close();
  }
}

/** The final (>= 200) response carrying this branch, or null after timeoutMs. */
function finalFor(peer: UdpPeer, branch: string, timeoutMs = 4000): Promise<string | null> {
  return peer.next((t) => (statusCode(t) ?? 0) >= 200 && t.includes(branch), timeoutMs);
}

/** Acknowledges a non-2xx final response to an INVITE (same branch, hop by hop). */
function ackFor(peer: UdpPeer, sipd: Sipd, invite: Built, response: string, uri: string): void {
  const lines = [
    `ACK ${uri} SIP/2.0`,
    `Via: SIP/2.0/UDP ${HOST}:${peer.port};branch=${invite.branch};rport`,
    `From: ${headerLines(response, 'from')[0]}`,
    `To: ${headerLines(response, 'to')[0]}`,
    `Call-ID: ${invite.callId}`,
    'CSeq: 1 ACK',
    'Max-Forwards: 70',
    'Content-Length: 0',
  ];
  peer.send(`${lines.join('\r\n')}\r\n\r\n`, sipd.port);
}

/** REGISTERs `user` with a Contact at the peer's UDP port; asserts the 200. */
async function registerAt(sipd: Sipd, peer: UdpPeer, user: string): Promise<void> {
  const req = buildRequest({
    method: 'REGISTER', uri: `sip:${DOMAIN}`, localPort: peer.port,
    extra: [`Contact: <sip:${user}@${HOST}:${peer.port};transport=udp>`, 'Expires: 3600'],
  });
  const text = req.text.replace(/^To: .*$/m, `To: <sip:${user}@${DOMAIN}>`).replace(/^From: <sip:tester@/m, `From: <sip:${user}@`);
  peer.send(text, sipd.port);
  const res = await finalFor(peer, req.branch);
  assert.equal(res && statusCode(res), 200, `REGISTER ${user}: ${res ?? 'no answer'}\n${sipd.diagnostics()}`);
}

// ---- TCP ---------------------------------------------------------------------------------------

function openTcp(port: number): Promise<Socket> {
  const socket = connect(port, HOST);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Resolves true when the peer closes the connection within timeoutMs; collects what it sent. */
function closedWithin(socket: Socket, timeoutMs: number, got: { data: string }): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    socket.on('data', (c: Buffer) => (got.data += c.toString('latin1')));
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
    socket.on('error', () => undefined);
  });
}

describe('malformed and refused requests', () => {
  let sipd: Sipd;
  let probe: UdpPeer;
  const peers: UdpPeer[] = [];
  before(async () => {
    sipd = await Sipd.launch({ MaxBodySize: 100 });
    probe = await UdpPeer.open();
    peers.push(probe);
  });
  after(async () => {
    for (const p of peers) p.close();
    await killStrays();
    await sipd?.dispose();
  });

  const me = (): string => `sip:${HOST}:${sipd.port}`;

  test('a request without Call-ID gets 400 whose reason phrase names Call-ID', async () => {
    const req = buildRequest({ method: 'OPTIONS', uri: me(), localPort: probe.port, omit: ['Call-ID'] });
    probe.send(req.text, sipd.port);
    const res = await finalFor(probe, req.branch);
    assert.ok(res, `no answer to a request without Call-ID\n${sipd.diagnostics()}`);
    assert.equal(statusCode(res), 400, statusLine(res));
    assert.match(statusLine(res), /Call-ID/i, `the reason phrase names the missing header: ${statusLine(res)}`);
  });

  test('SIP/3.0 gets 505', async () => {
    const req = buildRequest({ method: 'OPTIONS', uri: me(), localPort: probe.port, version: 'SIP/3.0' });
    probe.send(req.text, sipd.port);
    const res = await finalFor(probe, req.branch);
    assert.ok(res, `no answer to SIP/3.0\n${sipd.diagnostics()}`);
    assert.equal(statusCode(res), 505, statusLine(res));
  });

  test('INVITE isbn:123 (unknown Request-URI scheme) gets 416', async () => {
    const req = buildRequest({ method: 'INVITE', uri: 'isbn:123', localPort: probe.port });
    probe.send(req.text, sipd.port);
    const res = await finalFor(probe, req.branch);
    assert.ok(res, `no answer to isbn:123\n${sipd.diagnostics()}`);
    assert.equal(statusCode(res), 416, statusLine(res));
    ackFor(probe, sipd, req, res, 'isbn:123');
  });

  test('a body larger than MaxBodySize 100 gets 413; one within it does not', async () => {
    const big = buildRequest({ method: 'OPTIONS', uri: me(), localPort: probe.port, body: 'x'.repeat(200) });
    probe.send(big.text, sipd.port);
    const res = await finalFor(probe, big.branch);
    assert.ok(res, `no answer to a 200-byte body\n${sipd.diagnostics()}`);
    assert.equal(statusCode(res), 413, statusLine(res));

    const small = buildRequest({ method: 'OPTIONS', uri: me(), localPort: probe.port, body: 'x'.repeat(50) });
    probe.send(small.text, sipd.port);
    const ok = await finalFor(probe, small.branch);
    assert.equal(ok && statusCode(ok), 200, `a 50-byte body is accepted: ${ok ?? 'no answer'}`);
  });

  test('garbage datagrams get no answer and sipd keeps answering OPTIONS', async () => {
    const truncated = buildRequest({ method: 'INVITE', uri: `sip:bob@${DOMAIN}`, localPort: probe.port }).text;
    const garbage: Array<[string, Buffer]> = [
      ['random bytes', randomBytes(300)],
      ['a lone CRLF', Buffer.from('\r\n')],
      ['a binary blob', Buffer.from(Array.from({ length: 1024 }, (_, i) => (i * 37) % 256))],
      ['a truncated INVITE', Buffer.from(truncated.slice(0, truncated.indexOf('Call-ID') + 12), 'latin1')],
      ['NUL bytes', Buffer.alloc(64)],
      ['a start line only', Buffer.from('OPTIONS sip:x SIP/2.0')],
    ];
    const fresh = await UdpPeer.open();
    peers.push(fresh);
    for (const [, bytes] of garbage) fresh.send(bytes, sipd.port);
    const anything = await fresh.next(() => true, 1500);
    assert.equal(anything, null, `sipd answered garbage: ${anything}`);

    assert.ok(alive(sipd.pid), `sipd died after garbage\n${sipd.diagnostics()}`);
    assert.equal(await pingOptions(HOST, sipd.port, 3000), 200, `OPTIONS after garbage\n${sipd.diagnostics()}`);
    assert.ok(alive(sipd.pid), 'sipd is still alive');
  });

  test('Max-Forwards 0 gets 483', async () => {
    const uri = `sip:nobody@${DOMAIN}`;
    const req = buildRequest({ method: 'INVITE', uri, localPort: probe.port, maxForwards: 0 });
    probe.send(req.text, sipd.port);
    const res = await finalFor(probe, req.branch);
    assert.ok(res, `no answer to Max-Forwards 0\n${sipd.diagnostics()}`);
    assert.equal(statusCode(res), 483, statusLine(res));
    ackFor(probe, sipd, req, res, uri);
  });

  test('an unknown Proxy-Require gets 420 with Unsupported naming the tag, nothing forwarded', async () => {
    const callee = await UdpPeer.open();
    peers.push(callee);
    await registerAt(sipd, callee, 'pat');
    const uri = `sip:pat@${DOMAIN}`;
    const req = buildRequest({ method: 'OPTIONS', uri, localPort: probe.port, extra: ['Proxy-Require: foo'] });
    probe.send(req.text, sipd.port);
    const res = await finalFor(probe, req.branch);
    assert.ok(res, `no answer to Proxy-Require: foo\n${sipd.diagnostics()}`);
    assert.equal(statusCode(res), 420, statusLine(res));
    assert.deepEqual(headerLines(res, 'unsupported'), ['foo'], res);
    assert.equal(await callee.next((t) => t.startsWith('OPTIONS '), 500), null, 'the request was not forwarded');
  });

  test('over TCP: a message without Content-Length closes the connection; a new connection is served', async () => {
    const first = await openTcp(sipd.port);
    const got = { data: '' };
    const closed = closedWithin(first, 5000, got);
    const req = buildRequest({ method: 'OPTIONS', uri: me(), localPort: first.localPort ?? 0, transport: 'TCP', contentLength: false });
    first.write(req.text);
    assert.ok(await closed, `sipd kept the connection open after a message without Content-Length (got: ${JSON.stringify(got.data)})`);
    assert.ok(!/^SIP\/2\.0 200/m.test(got.data), `the message without Content-Length was not processed: ${got.data}`);

    const second = await openTcp(sipd.port);
    const answer = { data: '' };
    const done = closedWithin(second, 3000, answer);
    const ok = buildRequest({ method: 'OPTIONS', uri: me(), localPort: second.localPort ?? 0, transport: 'TCP' });
    second.write(ok.text);
    const deadline = Date.now() + 4000;
    while (!answer.data.includes(ok.branch) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    second.destroy();
    await done;
    assert.match(answer.data, /^SIP\/2\.0 200 /, `OPTIONS on a new TCP connection: ${answer.data}\n${sipd.diagnostics()}`);
    assert.ok(answer.data.includes(ok.branch), 'the 200 answers that OPTIONS');
    assert.ok(alive(sipd.pid), 'sipd is alive');
  });
});

describe('IgnoreProxyRequire foo', () => {
  let sipd: Sipd;
  const peers: UdpPeer[] = [];
  before(async () => {
    sipd = await Sipd.launch({ IgnoreProxyRequire: 'foo' });
  });
  after(async () => {
    for (const p of peers) p.close();
    await killStrays();
    await sipd?.dispose();
  });

  test('a request with Proxy-Require: foo is forwarded to the registered callee and its 200 relayed', async () => {
    const caller = await UdpPeer.open();
    const callee = await UdpPeer.open();
    peers.push(caller, callee);
    await registerAt(sipd, callee, 'quinn');
    const uri = `sip:quinn@${DOMAIN}`;
    const req = buildRequest({ method: 'OPTIONS', uri, localPort: caller.port, extra: ['Proxy-Require: foo'] });
    caller.send(req.text, sipd.port);

    const forwarded = await callee.next((t) => t.startsWith('OPTIONS ') && t.includes(req.callId), 4000);
    assert.ok(forwarded, `the OPTIONS with Proxy-Require: foo reached the callee\ncaller got: ${caller.received.join('\n---\n')}\n${sipd.diagnostics()}`);
    const vias = headerLines(forwarded, 'via');
    assert.ok(vias[0].includes(sipd.address), `forwarded by sipd: ${vias[0]}`);
    assert.deepEqual(headerLines(forwarded, 'proxy-require'), ['foo'], 'Proxy-Require is passed on');
    callee.send(buildResponse(forwarded, '200 OK'), sipd.port);

    const res = await finalFor(caller, req.branch);
    assert.equal(res && statusCode(res), 200, `the callee's 200 came back: ${res ?? 'no answer'}`);
  });
});
