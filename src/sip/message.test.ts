// SipMessage: pass-through of untouched headers, list editing, generated responses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessage } from './parser';
import { SipParseError } from './errors';
import { createResponse } from './response';

const CRLF = '\r\n';

function text(lines: string[], body = ''): string {
  return lines.join(CRLF) + CRLF + CRLF + body;
}

const HEAD = [
  'INVITE sip:bo@example.net SIP/2.0',
  'v: SIP/2.0/UDP  edge.example.org:5060 ;branch=z9hG4bKmsg1;rport',
  'Via: SIP/2.0/TCP inner.example.org;branch=z9hG4bKmsg0, SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKmsgA',
  'Record-Route: <sip:rr2.example.org;lr>, <sip:rr1.example.org;lr>',
  'Route: <sip:p1.example.net;lr>,<sip:p2.example.net;lr>',
  'Max-Forwards:69',
  'FROM:   "Ann  A." <sip:ann@example.org>;tag=aa11  ',
  'To: Bo <sip:bo@example.net>',
  'i: pass-through-1@example.org',
  'CSeq: 314159 INVITE',
  'X-Custom:keep   odd    spacing',
  'Contact: <sip:ann@192.0.2.1:5060;transport=udp>;expires=60',
  'Subject:',
  'Content-Type: application/sdp',
];

test('an untouched message is written back byte for byte', () => {
  const body = 'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n';
  const input = text([...HEAD, `Content-Length: ${body.length}`], body);
  const m = parseMessage(Buffer.from(input));
  assert.equal(m.toBuffer().toString('utf8'), input);
  assert.deepEqual(m.toBuffer(), Buffer.from(input));
});

test('Content-Length is rewritten to the real body length, in place and with the name as written', () => {
  const input = text([...HEAD.slice(0, 5), 'l :   4', ...HEAD.slice(5)], 'bodyEXTRA');
  const m = parseMessage(Buffer.from(input));
  assert.equal(m.body.toString(), 'body');
  const out = m.toBuffer().toString('utf8');
  const lines = out.split(CRLF);
  assert.equal(lines[5], 'l: 4');
  assert.equal(out, input.replace('l :   4', 'l: 4').replace('bodyEXTRA', 'body'));
});

test('a missing Content-Length is added after the headers; duplicates are folded into one', () => {
  const input = text(HEAD);
  const out = parseMessage(Buffer.from(input)).toString();
  assert.equal(out, text([...HEAD, 'Content-Length: 0']));
  const twice = text([...HEAD, 'Content-Length: 2', 'Content-Length: 2'], 'hi');
  const out2 = parseMessage(Buffer.from(twice)).toString();
  assert.equal(out2.match(/Content-Length/g)?.length, 1);
  assert.ok(out2.endsWith('Content-Length: 2\r\n\r\nhi'));
});

test('headers keep their order and spelling; folded lines are joined', () => {
  const input = text(['OPTIONS sip:bo@example.net SIP/2.0', 'Via: SIP/2.0/UDP h;branch=z9hG4bKf', 'X-A: 1', 'From: <sip:a@h>;tag=1', 'X-Folded: one', '  two', 'To: <sip:b@h>', 'Call-ID: f', 'CSeq: 1 OPTIONS', 'x-a: 2']);
  const m = parseMessage(Buffer.from(input));
  assert.deepEqual(m.headers.map((h) => h.name), ['Via', 'X-A', 'From', 'X-Folded', 'To', 'Call-ID', 'CSeq', 'x-a']);
  assert.deepEqual(m.getAll('X-A'), ['1', '2']);
  assert.ok(m.toString().includes('\r\nX-Folded: one two\r\n'));
});

test('vias lists every Via value across lines and commas, compact form included', () => {
  const m = parseMessage(Buffer.from(text(HEAD)));
  assert.deepEqual(m.vias.map((v) => v.params.get('branch')), ['z9hG4bKmsg1', 'z9hG4bKmsg0', 'z9hG4bKmsgA']);
  assert.equal(m.topVia.host, 'edge.example.org');
  assert.equal(m.topVia.params.get('rport'), null);
});

