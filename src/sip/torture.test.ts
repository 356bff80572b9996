// Torture cases in the categories of RFC 4475 (valid §3.1.1, invalid §3.1.2, semantics §3.3), with messages of our own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ParseLimits, DEFAULT_LIMITS, parseMessage } from './parser';
import { SipParseError } from './errors';
import { SipMessage } from './message';
import { createResponse } from './response';

const CRLF = '\r\n';

/** Joins header lines with CRLF, adds the blank line and the body. */
function bytes(input: Buffer | string): Buffer {
  return typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
}

function wire(lines: string[], body = ''): Buffer {
  return Buffer.from(lines.join(CRLF) + CRLF + CRLF + body, 'utf8');
}

/** A minimal valid request head of the given method, with extra lines appended. */
function request(method: string, uri: string, extra: string[] = [], body = '', cseqMethod = method): Buffer {
  return wire(
    [
      `${method} ${uri} SIP/2.0`,
      'Via: SIP/2.0/UDP client.example.org:5060;branch=z9hG4bKtort01',
      'Max-Forwards: 70',
      'From: <sip:ann@example.org>;tag=ft1',
      'To: <sip:bo@example.net>',
      'Call-ID: torture-1@client.example.org',
      `CSeq: 11 ${cseqMethod}`,
      ...extra,
    ],
    body,
  );
}

interface ValidCase {
  name: string;
  input: Buffer | string;
  check(m: SipMessage): void;
}

const sdp = ['v=0', 'o=ann 1 1 IN IP4 192.0.2.7', 's=-', 'c=IN IP4 192.0.2.7', 't=0 0', 'm=audio 4000 RTP/AVP 0', ''].join(CRLF);

