// Free loopback ports, checked for both UDP and TCP, never handed out twice in one process.
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

const handedOut = new Set<number>();

function bindUdp(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const sock = createSocket('udp4');
    sock.once('error', () => resolve(null));
    sock.bind(port, '127.0.0.1', () => {
      const bound = sock.address().port;
      sock.close(() => resolve(bound));
    });
  });
}

function tcpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await bindUdp(0);
    if (port === null || handedOut.has(port) || !(await tcpFree(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error('no free port found');
}
