import type { PeerCertificate } from 'node:tls';

export type TransportName = 'udp' | 'tcp' | 'tls';

/** host is an IP literal (IPv6 without brackets); an outgoing tcp/tls destination may also be a name. */
export interface Endpoint { transport: TransportName; host: string; port: number }

/** An outgoing destination. */
export interface OutboundEndpoint extends Endpoint {
  /**
   * TLS only: the host as written in the URI before DNS resolution. It is sent as SNI (names only) and the
   * server certificate must match it (RFC 5922 §7.3). Absent: the certificate must match `host` itself.
   */
  tlsName?: string;
}

export interface InboundMessage {
  /** Exactly one SIP message: a UDP datagram, or one framed stream message including its body. */
  data: Buffer;
  source: Endpoint;
  local: Endpoint;
  connectionId?: number;
  /** TLS: the peer's certificate, present only when it was verified (mutual TLS inbound, always outbound). */
  tlsPeerCertificate?: PeerCertificate;
}

export type TlsVersion = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';

export interface TlsOptions {
  port: number;
  /** PEM file paths. */
  cert: string;
  key: string;
  /** Verifies client certificates (mutual TLS) and server certificates; absent = the system's CAs. */
  ca?: string;
  /** Mutual TLS: ask every client for a certificate and refuse the handshake without a valid one. */
  requestCert: boolean;
  /** Lifetime of the TLS sessions the listener lets clients resume. */
  sessionTimeoutSec: number;
  /** Oldest TLS version accepted or offered; absent = TLSv1.2. */
  minVersion?: TlsVersion;
  /** OpenSSL cipher list for TLS 1.2 and older; absent = DEFAULT_TLS_CIPHERS. */
  ciphers?: string;
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
  /** Inbound TCP+TLS connections one address may hold; more are refused. 0 or absent = no limit. */
  maxConnectionsPerSource?: number;
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
  /** TLS connections once established. */
  tls?: ConnectionTlsInfo;
}

export interface ConnectionTlsInfo {
  /** "TLSv1.3" and the like. */
  protocol: string;
  /** OpenSSL name, e.g. "TLS_AES_256_GCM_SHA384" or "AES128-SHA". */
  cipher: string;
  sessionReused: boolean;
  /** Subject of the peer's verified certificate, "CN=..., O=..." style; absent without one. */
  peerSubject?: string;
  /** For outgoing connections: the name the server certificate was checked against. */
  verifiedName?: string;
}

/** Which connections `closeConnections` ends: all conditions given must hold. */
export interface ConnectionSelector {
  id?: number;
  transport?: 'tcp' | 'tls';
  /** The remote address and port. */
  target?: { host: string; port: number };
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
