// SIPp peers as the tests use them: a user at a loopback port that registers, calls or answers.
import { spawnSync } from 'node:child_process';
import {
  DOMAIN, HOST, freePort, runSipp, startSipp,
  type Sipd, type SippOptions, type SippResult, type SippRun,
} from './harness';

export const SIPP_AVAILABLE = spawnSync('sipp', ['-v']).error === undefined;

export interface Peer {
  user: string;
  port: number;
}

export async function newPeer(user: string): Promise<Peer> {
  return { user, port: await freePort() };
}

export function contactOf(peer: Peer, transport: 'udp' | 'tcp' = 'udp'): string {
  return `<sip:${peer.user}@${HOST}:${peer.port};transport=${transport}>`;
}

export interface RegisterOptions {
  expires?: number;
  /** Expiry of the second REGISTER of register-refresh.xml; default 1800. */
  refreshExpires?: number;
  contact?: string;
  transport?: 'u1' | 't1';
  scenario?: string;
  /** Injection file (credentials for the register-auth scenarios). */
  inf?: string;
}

/** REGISTERs `peer` at sipd (default: its own Contact, Expires 3600) with the message log kept. */
export function register(sipd: Sipd, peer: Peer, opts: RegisterOptions = {}): Promise<SippResult> {
  const transport = opts.transport ?? 'u1';
  return runSipp({
    scenario: opts.scenario ?? 'register.xml',
    target: sipd.address,
    localPort: peer.port,
    transport,
    traceMsg: true,
    inf: opts.inf,
    keys: {
      user: peer.user,
      domain: DOMAIN,
      contact: opts.contact ?? contactOf(peer, transport === 't1' ? 'tcp' : 'udp'),
      expires: String(opts.expires ?? 3600),
      refresh_expires: String(opts.refreshExpires ?? 1800),
    },
  });
}

/** Starts a callee scenario listening on the peer's port (one call unless told otherwise). */
export function answer(peer: Peer, scenario: string, opts: Partial<SippOptions> = {}): SippRun {
  return startSipp({ scenario, localPort: peer.port, traceMsg: true, timeoutSec: 20, ...opts });
}

/** Runs a caller scenario from `caller` to `callee`@DOMAIN through sipd. */
export function dial(sipd: Sipd, caller: Peer, callee: string, scenario: string, opts: Partial<SippOptions> = {}): Promise<SippResult> {
  const { keys, ...rest } = opts;
  return runSipp({
    scenario,
    target: sipd.address,
    localPort: caller.port,
    service: callee,
    traceMsg: true,
    timeoutSec: 20,
    ...rest,
    keys: { user: caller.user, domain: DOMAIN, ...keys },
  });
}

/** True when a Via value names sipd's listening address and carries an RFC 3261 branch. */
export function isSipdVia(sipd: Sipd, via: string): boolean {
  return via.includes(sipd.address) && /;\s*branch=z9hG4bK/i.test(via);
}
