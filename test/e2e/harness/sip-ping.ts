// A minimal OPTIONS sender over UDP, used to learn when sipd answers requests.
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';

function optionsRequest(host: string, port: number, localPort: number, callId: string): string {
  const branch = `z9hG4bK${randomBytes(6).toString('hex')}`;
  return [
    `OPTIONS sip:${host}:${port} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${localPort};branch=${branch};rport`,
    `From: <sip:ping@127.0.0.1>;tag=${randomBytes(4).toString('hex')}`,
    `To: <sip:${host}:${port}>`,
    `Call-ID: ${callId}`,
    'CSeq: 1 OPTIONS',
    'Max-Forwards: 70',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

/** Sends one OPTIONS and resolves with the status code of the answer, or null on timeout. */
export function pingOptions(host: string, port: number, timeoutMs: number): Promise<number | null> {
  const callId = `ping-${randomBytes(8).toString('hex')}`;
  return new Promise((resolve) => {
    const sock = createSocket('udp4');
    const finish = (code: number | null): void => {
      clearTimeout(timer);
      sock.close();
      resolve(code);
    };
    const timer = setTimeout(() => finish(null), timeoutMs);
    sock.on('error', () => finish(null));
    sock.on('message', (buf) => {
      const text = buf.toString('latin1');
      const status = /^SIP\/2\.0 (\d{3})/.exec(text);
      if (status && text.includes(callId) && Number(status[1]) >= 200) finish(Number(status[1]));
    });
    sock.bind(0, '127.0.0.1', () => {
      const request = optionsRequest(host, port, sock.address().port, callId);
      sock.send(request, port, host);
    });
  });
}

/** Pings every 100 ms until a 200 comes back; false if none within timeoutMs. */
export async function waitForOptions200(host: string, port: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await pingOptions(host, port, 250)) === 200) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}
