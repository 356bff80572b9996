import type { Endpoint, TransportName } from './types';

export function isIpv6Literal(host: string): boolean {
  return host.includes(':');
}

/** "tcp:[::1]:5060" style text for logs and error messages. */
export function formatEndpoint(e: Endpoint): string {
  return `${e.transport}:${formatHostPort(e.host, e.port)}`;
}

export function formatHostPort(host: string, port: number): string {
  return isIpv6Literal(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Index key for finding an open connection to a peer. */
export function remoteKey(transport: TransportName, host: string, port: number): string {
  return `${transport} ${host.toLowerCase()} ${port}`;
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Reports an error to an optional callback outside the caller's stack, so send() never re-enters. */
export function reportLater(onError: ((err: Error) => void) | undefined, err: Error): void {
  if (onError) process.nextTick(onError, err);
}