test('prepend puts a Via on top and removeFirst takes it off again, leaving the rest as written', () => {
  const input = text(HEAD);
  const m = parseMessage(Buffer.from(input));
  m.prepend('Via', 'SIP/2.0/UDP proxy.example.com;branch=z9hG4bKnew');
  assert.equal(m.topVia.host, 'proxy.example.com');
  assert.equal(m.vias.length, 4);
  assert.ok(m.toString().includes('\r\nVia: SIP/2.0/UDP proxy.example.com;branch=z9hG4bKnew\r\nv: SIP/2.0/UDP  edge'));
  assert.equal(m.removeFirst('via'), 'SIP/2.0/UDP proxy.example.com;branch=z9hG4bKnew');
  assert.equal(m.toString(), text([...HEAD, 'Content-Length: 0']));
});

test('removeFirst on a comma-joined Via line keeps the remaining values', () => {
  const m = parseMessage(Buffer.from(text(HEAD)));
  assert.equal(m.removeFirst('v'), 'SIP/2.0/UDP  edge.example.org:5060 ;branch=z9hG4bKmsg1;rport');
  assert.equal(m.topVia.host, 'inner.example.org');
  assert.equal(m.removeFirst('via'), 'SIP/2.0/TCP inner.example.org;branch=z9hG4bKmsg0');
  assert.deepEqual(m.vias.map((v) => v.host), ['192.0.2.1']);
  assert.equal(m.getAll('via').length, 1);
  // The remaining value stays on a Via line, and the message still parses.
  const again = parseMessage(m.toBuffer());
  assert.equal(again.topVia.params.get('branch'), 'z9hG4bKmsgA');
  assert.equal(m.removeFirst('via'), 'SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKmsgA');
  assert.equal(m.vias.length, 0);
  assert.equal(m.removeFirst('via'), undefined);
  assert.throws(() => m.topVia, SipParseError);
});

test('Route: removeFirst pops the first comma-joined entry; prepend adds above', () => {
  const m = parseMessage(Buffer.from(text(HEAD)));
  assert.deepEqual(m.nameAddrs('route').map((r) => r.uri.host), ['p1.example.net', 'p2.example.net']);
  assert.equal(m.removeFirst('Route'), '<sip:p1.example.net;lr>');
  assert.deepEqual(m.nameAddrs('route').map((r) => r.uri.host), ['p2.example.net']);
  m.prepend('Route', '<sip:p0.example.net;lr>');
  assert.deepEqual(m.getAll('route'), ['<sip:p0.example.net;lr>', '<sip:p2.example.net;lr>']);
  m.prepend('Record-Route', '<sip:rr3.example.org;lr>');
  assert.deepEqual(m.nameAddrs('record-route').map((r) => r.uri.host), ['rr3.example.org', 'rr2.example.org', 'rr1.example.org']);
  m.append('Record-Route', '<sip:rr0.example.org;lr>');
  assert.equal(m.getAll('record-route').at(-1), '<sip:rr0.example.org;lr>');
  assert.equal(m.get('record-route'), '<sip:rr3.example.org;lr>');
});

test('prepend of a header that is not there puts it at the top; append at the end', () => {
  const m = parseMessage(Buffer.from(text(HEAD)));
  m.prepend('Path', '<sip:edge.example.org;lr>');
  assert.equal(m.headers[0].name, 'Path');
  m.append('x-trace', 'abc');
  assert.equal(m.headers.at(-1)?.name, 'X-Trace');
  assert.equal(m.get('X-TRACE'), 'abc');
});

test('set replaces every instance in place; remove deletes every instance; caches follow', () => {
  const m = parseMessage(Buffer.from(text([...HEAD, 'X-Custom: second'])));
  m.set('x-custom', 'only');
  assert.deepEqual(m.getAll('x-custom'), ['only']);
  assert.equal(m.headers.findIndex((h) => h.key === 'x-custom'), 9);
  assert.equal(m.cseq.seq, 314159);
  m.set('CSeq', '2 INVITE');
  assert.equal(m.cseq.seq, 2);
  assert.equal(m.fromTag, 'aa11');
  m.set('f', '<sip:ann@example.org>;tag=zz');
  assert.equal(m.fromTag, 'zz');
  m.remove('via');
  assert.equal(m.vias.length, 0);
  assert.equal(m.has('v'), false);
  assert.ok(m.toString().includes('\r\nFrom: <sip:ann@example.org>;tag=zz\r\n'));
});

