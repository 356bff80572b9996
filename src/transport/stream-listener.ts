import type { Server } from 'node:net';
import { errorMessage, formatHostPort, isIpv6Literal } from './endpoint';
import type { TransportLog } from './types';

/** Binds a TCP or TLS server; rejects with an Error naming the address (the errno error is its cause). */
export function listenStream(server: Server, transport: 'tcp' | 'tls', host: string, port: number, log: TransportLog): Promise<void> {
  return new Promise((resolve, reject) => {
    const onListenError = (err: Error): void => {
      reject(new Error(`cannot listen on ${transport} ${formatHostPort(host, port)}: ${errorMessage(err)}`, { cause: err }));
    };
    server.once('error', onListenError);
    server.listen({ host, port, ipv6Only: isIpv6Literal(host) }, () => {
      server.off('error', onListenError);
      server.on('error', (err) => log.error(`${transport} ${formatHostPort(host, port)}: ${errorMessage(err)}`));
      resolve();
    });
  });
}
