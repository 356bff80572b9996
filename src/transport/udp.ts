import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { errorMessage, formatHostPort, isIpv6Literal, reportLater } from './endpoint';
import { deliver, type InboundSink } from './sink';
import type { Endpoint, TransportLog, TransportStats } from './types';

const CR = 0x0d;
const LF = 0x0a;
/** Longest datagram treated as a CRLF keep-alive rather than a message. */
const MAX_KEEPALIVE = 4;

interface BoundSocket { socket: Socket; local: Endpoint }

/** The UDP sockets, one per listen address; sends leave from the first socket of the destination's family. */
export class UdpTransport {
  private readonly bound: BoundSocket[] = [];
  private v4: Socket | undefined;
  private v6: Socket | undefined;

  constructor(
    private readonly log: TransportLog,
    private readonly stats: TransportStats,
    private readonly sink: InboundSink,
    private readonly recvBufferSize: number | undefined,
  ) {}

  bind(host: string, port: number): Promise<void> {
    const v6 = isIpv6Literal(host);
    const socket = createSocket({ type: v6 ? 'udp6' : 'udp4', ipv6Only: v6 });
    return new Promise((resolve, reject) => {
      const onBindError = (err: Error): void => {
        socket.close();
        reject(new Error(`cannot listen on udp ${formatHostPort(host, port)}: ${errorMessage(err)}`, { cause: err }));
      };
      socket.once('error', onBindError);
      socket.bind({ address: host, port }, () => {
        socket.off('error', onBindError);
        this.adopt(socket, host, v6);
        resolve();
      });
    });
  }

  send(data: Buffer, dest: Endpoint, onError?: (err: Error) => void): void {
    const v6 = isIpv6Literal(dest.host);
    const socket = v6 ? this.v6 : this.v4;
    if (!socket) {
      reportLater(onError, new Error(`no IPv${v6 ? 6 : 4} UDP socket to send to ${formatHostPort(dest.host, dest.port)}`));
      return;
    }
    this.stats.datagramsOut++;
    socket.send(data, dest.port, dest.host, onError ? (err) => { if (err) onError(err); } : undefined);
  }

  endpoints(): Endpoint[] {
    return this.bound.map((b) => b.local);
  }

  async close(): Promise<void> {
    const sockets = this.bound.splice(0).map((b) => b.socket);
    this.v4 = this.v6 = undefined;
    await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }

  private adopt(socket: Socket, host: string, v6: boolean): void {
    const local: Endpoint = { transport: 'udp', host, port: socket.address().port };
    if (this.recvBufferSize !== undefined) {
      try {
        socket.setRecvBufferSize(this.recvBufferSize);
      } catch (e) {
        this.log.warn(`udp ${formatHostPort(host, local.port)}: cannot set receive buffer to ${this.recvBufferSize}: ${errorMessage(e)}`);
      }
    }
    socket.on('error', (err) => this.log.error(`udp ${formatHostPort(host, local.port)}: ${errorMessage(err)}`));
    socket.on('message', (data: Buffer, rinfo: RemoteInfo) => {
      this.stats.datagramsIn++;
      if (data.length <= MAX_KEEPALIVE && onlyCrlf(data)) {
        this.stats.datagramsIgnored++;
        return;
      }
      deliver(this.sink, { data, source: { transport: 'udp', host: rinfo.address, port: rinfo.port }, local }, this.log);
    });
    this.bound.push({ socket, local });
    if (v6) this.v6 ??= socket;
    else this.v4 ??= socket;
  }
}

function onlyCrlf(data: Buffer): boolean {
  for (let i = 0; i < data.length; i++) {
    if (data[i] !== CR && data[i] !== LF) return false;
  }
  return true;
}
