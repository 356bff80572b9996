// The request policies sipd runs, built from the configuration. The order of `buildPolicies` is the order in
// which a request meets them: TLS identity, scanners, access control, authentication, the third-party phone
// rules, privacy (it needs the trust and identity found before), and last the busy check with the call entered
// in the dialog table (nothing may wait in between).
import type { SipdConfig } from '../config';
import type { Logger } from '../log';
import type { SipUri } from '../sip';
import { createScannerPolicy } from '../abuse/scanner-policy';
import { AccessLists } from '../acl/access-list';
import { createAccessPolicy } from '../acl/access-policy';
import { AuthSettings, createAuthPolicy } from '../auth';
import type { DialogTable } from '../dialog';
import type { NumberExpander } from '../numbers';
import type { PrivacyHandling } from '../privacy';
import { PhoneLines, busyPolicy, callLines, linePolicy } from '../phones';
import { defaultRealm } from '../subscribers/realm';
import { tlsIdentityPolicy } from './tls-identity';
import type { DeviceDirectory, SubscriberDirectory } from '../subscribers/types';
import type { RequestPolicy } from './types';

export interface PolicyServices {
  subscribers: SubscriberDirectory;
  devices: DeviceDirectory;
  acl: AccessLists;
  /** Present when calls are tracked (stateful and record-routing): busy lines of devices. */
  dialogs?: DialogTable;
  isLocalUri(uri: SipUri): boolean;
  /** The Virtual_Proxy_Domain a host names (its domain, server name or address), if any. */
  virtualDomain(host: string): string | undefined;
  /** Signs nonces; kept for the life of the process (or shared by a farm through AuthNonceSecret). */
  nonceSecret: string | Buffer;
  /** Number expansion of credential user names (NumExpandAuthUserName). */
  numbers?: NumberExpander;
  /** Privacy (CLIR): identities asserted and removed after authentication. */
  privacy?: PrivacyHandling;
  log: Logger;
}

export function buildPolicies(cfg: SipdConfig, s: PolicyServices): RequestPolicy[] {
  const phones: PhoneLines = { devices: s.devices, isLocalUri: s.isLocalUri };
  const warn = (msg: string) => s.log.warn(msg);
  const chain: RequestPolicy[] = [];
  if (cfg.SipTlsMutualAuthentication) chain.push(tlsIdentityPolicy);
  if (cfg.RejectUserAgent.length > 0) chain.push(createScannerPolicy({ words: cfg.RejectUserAgent, logPeriodSec: cfg.RateLimitBanTime, log: warn }));
  if (!s.acl.from.isEmpty) chain.push(createAccessPolicy({ lists: s.acl, satisfy: cfg.Satisfy, authEnabled: cfg.Authentication }));
  if (cfg.Authentication) {
    chain.push(createAuthPolicy(authSettings(cfg, s, warn), s.subscribers, s.devices));
    chain.push(linePolicy);
  }
  if (s.privacy?.active) chain.push(s.privacy.policy);
  if (s.dialogs) {
    const dialogs = s.dialogs;
    chain.push(busyPolicy(dialogs, phones), (ctx) => {
      if (ctx.req.method === 'INVITE' && ctx.req.toTag === undefined) {
        const lines = callLines(ctx, phones);
        dialogs.onInviteForwarded(ctx.req, lines.callee, lines.caller);
      }
      return undefined;
    });
  }
  return chain;
}

function authSettings(cfg: SipdConfig, s: PolicyServices, log: (msg: string) => void): AuthSettings {
  const numbers = s.numbers;
  const virtualHosts = Object.keys(cfg.VirtualProxyHosts).length > 0;
  return {
    realm: defaultRealm(cfg),
    scheme: cfg.AuthScheme === 'HTTP_Basic' ? 'Basic' : 'Digest',
    qop: cfg.AuthDigestQop,
    algorithm: cfg.AuthDigestAlgorithm,
    offerSha256: cfg.AuthDigestSHA256,
    nonceLifetimeSec: cfg.RadiusAuthSkew,
    nonceSecret: s.nonceSecret,
    expandUser: numbers && ((user, domain) => numbers.expandAuthUser(user, domain || undefined)),
    consumeProxyAuth: cfg.AuthConsumeProxyAuth,
    allow3rdPartyRegistration: cfg.AuthAllow3rdPartyRegistration,
    allow3rdPartyInvite: cfg.AuthAllow3rdPartyInvite,
    satisfyAny: cfg.Satisfy === 'Any',
    // AUTH-5: with virtual proxy hosts, subscribers are user@From-domain; a virtual host's name stands for its domain.
    keyDomain: virtualHosts ? (req) => s.virtualDomain(req.from.uri.host) ?? req.from.uri.host : () => '',
    failureLimit: cfg.AuthFailureLimit,
    failureWindowSec: cfg.AuthFailureWindow,
    lockoutSec: cfg.AuthLockoutTime,
    log,
  };
}
