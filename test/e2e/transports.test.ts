// Calls through the real sipd over TCP, mixed UDP/TCP, and IPv6 loopback.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { appendFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { after, describe, test } from 'node:test';
import {
  DOMAIN, HOST, Sipd, explain, freePort, headerValues, killStrays, receivedRequests, runSipp,
  type Directives, type SippResult,
} from './harness';
import { SIPP_AVAILABLE, answer, dial, isSipdVia, newPeer, register } from './peers';
import { finalStatuses, topVia } from './sip-assert';

const skip = !SIPP_AVAILABLE && 'sipp not installed';

function assertOk(res: SippResult, who: string, sipd: Sipd): void {
  assert.equal(res.code, 0, `${who}: ${explain(res)}\n${sipd.diagnostics()}`);
}

// ---- A tiny SIP user agent over raw TCP sockets -------------------------------------------------

interface StreamMessage {
  /** Which socket it arrived on: 'registration' (the connection the REGISTER used) or 'accepted'. */
  via: 'registration' | 'accepted';
  socket: Socket;
  text: string;
}

/** Splits a TCP byte stream into SIP messages (headers, then Content-Length bytes of body). */
function frameStream(socket: Socket, onMessage: (text: string) => void): void {
  let buffered = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    for (;;) {
      while (buffered.length >= 2 && buffered.subarray(0, 2).toString('latin1') === '\r\n') buffered = buffered.subarray(2);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buffered.subarray(0, end).toString('latin1');
      const length = /^(?:content-length|l)\s*:\s*(\d+)/im.exec(head);
      const total = end + 4 + (length ? Number(length[1]) : 0);
      if (buffered.length < total) return;
      onMessage(buffered.subarray(0, total).toString('latin1'));
      buffered = buffered.subarray(total);
    }
  });
}

function header(text: string, name: string): string[] {
  const head = text.split('\r\n\r\n')[0];
  const names = name.toLowerCase() === 'via' ? ['via', 'v'] : name.toLowerCase() === 'call-id' ? ['call-id', 'i'] : [name.toLowerCase()];
  return head
    .split('\r\n')
    .slice(1)
    .filter((l) => names.includes(l.slice(0, l.indexOf(':')).trim().toLowerCase()))
    .map((l) => l.slice(l.indexOf(':') + 1).trim());
}

/**
 * A callee that registers over its own TCP connection to sipd and also listens on the port its
 * Contact names, so a test can tell which of the two ways sipd used to reach it.
 */
class TcpCallee {
  private readonly inbox: StreamMessage[] = [];
  private waiters: Array<() => void> = [];
  private readonly sockets: Socket[] = [];
  registration!: Socket;

  private constructor(readonly user: string, readonly listener: Server, readonly contactPort: number) {}