const VALID: ValidCase[] = [
  {
    name: 'compact header names only',
    input: wire([
      'INVITE sip:bo@example.net SIP/2.0',
      'v: SIP/2.0/UDP 192.0.2.7;branch=z9hG4bKcompact',
      'f: "Ann" <sip:ann@example.org>;tag=c1',
      't: sip:bo@example.net',
      'i: compact-call@192.0.2.7',
      'CSeq: 1 INVITE',
      'm: <sip:ann@192.0.2.7>',
      'c: application/sdp',
      'k: timer',
      's: compact subject',
      `l: ${Buffer.byteLength(sdp)}`,
    ], sdp),
    check(m) {
      assert.equal(m.topVia.host, '192.0.2.7');
      assert.equal(m.fromTag, 'c1');
      assert.equal(m.from.displayName, 'Ann');
      assert.equal(m.to.uri.user, 'bo');
      assert.equal(m.callId, 'compact-call@192.0.2.7');
      assert.equal(m.get('Contact'), '<sip:ann@192.0.2.7>');
      assert.equal(m.get('content-type'), 'application/sdp');
      assert.equal(m.get('Subject'), 'compact subject');
      assert.equal(m.body.toString(), sdp);
    },
  },
  {
    name: 'line folding in Via, CSeq, To and an unknown header; spaces around colons and parameters',
    input: wire([
      'OPTIONS sip:bo@example.net;oddparam SIP/2.0',
      'TO  :',
      '  sip:bo@example.net  ;   tag   =  t77',
      'fRoM\t: "A \\"quoted\\" name"<sip:ann@example.org>',
      '\t;tag = f99',
      'Max-Forwards:    9',
      'i   : fold-call@x',
      'cSeQ: 00042',
      '   OPTIONS',
      'VIA : SIP  /  2.0',
      ' / TCP',
      '     host-a.example.org   ;',
      '  branch   =  z9hG4bKfold1 ,',
      ' SIP / 2.0 / UDP  192.0.2.200 ; branch=',
      '  z9hG4bKfold2',
      'X-Wrapped:  first part',
      '\tsecond part',
      'Weird-Separators: ;;,,;;,;',
    ]),
    check(m) {
      assert.equal(m.to.uri.host, 'example.net');
      assert.equal(m.toTag, 't77');
      assert.equal(m.from.displayName, 'A "quoted" name');
      assert.equal(m.fromTag, 'f99');
      assert.equal(m.maxForwards, 9);
      assert.deepEqual(m.cseq, { seq: 42, method: 'OPTIONS' });
      assert.equal(m.vias.length, 2);
      assert.equal(m.vias[0].transport, 'TCP');
      assert.equal(m.vias[0].host, 'host-a.example.org');
      assert.equal(m.vias[0].params.get('branch'), 'z9hG4bKfold1');
      assert.equal(m.vias[1].transport, 'UDP');
      assert.equal(m.vias[1].params.get('branch'), 'z9hG4bKfold2');
      assert.equal(m.get('x-wrapped'), 'first part second part');
      assert.equal(m.get('weird-separators'), ';;,,;;,;');
      assert.ok(m.requestUri.params.has('oddparam'));
    },
  },
  {
    name: 'Max-Forwards with leading zeros',
    input: request('OPTIONS', 'sip:bo@example.net', []).toString().replace('Max-Forwards: 70', 'Max-Forwards: 0070'),
    check(m) {
      assert.equal(m.maxForwards, 70);
    },
  },
  {
    name: 'escaped characters in URIs (user part, To, Contact)',
    input: request('INVITE', 'sip:sip%3Acarl%40example.com@proxy.example.net', [
      'Contact: <sip:d%61ve@192.0.2.4>',
    ]).toString().replace('To: <sip:bo@example.net>', 'To: <sip:%62o%20b@example.net>'),
    check(m) {
      assert.equal(m.requestUri.user, 'sip:carl@example.com');
      assert.equal(m.requestUri.host, 'proxy.example.net');
      assert.equal(m.to.uri.user, 'bo b');
      assert.equal(m.nameAddrs('contact')[0].uri.user, 'dave');
    },
  },
  {
    name: 'escaped NUL in a user part',
    input: request('REGISTER', 'sip:example.net', ['Contact: <sip:zero-%00-zero@192.0.2.5>']),
    check(m) {
      assert.equal(m.nameAddrs('contact')[0].uri.user, 'zero-\u0000-zero');
    },
  },
  {
    name: '% that is not an escape, in a method, a display name and a header name',
    input: wire([
      'NO%54IFY sip:watcher@192.0.2.9 SIP/2.0',
      'Via: SIP/2.0/TCP 192.0.2.10;branch=z9hG4bK%%x',
      'From: "%Q%41" <sip:res@example.org>;tag=pp',
      'To: <sip:watcher@example.org>;tag=ww',
      'Call-ID: pct-1',
      'CSeq: 7 NO%54IFY',
      'X%41-Odd: value',
    ]),
    check(m) {
      assert.equal(m.method, 'NO%54IFY');
      assert.equal(m.cseq.method, 'NO%54IFY');
      assert.equal(m.from.displayName, '%Q%41');
      assert.equal(m.get('X%41-Odd'), 'value');
      assert.equal(m.topVia.params.get('branch'), 'z9hG4bK%%x');
    },
  },
  {
    name: 'case-insensitive header names, unknown extension method with every token character',
    input: request("!odd.Method_*+`'~%-9", 'sip:bo@example.net', ['X-Token-!.%*+_`\'~: yes', 'cOnTaCt: <sip:ann@192.0.2.7>']),
    check(m) {
      assert.equal(m.method, "!odd.Method_*+`'~%-9");
      assert.equal(m.cseq.method, m.method);
      assert.equal(m.get("x-token-!.%*+_`'~"), 'yes');
      assert.equal(m.get('CONTACT'), '<sip:ann@192.0.2.7>');
      assert.equal(m.get('call-ID'), 'torture-1@client.example.org');
    },
  },
  {
    name: 'no LWS between display name and <',
    input: request('OPTIONS', 'sip:bo@example.net').toString().replace('From: <sip:ann@example.org>', 'From: ann<sip:ann@example.org>'),
    check(m) {
      assert.equal(m.from.displayName, 'ann');
      assert.equal(m.fromTag, 'ft1');
    },
  },
  {
    name: 'several Via in one line and in several lines, with unknown transports',
    input: wire([
      'SIP/2.0 200 OK',
      'Via: SIP/2.0/SCTP a.example.org;branch=z9hG4bK1, SIP/2.0/FUTURE b.example.org:7000;branch=z9hG4bK2',
      'Via: SIP/2.0/TLS c.example.org;branch=z9hG4bK3',
      'v: SIP/2.0/UDP [2001:db8::1]:5062;branch=z9hG4bK4;received=[2001:db8::2]',
      'From: <sip:ann@example.org>;tag=1',
      'To: <sip:bo@example.net>;tag=2',
      'Call-ID: many-vias',
      'CSeq: 5 BYE',
    ]),
    check(m) {
      assert.deepEqual(m.vias.map((v) => v.transport), ['SCTP', 'FUTURE', 'TLS', 'UDP']);
      assert.deepEqual(m.vias.map((v) => v.host), ['a.example.org', 'b.example.org', 'c.example.org', '[2001:db8::1]']);
      assert.equal(m.vias[1].port, 7000);
      assert.equal(m.vias[3].port, 5062);
      assert.equal(m.vias[3].params.get('received'), '[2001:db8::2]');
      assert.equal(m.status, 200);
      assert.equal(m.transactionMethod, 'BYE');
    },
  },
  {
    name: 'IPv6 references in Request-URI and Contact',
    input: request('INVITE', 'sip:bo@[2001:DB8::20]:5070;transport=tcp', ['Contact: "six" <sip:ann@[2001:db8::7]>']),
    check(m) {
      assert.equal(m.requestUri.host, '[2001:db8::20]');
      assert.equal(m.requestUri.port, 5070);
      assert.equal(m.requestUri.params.get('transport'), 'tcp');
      assert.equal(m.nameAddrs('contact')[0].uri.host, '[2001:db8::7]');
    },
  },
  {
    name: 'semicolon-separated parameters in the user part',
    input: request('OPTIONS', 'sip:+44-20-555-0100;phone-context=lab%40example.org@gw.example.org;user=phone'),
    check(m) {
      assert.equal(m.requestUri.user, '+44-20-555-0100;phone-context=lab@example.org');
      assert.equal(m.requestUri.host, 'gw.example.org');
      assert.equal(m.requestUri.params.get('user'), 'phone');
    },
  },
  {
    name: 'userinfo with password and every user-unreserved character',
    input: request('OPTIONS', "sip:u_n.u~s(u)a!l&x=1+y$,;?/*:p&w=d+$,@example.org"),
    check(m) {
      assert.equal(m.requestUri.user, "u_n.u~s(u)a!l&x=1+y$,;?/*");
      assert.equal(m.requestUri.password, 'p&w=d+$,');
      assert.equal(m.requestUri.host, 'example.org');
    },
  },
  {
    name: 'long values in headers',
    input: request('INVITE', `sip:${'u'.repeat(900)}@example.net`, [
      `X-Long: ${'abcdefghij'.repeat(300)}`,
      `Via: ${Array.from({ length: 40 }, (_v, i) => `SIP/2.0/UDP hop${i}.example.org;branch=z9hG4bK${'b'.repeat(100)}${i}`).join(', ')}`,
    ]).toString().replace('Call-ID: torture-1@client.example.org', `Call-ID: ${'c'.repeat(1000)}@x`),
    check(m) {
      assert.equal(m.requestUri.user, 'u'.repeat(900));
      assert.equal(m.get('x-long')?.length, 3000);
      assert.equal(m.vias.length, 41);
      assert.equal(m.vias[40].host, 'hop39.example.org');
      assert.equal(m.callId.length, 1002);
    },
  },
  {
    name: 'unusual Content-Length spacing and a body with trailing octets beyond it',
    input: request('MESSAGE', 'sip:bo@example.net', ['Content-Type: text/plain', 'Content-Length   :    5   '], 'hello and then some garbage'),
    check(m) {
      assert.equal(m.body.toString(), 'hello');
    },
  },
  {
    name: 'a second message in the same datagram after Content-Length: 0 is ignored',
    input: Buffer.concat([request('OPTIONS', 'sip:bo@example.net', ['l: 0']), request('BYE', 'sip:bo@example.net')]),
    check(m) {
      assert.equal(m.method, 'OPTIONS');
      assert.equal(m.body.length, 0);
    },
  },
  {
    name: 'multipart body',
    input: (() => {
      const body = [
        '--frontier',
        'Content-Type: application/sdp',
        '',
        'v=0',
        '--frontier',
        'Content-Type: application/pkcs7-signature',
        'Content-Disposition: signature;handling=required',
        '',
        'c2lnbmF0dXJl',
        '--frontier--',
        '',
      ].join(CRLF);
      return request('INVITE', 'sip:bo@example.net', ['Content-Type: multipart/signed;protocol="application/pkcs7-signature";micalg=sha1;boundary=frontier', `Content-Length: ${body.length}`], body);
    })(),
    check(m) {
      assert.match(m.get('content-type') ?? '', /^multipart\/signed;/);
      assert.ok(m.body.toString().startsWith('--frontier\r\nContent-Type: application/sdp\r\n\r\nv=0'));
      assert.ok(m.body.toString().endsWith('--frontier--\r\n'));
    },
  },
  {
    name: 'tel: Request-URI',
    input: request('INVITE', 'tel:+1-201-555-0123;ext=44'),
    check(m) {
      assert.equal(m.requestUri.scheme, 'tel');
      assert.equal(m.requestUri.user, '+1-201-555-0123');
      assert.equal(m.requestUri.params.get('ext'), '44');
    },
  },
  {
    name: 'sips: Request-URI and To; SIPS scheme written in upper case',
    input: request('INVITE', 'SIPS:bo@Secure.Example.NET').toString().replace('To: <sip:bo@example.net>', 'To: <sips:bo@secure.example.net>'),
    check(m) {
      assert.equal(m.requestUri.scheme, 'sips');
      assert.equal(m.requestUri.host, 'secure.example.net');
      assert.equal(m.to.uri.scheme, 'sips');
    },
  },
  {
    name: 'unusual reason phrase with UTF-8 and punctuation',
    input: wire(['SIP/2.0 299 ¡Sí, señor! — 成功 ;-)', 'Via: SIP/2.0/UDP h;branch=z9hG4bKr', 'From: <sip:a@h>;tag=1', 'To: <sip:b@h>;tag=2', 'Call-ID: r', 'CSeq: 1 INVITE']),
    check(m) {
      assert.equal(m.status, 299);
      assert.equal(m.reason, '¡Sí, señor! — 成功 ;-)');
    },
  },
  {
    name: 'empty reason phrase',
    input: wire(['SIP/2.0 180 ', 'Via: SIP/2.0/UDP h;branch=z9hG4bKr', 'From: <sip:a@h>;tag=1', 'To: <sip:b@h>;tag=2', 'Call-ID: r', 'CSeq: 1 INVITE']),
    check(m) {
      assert.equal(m.status, 180);
      assert.equal(m.reason, '');
    },
  },
  {
    name: 'bare LF line endings, with CRLFCRLF inside the body',
    input: Buffer.from(['MESSAGE sip:bo@example.net SIP/2.0', 'Via: SIP/2.0/UDP h;branch=z9hG4bKlf', 'From: <sip:a@h>;tag=1', 'To: <sip:b@h>', 'Call-ID: lf', 'CSeq: 3 MESSAGE', 'Content-Length: 8', '', 'ab\r\n\r\ncd'].join('\n')),
    check(m) {
      assert.equal(m.callId, 'lf');
      assert.equal(m.body.toString(), 'ab\r\n\r\ncd');
    },
  },
  {
    name: 'leading CRLFs before the start line are skipped',
    input: Buffer.concat([Buffer.from('\r\n\r\n'), request('OPTIONS', 'sip:bo@example.net')]),
    check(m) {
      assert.equal(m.method, 'OPTIONS');
    },
  },
  {
    name: 'RFC 2543 style: addr-spec To/From without brackets, no branch',
    input: wire(['INVITE sip:bo@example.net SIP/2.0', 'Via: SIP/2.0/UDP old.example.org', 'From: sip:ann@example.org;tag=old1', 'To: sip:bo@example.net', 'Call-ID: 2543@old', 'CSeq: 1 INVITE']),
    check(m) {
      assert.equal(m.topVia.params.size, 0);
      assert.equal(m.fromTag, 'old1');
      assert.equal(m.from.uri.params.size, 0);
      assert.equal(m.toTag, undefined);
    },
  },
];

