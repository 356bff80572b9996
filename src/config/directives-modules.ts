// Standard (per-module) directives (seed 004 Appendix B "Configuring Standard Directives", SPEC 21.5),
// plus the sipd registrar extensions.
import type { DirectiveSpec } from './schema-types';
import { FLAG, IP, PATH, PORT, STRING, TRANSPORT, inGroup, int, oneOf } from './directives-server';

const HOST = STRING;

const mysql = inGroup('mysql', [
  { name: 'DB_MySQL', type: FLAG, default: false, implemented: true, description: 'Use the MySQL subscriber table.' },
  { name: 'DB_MySQL_HostName', type: HOST, implemented: true, description: 'Primary MySQL host.' },
  { name: 'DB_MySQL_Secondary_HostName', type: HOST, implemented: true, description: 'Secondary MySQL host.' },
  { name: 'DB_MySQL_DB', type: STRING, implemented: true, description: 'Database holding the subscriber table.' },
  { name: 'DB_MySQL_Username', type: STRING, implemented: true, description: 'Database login.' },
  { name: 'DB_MySQL_Password', type: STRING, implemented: true, description: 'Database password.' },
  { name: 'DB_MySQL_SubscriberTable', type: STRING, implemented: true, description: 'Subscriber table name.' },
  { name: 'DB_MySQL_Connect_Timeout', type: int(1, 60, 's'), default: 3, implemented: true,
    description: 'Connect timeout after which the database is marked down.' },
  { name: 'DB_MySQL_XXX_Field', type: { kind: 'mysqlField' }, defaultText: 'built-in names', implemented: true,
    description: 'DB_MySQL_<Field>_Field column: maps a subscriber field to a column of an existing table.' },
  { name: 'DB_MySQL_Port', type: PORT, default: 3306, implemented: true, description: 'sipd: MySQL/MariaDB port of both hosts.' },
  { name: 'DB_PostgreSQL', type: FLAG, default: false, implemented: true,
    description: 'sipd: use a PostgreSQL subscriber table (same columns and field mapping as MySQL).' },
  { name: 'DB_PostgreSQL_HostName', type: HOST, implemented: true, description: 'sipd: PostgreSQL host.' },
  { name: 'DB_PostgreSQL_Port', type: PORT, default: 5432, implemented: true, description: 'sipd: PostgreSQL port.' },
  { name: 'DB_PostgreSQL_DB', type: STRING, implemented: true, description: 'sipd: database holding the subscriber table.' },
  { name: 'DB_PostgreSQL_Username', type: STRING, implemented: true, description: 'sipd: database login.' },
  { name: 'DB_PostgreSQL_Password', type: STRING, implemented: true, description: 'sipd: database password.' },
  { name: 'SubscriberCacheTime', type: int(0, 86400, 's'), default: 300, implemented: true,
    description: 'sipd: how long a subscriber read from an external database is served from memory (longer while it is down).' },
]);

const gktmp = inGroup('gktmp', [
  { name: 'GktmpConnection', type: FLAG, default: false, implemented: false, description: 'Connect to a NAM server over GKTMP.' },
  { name: 'MasterServerHostname', type: HOST, implemented: false, description: 'Primary NAM server name.' },
  { name: 'MasterServerIpAddress', type: IP, implemented: false, description: 'Primary NAM server address.' },
  { name: 'MasterServerPort', type: PORT, implemented: false, description: 'Primary NAM server port.' },
  { name: 'SecondaryServerHostname', type: HOST, implemented: false, description: 'Secondary NAM server name.' },
  { name: 'SecondaryServerIpAddress', type: IP, implemented: false, description: 'Secondary NAM server address.' },
  { name: 'SecondaryServerPort', type: PORT, implemented: false, description: 'Secondary NAM server port.' },
  { name: 'GktmpTransportType', type: TRANSPORT, default: 'UDP', implemented: false,
    description: 'Transport for routes returned by GKTMP.' },
]);

