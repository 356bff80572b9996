import type { Endpoint, OutboundEndpoint } from '../transport';

/** Where a message goes out: the endpoint and, for streams, the connection to reuse. */
export interface Destination extends OutboundEndpoint {
  connectionId?: number;
}

/** The transaction layer's way out to the network. */
export interface Sender {
  send(data: Buffer, dest: Destination, onError?: (err: Error) => void): void;
}

export function isReliable(dest: Endpoint): boolean {
  return dest.transport !== 'udp';
}
