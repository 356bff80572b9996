// The subscriber and device records that authentication, third-party phone checks and (later) call forwarding read.
// Stores implement these interfaces: the embedded SQLite store (default), MySQL/MariaDB and PostgreSQL tables.

/** Digest secrets of one subscriber. Our own stores keep only HA1 hashes; an existing external table may hold a clear password. */
export type Credentials =
  | { kind: 'ha1'; realm: string; md5?: string; sha256?: string }
  | { kind: 'password'; password: string };

export interface Subscriber {
  /** User part as provisioned (a name or a number). */
  user: string;
  /** Domain of the subscriber; '' means any domain sipd serves. */
  domain: string;
  credentials: Credentials;
  /** Call-forwarding targets (URIs), read by the routing issue. */
  forwardUnconditional?: string;
  forwardBusy?: string;
  forwardNoAnswer?: string;
  forwardUnavailable?: string;
  /** The subscriber's redirect number is private (privacy=full in Diversion). */
  redirectPrivacy: boolean;
}

/** Read side used by the proxy. `find` tries user@domain, then the user with domain ''. */
export interface SubscriberDirectory {
  find(user: string, domain: string): Subscriber | undefined | Promise<Subscriber | undefined>;
}

export type DeviceType = 'basic' | 'advanced';
/** non-secure: any transport; authenticated: TLS required; encrypted: TLS and SRTP (a=crypto in SDP) required. */
export type SecurityProfile = 'non-secure' | 'authenticated' | 'encrypted';
/** identify: the digest user must exist and own the device, the hash is not checked; verify: the hash is checked. */
export type DigestMode = 'identify' | 'verify';

export interface DeviceLine {
  /** Directory number (user part) registered by this line. */
  number: string;
  /** Calls at once on this line; beyond busyTrigger new calls to it get 486. */
  maxCalls: number;
  busyTrigger: number;
}

/** A third-party phone (seeds 001, 002, 000): identified by its digest user, not by a MAC. */
export interface Device {
  name: string;
  type: DeviceType;
  /** The end user whose digest credentials this phone uses; one device per digest user. */
  digestUser: string;
  /** 1 line for basic, up to 8 for advanced. */
  lines: DeviceLine[];
  /** trusted devices may assert identities (P-Asserted-Identity) for the privacy feature. */
  trusted: boolean;
  securityProfile: SecurityProfile;
  digestMode: DigestMode;
}

export interface DeviceDirectory {
  byDigestUser(user: string): Device | undefined;
  /** The device holding a line with this directory number, if any. */
  byLine(number: string): Device | undefined;
}