const radius = inGroup('radius', [
  { name: 'RadiusUserNameAttrAddDomain', type: FLAG, default: true, implemented: false,
    description: 'Send user@domain in the RADIUS User-Name when the domain is served here.' },
  { name: 'RadiusRetransmissionInterval', type: int(100, 60000, 'ms'), default: 2000, implemented: false,
    description: 'Interval between RADIUS retransmissions.' },
  { name: 'RadiusRetransmissionCount', type: int(0, 10), default: 2, implemented: false,
    description: 'Retransmissions before a RADIUS server counts as unreachable.' },
  { name: 'RadiusRetransmissionAfterFailure', type: int(0, 10), default: 0, implemented: false,
    description: 'Retransmissions of the next request after a request failed entirely.' },
  { name: 'RadiusRetryTime', type: int(1, 86400, 's'), default: 300, implemented: false,
    description: 'Time before a failed primary RADIUS server is tried again.' },
]);

const accounting = inGroup('accounting', [
  { name: 'Accounting', type: FLAG, default: false, implemented: false, description: 'Send RADIUS accounting records.' },
  { name: 'AccountingServerSide', type: FLAG, default: true, implemented: false,
    description: 'Records for the upstream (server) side of successful calls.' },
  { name: 'AccountingClientSide', type: FLAG, default: false, implemented: false,
    description: 'Records for the downstream (client) side of successful calls.' },
  { name: 'AccountingUnsuccessful', type: FLAG, default: false, implemented: false,
    description: 'Also send records for failed calls, on the sides switched on above.' },
  { name: 'AccountingRecordFormat', type: oneOf('RADIUS'), default: 'RADIUS', implemented: false,
    description: 'Record format; RADIUS is the only one.' },
  { name: 'AccountingTimeFormat', type: oneOf('Local', 'GMT'), default: 'Local', implemented: false,
    description: 'Time zone of record timestamps.' },
  { name: 'PrimaryRadiusAcctIp', type: HOST, implemented: false, description: 'Primary accounting server.' },
  { name: 'PrimaryRadiusAcctPort', type: PORT, default: 1813, implemented: false, description: 'Its port.' },
  { name: 'PrimaryRadiusAcctSecret', type: STRING, implemented: false, description: 'Its shared secret.' },
  { name: 'SecondaryRadiusAcctIp', type: HOST, implemented: false, description: 'Secondary accounting server.' },
  { name: 'SecondaryRadiusAcctPort', type: PORT, default: 1813, implemented: false, description: 'Its port.' },
  { name: 'SecondaryRadiusAcctSecret', type: STRING, implemented: false, description: 'Its shared secret.' },
  { name: 'AcctIncludeSIPHeader', type: { kind: 'words', max: 50 }, defaultText: 'none', implemented: false,
    description: 'SIP headers copied into accounting records (sip-hdr AVPair), at most 50.' },
]);

