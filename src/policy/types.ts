// The request policy chain (DESIGN.md "The policy chain"): small processors that run, in the order chain.ts
// gives, after validation and Route pre-processing and before sipd registers, redirects or forwards a request.
import type { SipMessage } from '../sip';
import type { Endpoint } from '../transport';
import type { PeerCertificate } from 'node:tls';
import type { Device } from '../subscribers/types';

export interface PolicyRequest {
  readonly req: SipMessage;
  readonly source: Endpoint;
  /** The client certificate of a mutual-TLS connection, already verified against the CA file. */
  readonly tlsPeerCertificate?: PeerCertificate;
  /** Set by access control: the source matched the "Allow from" list (upstream trust, and Satisfy Any). */
  trustedSource?: boolean;
  /** Set by authentication: who proved (or, for identify-only devices, named) themselves. */
  identity?: { user: string; domain: string; device?: Device };
}

/** What a processor decided: undefined continues the chain. */
export type PolicyVerdict =
  | undefined
  | { status: number; reason?: string; headers?: readonly (readonly [string, string])[] }
  /** Silence: nothing is answered (flood sources, scanners). */
  | 'drop';

export type RequestPolicy = (ctx: PolicyRequest) => PolicyVerdict | Promise<PolicyVerdict>;
