// A scripted user agent on a raw UDP socket, for what SIPp cannot do: replaying a header it sent,
// sending from a chosen loopback address, or answering a digest challenge computed in the test itself.
import { createHash, randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';

export interface UaResponse {
  status: number;
  reason: string;
  text: string;
  header(name: string): string | undefined;
}

export interface UaRequest {
  method: string;
  uri: string;
  from: string;
  to: string;
  callId: string;
  cseq: number;
  headers?: string[];
}

export class UdpUa {
  private constructor(private readonly sock: Socket, readonly host: string, readonly port: number) {}

  static open(host = '127.0.0.1'): Promise<UdpUa> {
    const sock = createSocket('udp4');
    return new Promise((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(0, host, () => resolve(new UdpUa(sock, host, sock.address().port)));
    });
  }

  /** Sends a request and resolves with its final response, or null when none comes within timeoutMs. */
  send(to: { host: string; port: number }, r: UaRequest, timeoutMs = 3000): Promise<UaResponse | null> {
    const branch = `z9hG4bK${randomBytes(6).toString('hex')}`;
    const text = [
      `${r.method} ${r.uri} SIP/2.0`,
      `Via: SIP/2.0/UDP ${this.host}:${this.port};branch=${branch};rport`,
      'Max-Forwards: 70',
      `From: ${r.from}`,
      `To: ${r.to}`,
      `Call-ID: ${r.callId}`,
      `CSeq: ${r.cseq} ${r.method}`,
      ...(r.headers ?? []),
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
    return new Promise((resolve) => {
      const onMessage = (buf: Buffer): void => {
        const res = parseResponse(buf.toString('latin1'));
        if (!res || !res.text.includes(branch) || res.status < 200) return;
        done(res);
      };
      const done = (res: UaResponse | null): void => {
        clearTimeout(timer);
        this.sock.off('message', onMessage);
        resolve(res);
      };
      const timer = setTimeout(() => done(null), timeoutMs);
      this.sock.on('message', onMessage);
      this.sock.send(text, to.port, to.host);
    });
  }

  close(): void {
    this.sock.close();
  }
}

function parseResponse(text: string): UaResponse | null {
  const m = /^SIP\/2\.0 (\d{3}) ([^\r\n]*)/.exec(text);
  if (!m) return null;
  return {
    status: Number(m[1]),
    reason: m[2],
    text,
    header(name: string) {
      const h = new RegExp(`^${name}:[ \\t]*([^\\r\\n]*)`, 'im').exec(text);
      return h?.[1];
    },
  };
}

/** The Authorization value answering an MD5 qop=auth challenge (RFC 2617), computed here independently of sipd. */
export function digestAuthorization(challenge: string, o: { user: string; password: string; method: string; uri: string; nc?: number }): string {
  const param = (name: string): string => {
    const m = new RegExp(`${name}="?([^",]*)"?`, 'i').exec(challenge);
    if (!m) throw new Error(`challenge without ${name}: ${challenge}`);
    return m[1];
  };
  const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
  const realm = param('realm');
  const nonce = param('nonce');
  const nc = (o.nc ?? 1).toString(16).padStart(8, '0');
  const cnonce = randomBytes(4).toString('hex');
  const ha1 = md5(`${o.user}:${realm}:${o.password}`);
  const ha2 = md5(`${o.method}:${o.uri}`);
  const response = md5(`${ha1}:${nonce}:${nc}:${cnonce}:auth:${ha2}`);
  return `Digest username="${o.user}", realm="${realm}", nonce="${nonce}", uri="${o.uri}", response="${response}", algorithm=MD5, qop=auth, nc=${nc}, cnonce="${cnonce}"`;
}