const auth = inGroup('auth', [
  { name: 'Authentication', type: FLAG, default: false, implemented: true, description: 'Challenge requests for credentials.' },
  { name: 'AuthRealm', type: STRING, defaultText: 'ProxyDomain, else the host name', implemented: true,
    description: 'Realm offered in challenges.' },
  { name: 'AuthServer', type: oneOf('Proxy', 'Radius'), default: 'Proxy', implemented: false,
    description: 'Check credentials locally or through RADIUS.' },
  { name: 'AuthScheme', type: oneOf('HTTP_Digest', 'HTTP_Basic'), default: 'HTTP_Digest', implemented: true,
    description: 'Challenge scheme; Basic is deprecated.' },
  { name: 'AuthDigestQop', type: oneOf('auth', 'auth-int', 'both', 'none'), default: 'auth', implemented: true,
    description: 'qop offered in digest challenges; none is read as auth.' },
  { name: 'AuthDigestAlgorithm', type: oneOf('MD5', 'MD5-sess'), default: 'MD5', implemented: true,
    description: 'Digest algorithm offered.' },
  { name: 'AuthConsumeProxyAuth', type: FLAG, default: true, implemented: true,
    description: 'Remove Proxy-Authorization before forwarding.' },
  { name: 'AuthAllow3rdPartyRegistration', type: FLAG, default: false, implemented: true,
    description: 'Allow a REGISTER whose To user differs from the From/credential user.' },
  { name: 'AuthAllow3rdPartyInvite', type: FLAG, default: true, implemented: true,
    description: 'Allow an INVITE whose From user differs from the credential user.' },
  { name: 'RadiusAuthSkew', type: int(1, 3600, 's'), default: 30, implemented: true,
    description: 'Lifetime of a challenge nonce.' },
  { name: 'PrimaryRadiusAuthIp', type: HOST, implemented: false, description: 'Primary RADIUS authentication server.' },
  { name: 'PrimaryRadiusAuthPort', type: PORT, default: 1812, implemented: false, description: 'Its port.' },
  { name: 'PrimaryRadiusAuthSecret', type: STRING, implemented: false, description: 'Its shared secret.' },
  { name: 'SecondaryRadiusAuthIp', type: HOST, implemented: false, description: 'Secondary RADIUS authentication server.' },
  { name: 'SecondaryRadiusAuthPort', type: PORT, default: 1812, implemented: false, description: 'Its port.' },
  { name: 'SecondaryRadiusAuthSecret', type: STRING, implemented: false, description: 'Its shared secret.' },
  { name: 'AuthIncludeSIPHeader', type: { kind: 'words', max: 50 }, defaultText: 'none', implemented: false,
    description: 'SIP headers copied into RADIUS authentication requests, at most 50.' },
  { name: 'AuthNonceSecret', type: STRING, defaultText: 'random at each start', implemented: true,
    description: 'sipd: key signing nonces; give farm members the same one so any of them accepts a challenge answer.' },
  { name: 'AuthDigestSHA256', type: FLAG, default: false, implemented: true,
    description: 'sipd: also offer a SHA-256 challenge (RFC 8760) after the AuthDigestAlgorithm one. Off by default: some phones (baresip 1.0) fail on a challenge they cannot compute instead of skipping it.' },
  { name: 'AuthFailureLimit', type: int(0, 1000), default: 5, implemented: true,
    description: 'sipd: wrong credentials this many times within AuthFailureWindow lock the user (and the source) out; 0 never.' },
  { name: 'AuthFailureWindow', type: int(1, 86400, 's'), default: 60, implemented: true,
    description: 'sipd: period over which failed authentications are counted.' },
  { name: 'AuthLockoutTime', type: int(1, 86400, 's'), default: 300, implemented: true,
    description: 'sipd: how long a locked-out user or source is refused with 403.' },
]);

const acl = inGroup('acl', [
  { name: 'Order', type: oneOf('Deny,Allow', 'Allow,Deny'), default: 'Deny,Allow', implemented: true,
    description: 'Which list is checked first and so the default: Deny,Allow admits by default.' },
  { name: 'Allow', type: { kind: 'access' }, defaultText: 'none', implemented: true,
    description: 'Allow from <hosts>: trusted senders; Allow to <hosts>: trusted next hops for privacy headers.' },
  { name: 'Deny', type: { kind: 'access' }, defaultText: 'none', implemented: true,
    description: 'Deny from <hosts> / Deny to <hosts>. Hosts: all, domain suffix, IP, IP prefix, net/mask, CIDR.' },
  { name: 'Satisfy', type: oneOf('All', 'Any'), default: 'All', implemented: true,
    description: 'All: pass the ACL and authenticate; Any: either one is enough.' },
]);

