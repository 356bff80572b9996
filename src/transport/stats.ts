import type { TransportStats } from './types';

export function emptyStats(): TransportStats {
  return {
    datagramsIn: 0,
    datagramsOut: 0,
    datagramsIgnored: 0,
    streamMessagesIn: 0,
    streamMessagesOut: 0,
    connectionsOpened: 0,
    connectionsClosed: 0,
    connectionsRefused: 0,
    framingErrors: 0,
    keepAlivePings: 0,
  };
}