for (const c of VALID) {
  test(`valid: ${c.name}`, () => {
    const m = parseMessage(bytes(c.input));
    c.check(m);
  });
}

interface InvalidCase {
  name: string;
  input: Buffer | string;
  status: number;
  /** A word the error message must contain (the reason names the problem). */
  reason: RegExp;
  partial: boolean;
  /** false when the header a response needs is itself the problem (no usable Via/From/To/Call-ID/CSeq). */
  answerable?: false;
  limits?: Partial<ParseLimits>;
}

const INVALID: InvalidCase[] = [
  { name: 'unknown SIP version in a request', input: request('OPTIONS', 'sip:bo@example.net').toString().replace('SIP/2.0\r\n', 'SIP/7.0\r\n'), status: 505, reason: /version/i, partial: true },
  { name: 'unknown SIP version in a response', input: wire(['SIP/3.1 200 OK', 'Via: SIP/2.0/UDP h', 'From: <sip:a@h>;tag=1', 'To: <sip:b@h>', 'Call-ID: x', 'CSeq: 1 BYE']), status: 505, reason: /version/i, partial: false },
  { name: 'isbn: Request-URI', input: request('OPTIONS', 'isbn:978-0-00-000000-2'), status: 416, reason: /scheme.*isbn/i, partial: true },
  { name: 'http: Request-URI', input: request('INVITE', 'http://example.net/'), status: 416, reason: /scheme/i, partial: true },
  { name: '<> around the Request-URI', input: request('INVITE', '<sip:bo@example.net>'), status: 400, reason: /Request-URI/i, partial: true },
  { name: 'body larger than maxBodySize', input: request('MESSAGE', 'sip:bo@example.net', ['Content-Length: 20'], 'x'.repeat(20)), status: 413, reason: /body/i, partial: true, limits: { maxBodySize: 10 } },
  { name: 'message larger than maxMessageSize', input: request('MESSAGE', 'sip:bo@example.net', [`X-Pad: ${'p'.repeat(400)}`]), status: 513, reason: /message/i, partial: true, limits: { maxMessageSize: 300 } },
  { name: 'Request-URI longer than maxUriLength', input: request('OPTIONS', `sip:${'a'.repeat(100)}@example.net`), status: 414, reason: /Request-URI/i, partial: true, limits: { maxUriLength: 50 } },
  { name: 'more header lines than maxHeaders', input: request('OPTIONS', 'sip:bo@example.net', Array.from({ length: 10 }, (_v, i) => `X-H${i}: ${i}`)), status: 400, reason: /headers/i, partial: true, limits: { maxHeaders: 8 } },
  { name: 'Content-Length larger than the body', input: request('MESSAGE', 'sip:bo@example.net', ['Content-Length: 50'], 'short'), status: 400, reason: /Content-Length/, partial: true },
  { name: 'negative Content-Length', input: request('MESSAGE', 'sip:bo@example.net', ['Content-Length: -3'], 'abc'), status: 400, reason: /Content-Length/, partial: true },
  { name: 'garbage Content-Length', input: request('MESSAGE', 'sip:bo@example.net', ['l: three'], 'abc'), status: 400, reason: /Content-Length/, partial: true },
  { name: 'huge Content-Length', input: request('MESSAGE', 'sip:bo@example.net', ['Content-Length: 123456789012345678901234567890'], 'abc'), status: 400, reason: /Content-Length/, partial: true },
  { name: 'two different Content-Length values', input: request('MESSAGE', 'sip:bo@example.net', ['Content-Length: 3', 'Content-Length: 1'], 'abc'), status: 400, reason: /Content-Length/, partial: true },
  { name: 'missing Call-ID', input: request('OPTIONS', 'sip:bo@example.net').toString().replace('Call-ID: torture-1@client.example.org\r\n', ''), status: 400, reason: /Call-ID/, partial: true, answerable: false },
  { name: 'missing CSeq', input: request('OPTIONS', 'sip:bo@example.net').toString().replace('CSeq: 11 OPTIONS\r\n', ''), status: 400, reason: /CSeq/, partial: true, answerable: false },
  { name: 'missing From', input: request('OPTIONS', 'sip:bo@example.net').toString().replace('From: <sip:ann@example.org>;tag=ft1\r\n', ''), status: 400, reason: /From/, partial: true, answerable: false },
  { name: 'missing To', input: request('OPTIONS', 'sip:bo@example.net').toString().replace('To: <sip:bo@example.net>\r\n', ''), status: 400, reason: /To/, partial: true, answerable: false },
  { name: 'missing Via', input: request('OPTIONS', 'sip:bo@example.net').toString().replace(/Via: [^\r]*\r\n/, ''), status: 400, reason: /Via/, partial: true, answerable: false },
  { name: 'CSeq method does not match the request method', input: request('INVITE', 'sip:bo@example.net', [], '', 'OPTIONS'), status: 400, reason: /CSeq/, partial: true },
  { name: 'unknown method with a mismatching CSeq method', input: request('FROB', 'sip:bo@example.net', [], '', 'FROBNICATE'), status: 400, reason: /CSeq/, partial: true },
  { name: 'CSeq number beyond 2^31-1', input: request('OPTIONS', 'sip:bo@example.net').toString().replace('CSeq: 11 OPTIONS', 'CSeq: 98765432101234 OPTIONS'), status: 400, reason: /CSeq/, partial: true, answerable: false },
  { name: 'non-numeric Max-Forwards', input: request('OPTIONS', 'sip:bo@example.net').toString().replace('Max-Forwards: 70', 'Max-Forwards: seventy'), status: 400, reason: /Max-Forwards/, partial: true },
  { name: 'Max-Forwards above 255', input: request('OPTIONS', 'sip:bo@example.net').toString().replace('Max-Forwards: 70', 'Max-Forwards: 256'), status: 400, reason: /Max-Forwards/, partial: true },
  { name: 'unterminated quoted display name in From', input: request('OPTIONS', 'sip:bo@example.net').toString().replace('From: <sip:ann@example.org>', 'From: "Ann <sip:ann@example.org>'), status: 400, reason: /./, partial: true, answerable: false },
  { name: '< without > in To', input: request('OPTIONS', 'sip:bo@example.net').toString().replace('To: <sip:bo@example.net>', 'To: <sip:bo@example.net'), status: 400, reason: />/, partial: true, answerable: false },
  { name: 'unquoted display name with a comma in From', input: request('OPTIONS', 'sip:bo@example.net').toString().replace('From: <sip:ann@example.org>', 'From: Smith, Ann <sip:ann@example.org>'), status: 400, reason: /display name/, partial: true, answerable: false },
  { name: 'two values in To', input: request('OPTIONS', 'sip:bo@example.net').toString().replace('To: <sip:bo@example.net>', 'To: <sip:bo@example.net>, <sip:cy@example.net>'), status: 400, reason: /./, partial: true, answerable: false },
  { name: 'two Call-ID headers', input: request('OPTIONS', 'sip:bo@example.net', ['Call-ID: another@x']), status: 400, reason: /Call-ID/, partial: true, answerable: false },
  { name: 'empty Call-ID', input: request('OPTIONS', 'sip:bo@example.net').toString().replace('Call-ID: torture-1@client.example.org', 'Call-ID:   '), status: 400, reason: /Call-ID/, partial: true, answerable: false },
  { name: 'space inside the Request-URI', input: request('INVITE', 'sip:bo@example.net; transport=udp'), status: 400, reason: /request line|Request-URI/i, partial: true },
  { name: 'several spaces between request line elements', input: request('OPTIONS', ' sip:bo@example.net '), status: 400, reason: /request line/i, partial: true },
  { name: 'space at the end of the request line', input: request('OPTIONS', 'sip:bo@example.net').toString().replace('SIP/2.0\r\n', 'SIP/2.0 \r\n'), status: 400, reason: /request line/i, partial: true },
  { name: 'malformed Via', input: request('OPTIONS', 'sip:bo@example.net').toString().replace(/Via: [^\r]*/, 'Via: SIP/2.0/UDP'), status: 400, reason: /Via/, partial: true, answerable: false },
  { name: 'extraneous list separators in Via', input: request('OPTIONS', 'sip:bo@example.net').toString().replace(/Via: ([^\r]*)/, 'Via: $1;;,;,,'), status: 400, reason: /Via/, partial: true, answerable: false },
  { name: 'Request-URI with bad port', input: request('OPTIONS', 'sip:bo@example.net:70000'), status: 400, reason: /port/, partial: true },
  { name: 'header line without colon', input: request('OPTIONS', 'sip:bo@example.net', ['NoColonHere']), status: 400, reason: /header/, partial: true },
  { name: 'three-digit status followed by more digits', input: wire(['SIP/2.0 4294967301 much too big', 'Via: SIP/2.0/UDP h;branch=z9hG4bKb', 'From: <sip:a@h>;tag=1', 'To: <sip:b@h>', 'Call-ID: big', 'CSeq: 1 INVITE']), status: 400, reason: /status/, partial: false },
  { name: 'status code below 100', input: wire(['SIP/2.0 099 Nope', 'Via: SIP/2.0/UDP h', 'From: <sip:a@h>;tag=1', 'To: <sip:b@h>', 'Call-ID: x', 'CSeq: 1 INVITE']), status: 400, reason: /status/, partial: false },
  { name: 'no end of headers', input: Buffer.from('OPTIONS sip:bo@example.net SIP/2.0\r\nVia: SIP/2.0/UDP h'), status: 400, reason: /end of headers/, partial: false },
  { name: 'empty input', input: Buffer.alloc(0), status: 400, reason: /./, partial: false },
  { name: 'garbage start line', input: wire(['hello world', 'Via: SIP/2.0/UDP h']), status: 400, reason: /request line/, partial: false },
];