const abuse = inGroup('abuse', [
  { name: 'RateLimitRequests', type: int(0, 10000000), default: 0, implemented: true,
    description: 'sipd: requests one source address may send per RateLimitWindow before it is banned; 0 no limit.' },
  { name: 'RateLimitWindow', type: int(1, 3600, 's'), default: 2, implemented: true,
    description: 'sipd: period over which RateLimitRequests is counted.' },
  { name: 'RateLimitBanTime', type: int(1, 86400, 's'), default: 300, implemented: true,
    description: 'sipd: how long a source over its rate is ignored.' },
  { name: 'MaxConnectionsPerSource', type: int(0, 1000000), default: 0, implemented: true,
    description: 'sipd: TCP/TLS connections one address may hold open; 0 no limit beyond SipTcpMaxTCPConnections.' },
  { name: 'MaxTransactionsInFlight', type: int(0, 100000000), default: 0, implemented: true,
    description: 'sipd: new requests beyond this many server transactions get 503 with Retry-After; 0 no limit.' },
  { name: 'OverloadLagThreshold', type: int(0, 10000, 'ms'), default: 200, implemented: true,
    description: 'sipd: while the event loop runs this late (smoothed), new calls and registrations get 503 with Retry-After; 0 never.' },
  { name: 'RejectUserAgent', type: { kind: 'words' }, defaultText: 'none', implemented: true,
    description: 'sipd: requests whose User-Agent contains one of these words (case-insensitive) are dropped, e.g. friendly-scanner.' },
]);

const privacy = inGroup('privacy', [
  { name: 'Privacy', type: FLAG, default: false, implemented: true, description: 'Honour privacy requests using the trust lists.' },
  { name: 'PrivacyWithPAI', type: FLAG, default: false, implemented: true,
    description: 'Police and add P-Asserted-Identity.' },
  { name: 'PrivacyWithRPID', type: FLAG, default: false, implemented: true,
    description: 'Police and add Remote-Party-ID.' },
  { name: 'PrivacyWithDiversion', type: FLAG, default: false, implemented: true,
    description: 'Police Diversion headers and anonymise private ones to untrusted hops.' },
]);

const preauth = inGroup('preauth', [
  { name: 'PreAuthorization', type: FLAG, default: false, implemented: false,
    description: 'Ask an RPMS server before accepting a new INVITE.' },
  { name: 'PreAuthRequestType', type: oneOf('Query'), default: 'Query', implemented: false,
    description: 'Pre-authorisation request kind; only Query.' },
  { name: 'RPMS_ServerIpPortSecret', type: { kind: 'rpmsServer', max: 10 }, defaultText: 'none', implemented: false,
    description: 'RPMS_ServerIpPortSecret host port secret; repeat for up to 10 servers.' },
  { name: 'PreAuthPreviousHop', type: { kind: 'words', max: 100 }, defaultText: 'none', implemented: false,
    description: 'Previous hops (ACL syntax) whose INVITEs are pre-authorised, up to 100, or ALL.' },
]);

const callforward = inGroup('callforward', [
  { name: 'CallForwardUnconditional', type: FLAG, default: false, implemented: true, description: 'Always forward to the subscriber\'s target.' },
  { name: 'CallForwardNoAnswer', type: FLAG, default: false, implemented: true, description: 'Forward when the callee does not answer in time.' },
  { name: 'CallForwardBusy', type: FLAG, default: false, implemented: true, description: 'Forward on 486 Busy Here.' },
  { name: 'CallForwardUnavailable', type: FLAG, default: false, implemented: true,
    description: 'Forward when the callee is not registered or does not respond.' },
  { name: 'CallForwardNoAnswerTimer', type: int(1000, 300000, 'ms'), default: 24000, implemented: true,
    description: 'Ring time before no-answer forwarding.' },
  { name: 'CallForwardUnavailableTimer', type: int(1000, 300000, 'ms'), default: 24000, implemented: true,
    description: 'Wait before unavailable forwarding.' },
  { name: 'AddDiversionHeader', type: FLAG, default: true, implemented: true, description: 'Add a diversion header when forwarding.' },
  { name: 'DiversionHeaderName', type: oneOf('Diversion', 'CC-Diversion', 'CC-Redirect'), default: 'Diversion',
    implemented: true, description: 'Name of the added diversion header.' },
]);

const numexpand = inGroup('numexpand', [
  { name: 'Cisco_Numexpand', type: FLAG, default: true, implemented: true, description: 'Apply the number plans.' },
  { name: 'NumExp', type: { kind: 'numExp' }, section: 'NumberPlan', defaultText: 'none', implemented: true,
    description: 'NumExp <pattern> <replacement> inside <NumberPlan id>; "." matches one digit.' },
]);

