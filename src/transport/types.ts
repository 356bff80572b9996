import type { PeerCertificate } from 'node:tls';

export type TransportName = 'udp' | 'tcp' | 'tls';

/** host is an IP literal (IPv6 without brackets); an outgoing tcp/tls destination may also be a name. */
export interface Endpoint { transport: TransportName; host: string; port: number }

export interface InboundMessage {
  /** Exactly one SIP message: a UDP datagram, or one framed stream message including its body. */
  data: Buffer;
  source: Endpoint;
  local: Endpoint;
  connectionId?: number;
  tlsPeerCertificate?: PeerCertificate;
}

export interface TlsOptions {
  port: number;
  /** PEM file paths. */
  cert: string;
  key: string;
  ca?: string;
  requestCert: boolean;
  sessionTimeoutSec: number;
  /** Addresses the TLS listener binds to; absent = the hosts of `listen`. */
  hosts?: string[];
}

export interface TransportOptions {
  /** host absent = all interfaces: IPv4 '0.0.0.0' and IPv6 '::' (ipv6Only). */
  listen: { host?: string; port: number }[];
  /** Which of udp/tcp listen on each address (tls listens on tls.port). */
  transports: TransportName[];
  tls?: TlsOptions;
  tcpConnectTimeoutMs: number;
  /** Reuse outgoing TCP connections we opened for later requests to the same peer. TLS is always reused. */
  reuseConnections: boolean;
  /** Total TCP+TLS connections; new inbound ones beyond it are refused. */
  maxConnections: number;
  idleTimeoutMs: number;
  maxMessageSize: number;
  udpRecvBufferSize?: number;
}

export interface TransportLog {
  debug(flag: 'SipTcp' | 'SipTls' | 'Parser', msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export interface ConnectionInfo {
  id: number;
  transport: 'tcp' | 'tls';
  local: Endpoint;
  remote: Endpoint;
  direction: 'in' | 'out';
  openedAt: number;
  lastUsed: number;
  messagesIn: number;
  messagesOut: number;
}

export interface TransportStats {
  datagramsIn: number;
  datagramsOut: number;
  /** Datagrams of only CR/LF (keep-alives) that were not passed on. */
  datagramsIgnored: number;
  streamMessagesIn: number;
  streamMessagesOut: number;
  connectionsOpened: number;
  connectionsClosed: number;
  connectionsRefused: number;
  framingErrors: number;
  keepAlivePings: number;
}