for (const c of INVALID) {
  test(`invalid: ${c.name} -> ${c.status}`, () => {
    const limits = { ...DEFAULT_LIMITS, ...c.limits };
    let caught: unknown;
    try {
      parseMessage(bytes(c.input), limits);
    } catch (e) {
      caught = e;
    }
    assert.ok(caught instanceof SipParseError, `expected SipParseError, got ${String(caught)}`);
    assert.equal(caught.status, c.status, caught.message);
    assert.match(caught.message, c.reason);
    assert.equal(caught.partial !== undefined, c.partial, `partial present: ${caught.message}`);
    if (caught.partial && c.answerable !== false) {
      // Whenever a partial request is handed out it must be enough to answer with the error status.
      const res = createResponse(caught.partial, caught.status);
      const back = parseMessage(res.toBuffer());
      assert.equal(back.status, c.status);
      assert.equal(back.topVia.params.get('branch'), 'z9hG4bKtort01');
    }
  });
}

test('invalid: partial of a 505 request carries the headers needed for the response', () => {
  const input = request('OPTIONS', 'sip:bo@example.net').toString().replace('SIP/2.0\r\n', 'SIP/7.0\r\n');
  try {
    parseMessage(Buffer.from(input));
    assert.fail('parsed');
  } catch (e) {
    assert.ok(e instanceof SipParseError);
    assert.equal(e.partial?.method, 'OPTIONS');
    assert.equal(e.partial?.callId, 'torture-1@client.example.org');
    assert.equal(e.partial?.cseq.seq, 11);
  }
});