  static async open(user: string): Promise<TcpCallee> {
    const contactPort = await freePort();
    const server = createServer();
    const callee = new TcpCallee(user, server, contactPort);
    server.on('connection', (s) => callee.adopt(s, 'accepted'));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(contactPort, HOST, () => resolve());
    });
    return callee;
  }

  private adopt(socket: Socket, via: StreamMessage['via']): void {
    this.sockets.push(socket);
    socket.on('error', () => undefined);
    frameStream(socket, (text) => {
      this.inbox.push({ via, socket, text });
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w();
    });
  }

  async connect(sipd: Sipd): Promise<void> {
    const socket = connect(sipd.port, HOST);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    });
    this.registration = socket;
    this.adopt(socket, 'registration');
  }

  get contact(): string {
    return `<sip:${this.user}@${HOST}:${this.contactPort};transport=tcp>`;
  }

  /** The first message not yet taken that matches, waiting up to timeoutMs. */
  async next(match: (m: StreamMessage) => boolean, what: string, timeoutMs = 8000): Promise<StreamMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.inbox.findIndex(match);
      if (index >= 0) return this.inbox.splice(index, 1)[0];
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`callee ${this.user}: no ${what} within ${timeoutMs} ms; left over:\n${this.inbox.map((m) => m.text).join('\n---\n')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async register(sipd: Sipd): Promise<string> {
    const local = this.registration.localPort;
    const callId = `tcpreg-${randomBytes(6).toString('hex')}`;
    this.registration.write([
      `REGISTER sip:${DOMAIN} SIP/2.0`,
      `Via: SIP/2.0/TCP ${HOST}:${local};branch=z9hG4bK${randomBytes(6).toString('hex')};rport`,
      `From: <sip:${this.user}@${DOMAIN}>;tag=${randomBytes(4).toString('hex')}`,
      `To: <sip:${this.user}@${DOMAIN}>`,
      `Call-ID: ${callId}`,
      'CSeq: 1 REGISTER',
      `Contact: ${this.contact}`,
      'Expires: 3600',
      'Max-Forwards: 70',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'));
    const res = await this.next((m) => header(m.text, 'call-id')[0] === callId, `answer to the REGISTER sent to ${sipd.address}`);
    return res.text.split('\r\n')[0];
  }

  /** Answers a request on the connection it came in on, echoing the dialog headers. */
  reply(req: StreamMessage, status: string, toTag: string, extra: string[] = [], body = ''): void {
    const lines = [`SIP/2.0 ${status}`];
    for (const v of header(req.text, 'via')) lines.push(`Via: ${v}`);
    for (const r of header(req.text, 'record-route')) lines.push(`Record-Route: ${r}`);
    lines.push(`From: ${header(req.text, 'from')[0]}`);
    const to = header(req.text, 'to')[0];
    lines.push(`To: ${/;\s*tag=/i.test(to) ? to : `${to};tag=${toTag}`}`);
    lines.push(`Call-ID: ${header(req.text, 'call-id')[0]}`, `CSeq: ${header(req.text, 'cseq')[0]}`, ...extra);
    lines.push(`Content-Length: ${Buffer.byteLength(body)}`, '', body);
    req.socket.write(lines.join('\r\n'));
  }

  close(): void {
    for (const s of this.sockets) s.destroy();
    this.listener.close();
  }
}

function isRequest(method: string): (m: StreamMessage) => boolean {
  return (m) => m.text.startsWith(`${method} `);
}

// ---- IPv6 -----------------------------------------------------------------------------------------

/** True when a UDP socket can be bound on ::1. */
function ipv6LoopbackWorks(): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createSocket('udp6');
    sock.once('error', () => resolve(false));
    sock.bind(0, '::1', () => sock.close(() => resolve(true)));
  });
}

describe('transports', { skip }, () => {
  const servers: Sipd[] = [];
  const callees: TcpCallee[] = [];
  after(async () => {
    for (const c of callees) c.close();
    await killStrays();
    await Promise.all(servers.map((s) => s.dispose()));
  });

  async function launch(directives: Directives): Promise<Sipd> {
    const sipd = await Sipd.launch(directives);
    servers.push(sipd);
    return sipd;
  }

  test('TCP end to end: record-routed call (REGISTER, INVITE, ACK, BYE) with ;transport=tcp in Record-Route', async () => {
    const sipd = await launch({ AddRecordRoute: 'On' });
    const callee = await newPeer('bob');
    const reg = await register(sipd, callee, { transport: 't1' });
    assertOk(reg, 'REGISTER over TCP', sipd);
    assert.deepEqual(finalStatuses(reg.messages, 'REGISTER'), [200]);

    const uas = answer(callee, 'uas-answer-rr.xml', { transport: 't1' });
    const caller = await dial(sipd, await newPeer('alice'), 'bob', 'uac-call.xml', { transport: 't1' });
    const calleeRes = await uas.done;
    assertOk(caller, 'caller over TCP', sipd);
    assertOk(calleeRes, 'callee over TCP', sipd);

    const invite = receivedRequests(calleeRes.messages, 'INVITE')[0];
    assert.ok(invite, `the callee received the INVITE:\n${calleeRes.messages}`);
    const inviteVia = topVia(invite);
    assert.ok(isSipdVia(sipd, inviteVia), `INVITE forwarded by sipd: ${inviteVia}`);
    assert.match(inviteVia, /^SIP\/2\.0\/TCP /i, 'sipd forwarded the INVITE over TCP');
    const sipdRr = headerValues(invite, 'record-route').filter((v) => v.includes(sipd.address));
    assert.ok(sipdRr.length > 0, `Record-Route names sipd:\n${invite.text}`);
    assert.ok(sipdRr.some((v) => /;transport=tcp/i.test(v)), `sipd's Record-Route carries ;transport=tcp: ${sipdRr.join(' | ')}`);
    for (const method of ['ACK', 'BYE']) {
      const req = receivedRequests(calleeRes.messages, method)[0];
      assert.ok(req && isSipdVia(sipd, topVia(req)), `${method} reached the callee through sipd:\n${calleeRes.messages.slice(-3000)}`);
      assert.match(topVia(req), /^SIP\/2\.0\/TCP /i, `${method} crossed sipd over TCP`);
    }
    assert.deepEqual(finalStatuses(caller.messages, 'INVITE'), [200]);
    assert.deepEqual(finalStatuses(caller.messages, 'BYE'), [200], 'the BYE was answered 200 end to end');
  });

  test('UDP caller, TCP callee: sipd reaches the callee over the connection it registered on', async () => {
    const sipd = await launch({ AddRecordRoute: 'On' });
    const callee = await TcpCallee.open('dana');
    callees.push(callee);
    await callee.connect(sipd);
    const regStatus = await callee.register(sipd);
    assert.match(regStatus, /^SIP\/2\.0 200 /, 'REGISTER over TCP accepted');

    const call = dial(sipd, await newPeer('alice'), 'dana', 'uac-call.xml', { pauseMs: 200, timeoutSec: 12 });
    const invite = await callee.next(isRequest('INVITE'), 'INVITE');
    assert.equal(invite.via, 'registration', 'the INVITE came over the REGISTER\'s connection, not a new one to the Contact port');
    assert.ok(isSipdVia(sipd, header(invite.text, 'via')[0]), `INVITE forwarded by sipd:\n${invite.text}`);
    assert.match(header(invite.text, 'via')[0], /^SIP\/2\.0\/TCP /i, 'sipd sent the INVITE over TCP');

    const tag = randomBytes(4).toString('hex');
    const contact = `Contact: ${callee.contact}`;
    callee.reply(invite, '180 Ringing', tag, [contact]);
    const sdp = ['v=0', 'o=callee 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 40000 RTP/AVP 0', ''].join('\r\n');
    callee.reply(invite, '200 OK', tag, [contact, 'Content-Type: application/sdp'], sdp);
    const ack = await callee.next(isRequest('ACK'), 'ACK');
    assert.ok(isSipdVia(sipd, header(ack.text, 'via')[0]), `ACK came through sipd:\n${ack.text}`);
    const bye = await callee.next(isRequest('BYE'), 'BYE');
    callee.reply(bye, '200 OK', tag);

    const caller = await call;
    assertOk(caller, 'UDP caller', sipd);
    assert.deepEqual(finalStatuses(caller.messages, 'INVITE'), [200]);
    assert.deepEqual(finalStatuses(caller.messages, 'BYE'), [200], 'the BYE reached the TCP callee and its 200 came back');
  });

  test('IPv6 loopback: REGISTER and a record-routed call over [::1]; Via and Record-Route hold [::1]', async () => {
    assert.ok(await ipv6LoopbackWorks(), 'IPv6 loopback (::1) is not available on this machine: cannot bind a UDP socket to ::1');
    const sipd = await Sipd.create({ AddRecordRoute: 'On' });
    servers.push(sipd);
    const port6 = await freePort();
    appendFileSync(sipd.confPath, `Listen [::1]:${port6}\n`);
    await sipd.start();
    const target6 = `[::1]:${port6}`;
    const v6 = ['-i', '::1'];

    const callee = await newPeer('carol');
    const reg = await runSipp({
      scenario: 'register.xml', target: target6, localPort: callee.port, traceMsg: true, extraArgs: v6,
      keys: { user: 'carol', domain: DOMAIN, contact: `<sip:carol@[::1]:${callee.port};transport=udp>`, expires: '3600' },
    });
    assertOk(reg, 'REGISTER over IPv6', sipd);
    assert.deepEqual(finalStatuses(reg.messages, 'REGISTER'), [200]);

    const uas = answer(callee, 'uas-answer-rr.xml', { extraArgs: v6 });
    const caller = await dial(sipd, await newPeer('alice'), 'carol', 'uac-call.xml', { target: target6, extraArgs: v6 });
    const calleeRes = await uas.done;
    assertOk(caller, 'caller over IPv6', sipd);
    assertOk(calleeRes, 'callee over IPv6', sipd);

    const invite = receivedRequests(calleeRes.messages, 'INVITE')[0];
    assert.ok(invite, `the callee received the INVITE:\n${calleeRes.messages}`);
    const via = topVia(invite);
    assert.ok(via.includes(`[::1]:${port6}`) && /;\s*branch=z9hG4bK/i.test(via), `sipd's Via names [::1]:${port6}: ${via}`);
    const rr = headerValues(invite, 'record-route');
    assert.ok(rr.some((v) => v.includes(`[::1]:${port6}`)), `sipd's Record-Route names [::1]:${port6}: ${rr.join(' | ')}`);
    assert.deepEqual(finalStatuses(caller.messages, 'BYE'), [200], 'the BYE crossed sipd over IPv6 and was answered');
    const bye = receivedRequests(calleeRes.messages, 'BYE')[0];
    assert.ok(bye && topVia(bye).includes(`[::1]:${port6}`), `BYE came through sipd over IPv6:\n${bye?.text}`);
  });
});