const enumModule = inGroup('enum', [
  { name: 'Cisco_Enum', type: FLAG, default: false, implemented: true, description: 'Translate E.164 numbers through ENUM.' },
  { name: 'Cisco_Enum_Domain', type: STRING, implemented: true, description: 'Private ENUM domain for numbers without "+".' },
  { name: 'Cisco_Enum_Global_Domain', type: STRING, default: 'e164.arpa', implemented: true,
    description: 'ENUM domain for "+" numbers or when no private domain is set.' },
]);

const routing = inGroup('routing', [
  { name: 'Cisco_Routing', type: FLAG, default: true, implemented: true, description: 'Use the static route table.' },
  { name: 'Cisco_Routing_Shared_Memory_Address', type: { kind: 'hex', min: 0, max: 0xffffffff }, default: 0x35000000,
    restart: 'restart', implemented: false, description: 'Address of the route table mapping (kept for compatibility).' },
  { name: 'Cisco_Routing_Rendezvous_Name', type: STRING, default: 'routing_db', restart: 'restart', implemented: false,
    description: 'Name of the route table store.' },
  { name: 'Cisco_Routing_Rendezvous_Directory', type: PATH, default: 'data', restart: 'restart', implemented: false,
    description: 'Directory of the route table store.' },
  { name: 'Cisco_Routing_Remote_Update_Port', type: PORT, default: 22913, restart: 'restart', implemented: false,
    description: 'Route synchronisation port; the same on every farm member.' },
  { name: 'Cisco_Routing_Use_Domain_Routing', type: FLAG, default: false, implemented: true,
    description: 'Route on the Request-URI host too.' },
  { name: 'Cisco_Routing_Farm_Members', type: { kind: 'words' }, defaultText: 'none', restart: 'restart', implemented: false,
    description: 'Other members of the routing farm (not this host).' },
  { name: 'Cisco_Routing_Max_DB_Age_on_Boot', type: int(0, 31536000, 's'), default: 86400, restart: 'restart', implemented: false,
    description: 'An older route store is discarded at start.' },
  { name: 'Cisco_Routing_Global_Less_Specific_Route_Search', type: FLAG, default: false, implemented: true,
    description: 'After all routes failed (or gave 5xx), try less specific patterns.' },
]);

const registry = inGroup('registry', [
  { name: 'Cisco_Registry', type: FLAG, default: true, implemented: true, description: 'Act as registrar and use the registry for lookups.' },
  { name: 'Cisco_Registry_Use_Virtual_Proxy_Host', type: FLAG, default: true, implemented: false,
    description: 'Key registrations by user@virtual domain; E.164 numbers (+...) share one entry under ProxyDomain.' },
  { name: 'Cisco_Registry_Shared_Memory_Address', type: { kind: 'hex', min: 0, max: 0xffffffff }, default: 0x30000000,
    restart: 'restart', implemented: false, description: 'Address of the registry mapping (kept for compatibility).' },
  { name: 'Cisco_Registry_Rendezvous_Name', type: STRING, default: 'registry_db', restart: 'restart', implemented: false,
    description: 'Name of the registry store.' },
  { name: 'Cisco_Registry_Rendezvous_Directory', type: PATH, default: 'data', restart: 'restart', implemented: false,
    description: 'Directory of the registry store.' },
  { name: 'Cisco_Registry_Remote_Update_Port', type: PORT, default: 22913, restart: 'restart', implemented: false,
    description: 'Registry synchronisation port; the same on every farm member.' },
  { name: 'Cisco_Registry_Farm_Members', type: { kind: 'words' }, defaultText: 'none', implemented: false,
    description: 'Other members of the registry farm (not this host).' },
  { name: 'Cisco_Registry_Max_DB_Age_on_Boot', type: int(0, 31536000, 's'), default: 86400, restart: 'restart', implemented: true,
    description: 'An older registry store is discarded at start; keep it above the registration lifetime.' },
  { name: 'RegistryStaticFile', type: PATH, default: 'conf/sip_registry.conf', implemented: true,
    description: 'sipd: file of static registrations loaded at start and on graceful restart.' },
  { name: 'MinRegistrationExpires', type: int(1, 86400, 's'), default: 60, implemented: true,
    description: 'sipd: shorter registrations are refused with 423 Interval Too Brief.' },
  { name: 'MaxRegistrationExpires', type: int(1, 31536000, 's'), default: 7200, implemented: true,
    description: 'sipd: longer registrations are shortened to this.' },
  { name: 'DefaultRegistrationExpires', type: int(1, 31536000, 's'), default: 3600, implemented: true,
    description: 'sipd: lifetime of a registration that asks for none.' },
]);