// §3.3: application-level semantics are not parser errors.
const SEMANTIC: ValidCase[] = [
  {
    name: 'REGISTER whose Request-URI has a user part',
    input: request('REGISTER', 'sip:someone@registrar.example.net', ['Contact: <sip:ann@192.0.2.7>;expires=3600']),
    check(m) {
      assert.equal(m.requestUri.user, 'someone');
      assert.equal(m.nameAddrs('contact')[0].params.get('expires'), '3600');
    },
  },
  {
    name: 'unknown Proxy-Require and Require option tags',
    input: request('OPTIONS', 'sip:bo@example.net', ['Proxy-Require: frobnicator, teleport', 'Require: nothing-known']),
    check(m) {
      assert.deepEqual(m.getAll('proxy-require'), ['frobnicator', 'teleport']);
      assert.deepEqual(m.getAll('require'), ['nothing-known']);
    },
  },
  {
    name: 'Expires values as written, including a huge one',
    input: request('REGISTER', 'sip:registrar.example.net', ['Expires: 99999999999999999999', 'Contact: <sip:ann@192.0.2.7>;expires=0, <sip:ann@192.0.2.8>;expires=120']),
    check(m) {
      assert.equal(m.get('expires'), '99999999999999999999');
      assert.deepEqual(m.nameAddrs('contact').map((c) => c.params.get('expires')), ['0', '120']);
    },
  },
  {
    name: 'Max-Forwards: 0 parses (a proxy answers 483, the parser does not)',
    input: request('OPTIONS', 'sip:bo@example.net').toString().replace('Max-Forwards: 70', 'Max-Forwards: 0'),
    check(m) {
      assert.equal(m.maxForwards, 0);
    },
  },
  {
    name: 'missing Max-Forwards is not a parse error',
    input: request('OPTIONS', 'sip:bo@example.net').toString().replace('Max-Forwards: 70\r\n', ''),
    check(m) {
      assert.equal(m.maxForwards, undefined);
    },
  },
  {
    name: 'unknown URI schemes in To, From and Contact are left for later',
    input: request('OPTIONS', 'sip:bo@example.net', ['Contact: <mailto:ann@example.org>']).toString()
      .replace('To: <sip:bo@example.net>', 'To: <nobody-knows-this:opaque/stuff>')
      .replace('From: <sip:ann@example.org>', 'From: "Web" <http://www.example.org/ann>')
      .replace('Call-ID', 'Reply-To: <urn:x:y>\r\nCall-ID'),
    check(m) {
      assert.equal(m.get('contact'), '<mailto:ann@example.org>');
      assert.equal(m.get('to'), '<nobody-knows-this:opaque/stuff>');
      assert.equal(m.get('from'), '"Web" <http://www.example.org/ann>;tag=ft1');
      assert.equal(m.get('reply-to'), '<urn:x:y>');
      assert.throws(() => m.nameAddrs('contact'), (e: unknown) => e instanceof SipParseError && e.status === 416);
    },
  },
  {
    name: 'unknown Content-Type and unknown Authorization scheme',
    input: request('MESSAGE', 'sip:bo@example.net', ['Content-Type: application/x-unheard-of', 'Authorization: Telepathy thought="abc,def"', 'Content-Length: 3'], 'xyz'),
    check(m) {
      assert.equal(m.get('content-type'), 'application/x-unheard-of');
      assert.equal(m.get('authorization'), 'Telepathy thought="abc,def"');
      assert.equal(m.body.toString(), 'xyz');
    },
  },
  {
    name: 'response Via with a broadcast received address',
    input: wire(['SIP/2.0 200 OK', 'Via: SIP/2.0/UDP 192.0.2.198;branch=z9hG4bKbc;received=255.255.255.255', 'From: <sip:a@h>;tag=1', 'To: <sip:b@h>;tag=2', 'Call-ID: bc', 'CSeq: 1 OPTIONS']),
    check(m) {
      assert.equal(m.topVia.params.get('received'), '255.255.255.255');
    },
  },
  {
    name: 'REGISTER Contact with a URI header component is kept as written',
    input: request('REGISTER', 'sip:registrar.example.net', ['Contact: <sip:ann@192.0.2.7?Route=%3Csip:p.example.org%3E>']),
    check(m) {
      assert.equal(m.nameAddrs('contact')[0].uri.headers.get('route'), '<sip:p.example.org>');
    },
  },
];

for (const c of SEMANTIC) {
  test(`semantics: ${c.name}`, () => {
    c.check(parseMessage(bytes(c.input)));
  });
}