test('clone is independent for header edits', () => {
  const m = parseMessage(Buffer.from(text(HEAD)));
  const c = m.clone();
  c.removeFirst('via');
  c.set('Max-Forwards', '68');
  c.setRequestUri('sip:elsewhere.example.net');
  assert.equal(m.vias.length, 3);
  assert.equal(m.maxForwards, 69);
  assert.equal(m.requestUri.host, 'example.net');
  assert.equal(c.vias.length, 2);
  assert.equal(c.maxForwards, 68);
  assert.equal(c.requestUri.host, 'elsewhere.example.net');
  assert.equal(m.toString(), text([...HEAD, 'Content-Length: 0']));
});

test('typed accessors read what was written', () => {
  const m = parseMessage(Buffer.from(text(HEAD)));
  assert.equal(m.callId, 'pass-through-1@example.org');
  assert.deepEqual(m.cseq, { seq: 314159, method: 'INVITE' });
  assert.equal(m.from.displayName, 'Ann  A.');
  assert.equal(m.fromTag, 'aa11');
  assert.equal(m.to.displayName, 'Bo');
  assert.equal(m.toTag, undefined);
  assert.equal(m.maxForwards, 69);
  assert.equal(m.requestUri.user, 'bo');
  assert.equal(m.nameAddrs('m')[0].params.get('expires'), '60');
  assert.equal(m.get('subject'), '');
  assert.equal(m.transactionMethod, 'INVITE');
});

test('createResponse copies Via, From, To, Call-ID, CSeq as written and adds a To tag once', () => {
  const req = parseMessage(Buffer.from(text(HEAD)));
  const res = createResponse(req, 486, undefined, 'totag1');
  assert.equal(res.status, 486);
  assert.equal(res.reason, 'Busy Here');
  assert.deepEqual(res.headers.map((h) => h.key), ['via', 'via', 'from', 'to', 'call-id', 'cseq']);
  assert.deepEqual(res.getAll('via'), req.getAll('via'));
  assert.equal(res.get('from'), req.get('from'));
  assert.equal(res.get('call-id'), 'pass-through-1@example.org');
  assert.equal(res.get('cseq'), '314159 INVITE');
  assert.equal(res.toTag, 'totag1');
  assert.equal(res.to.displayName, 'Bo');
  const wire = res.toString();
  assert.ok(wire.startsWith('SIP/2.0 486 Busy Here\r\nv: SIP/2.0/UDP  edge.example.org:5060 ;branch=z9hG4bKmsg1;rport\r\n'));
  assert.equal(wire.match(/tag=totag1/g)?.length, 1);
  assert.ok(wire.endsWith('Content-Length: 0\r\n\r\n'));
  const back = parseMessage(res.toBuffer());
  assert.equal(back.toTag, 'totag1');
  assert.equal(back.fromTag, 'aa11');
  assert.equal(back.cseq.method, 'INVITE');
  assert.equal(back.vias.length, 3);
});

test('createResponse keeps an existing To tag and adds none to 100 Trying', () => {
  const lines = HEAD.map((l) => (l.startsWith('To:') ? 'To: Bo <sip:bo@example.net>;tag=already' : l));
  const req = parseMessage(Buffer.from(text(lines)));
  const ok = createResponse(req, 200, 'OK', 'fresh');
  assert.equal(ok.toTag, 'already');
  assert.equal(ok.toString().includes('fresh'), false);
  const trying = createResponse(parseMessage(Buffer.from(text(HEAD))), 100, undefined, 'fresh');
  assert.equal(trying.toTag, undefined);
  assert.equal(trying.reason, 'Trying');
  assert.equal(trying.has('record-route'), false);
});

test('createResponse copies Record-Route only into 101-299 responses', () => {
  const req = parseMessage(Buffer.from(text(HEAD)));
  assert.deepEqual(createResponse(req, 180, undefined, 't').getAll('record-route'), req.getAll('record-route'));
  assert.deepEqual(createResponse(req, 200, undefined, 't').getAll('record-route'), req.getAll('record-route'));
  assert.equal(createResponse(req, 404, undefined, 't').has('record-route'), false);
  assert.equal(createResponse(req, 200, undefined, 't').has('contact'), false);
  assert.equal(createResponse(req, 200, undefined, 't').has('route'), false);
});

test('createResponse does not change the request', () => {
  const input = text(HEAD);
  const req = parseMessage(Buffer.from(input));
  createResponse(req, 200, 'OK', 'x');
  assert.equal(req.toTag, undefined);
  assert.equal(req.toString(), text([...HEAD, 'Content-Length: 0']));
});