const virtualProxyHost = inGroup('virtualproxyhost', [
  { name: 'Virtual_Proxy_Domain', type: { kind: 'vphField' }, section: 'VirtualProxyHost', implemented: false,
    description: 'Required: DNS domain served by this virtual host; not ProxyDomain, unique among the hosts.' },
  { name: 'Virtual_Proxy_Server_Name', type: { kind: 'vphField' }, section: 'VirtualProxyHost', implemented: false,
    description: 'Optional host name of this virtual host, mapped to its domain; not ServerName, ProxyDomain or the host name.' },
  { name: 'Virtual_Proxy_Server_IP', type: { kind: 'vphField' }, section: 'VirtualProxyHost', implemented: false,
    description: 'Optional IP address of this virtual host, mapped to its domain; not IpAddrInPathHeaders or a Listen address.' },
]);

const ras = inGroup('ras', [
  { name: 'RASModule', type: FLAG, default: false, implemented: false, description: 'Ask H.323 gatekeepers (LRQ) when no route is found.' },
  { name: 'RASAcceptLCF', type: oneOf('First', 'Best'), default: 'First', implemented: false,
    description: 'Take the first LCF, or the best one within the LRQ window.' },
  { name: 'RASTimeoutInterval', type: int(1, 60000, 'ms'), default: 300, implemented: false,
    description: 'Wait per gatekeeper in sequential mode.' },
  { name: 'RASLRQMethod', type: oneOf('Sequential', 'Blast'), default: 'Sequential', implemented: false,
    description: 'Query gatekeepers one at a time or all at once.' },
  { name: 'RASLRQWindow', type: int(1, 60000, 'ms'), default: 3000, implemented: false,
    description: 'Total wait for gatekeeper answers (a RIP may extend it).' },
  { name: 'RASTimeToLive', type: int(1, 255, 'hops'), default: 6, implemented: false, description: 'Hop count put in LRQs.' },
  { name: 'RASAllowTranslation', type: FLAG, default: false, implemented: false,
    description: 'Let the gatekeeper rewrite the dialled number (canMapAlias).' },
  { name: 'RASGateKeeper', type: { kind: 'gatekeeper' }, section: 'RASGatekeeperCluster', defaultText: 'none', implemented: false,
    description: 'RASGateKeeper <host> <port> inside <RASGatekeeperCluster priority>; at most 5 a cluster.' },
  { name: 'RASDefaultTechPrefixAction', type: oneOf('Strip', 'Include'), default: 'Include', implemented: false,
    description: 'Keep or remove a tech prefix when no RASTechPrefix rule decides.' },
  { name: 'RASTechPrefix', type: { kind: 'techPrefix' }, defaultText: 'none', implemented: false,
    description: 'RASTechPrefix <pattern> <prefix#> INCLUDE|STRIP; repeat for several.' },
  { name: 'RASTransportType', type: TRANSPORT, default: 'UDP', implemented: false,
    description: 'Transport of routes learned from gatekeepers.' },
]);

export const MODULE_DIRECTIVES: readonly DirectiveSpec[] = [
  ...mysql, ...gktmp, ...accounting, ...radius, ...auth, ...acl, ...abuse, ...privacy, ...preauth,
  ...callforward, ...numexpand, ...enumModule, ...routing, ...registry, ...virtualProxyHost, ...ras,
];
