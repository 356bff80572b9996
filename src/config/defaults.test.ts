import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig } from './defaults';
import { DIRECTIVES, propertyOf } from './directives';

const config = defaultConfig('/usr/local/sip');

test('documented defaults of Appendix B', () => {
  const expected: Record<string, unknown> = {
    SipT1InMs: 500, SipT2InMs: 4000, SipT3InMs: 60000, SipMaxT3InMs: 180000, SipT4InMs: 32000,
    MaxInviteRetxCount: 6, MaxNonInviteRetxCount: 10, MaxForks: 5, RegistryCleanupRate: 180000, Port: 5060,
    DiffServValue: 0x60, SipTlsPort: 5061, SipTcpMaxConnectTimeout: 1000, SipTcpMaxTCPConnections: 128, LogLevel: 'warn',
    Cisco_Registry_Max_DB_Age_on_Boot: 86400, Cisco_Routing_Max_DB_Age_on_Boot: 86400, StatefulServer: true,
    ServerType: 'Proxy', Recursive: true, AddRecordRoute: false, SipRouteHeaderTransportType: 'UDP',
    SharedMemorySize: 128000000, Sip_Token_Port: 22794, Sip_Services_Port: 52931, Cisco_Registry_Remote_Update_Port: 22913,
    Cisco_Registry_Shared_Memory_Address: 0x30000000, Cisco_Routing_Shared_Memory_Address: 0x35000000,
    NumericUsernameInterpretation: 'E164_IP', NumericUsernameCharacterSet: '+0123456789.-()', TransportPrefOrder: 'TLS_TCP_UDP',
    CallForwardNoAnswerTimer: 24000, DiversionHeaderName: 'Diversion', Cisco_Enum_Global_Domain: 'e164.arpa',
    RASTimeoutInterval: 300, RASLRQWindow: 3000, RASTimeToLive: 6, DB_MySQL_Connect_Timeout: 3, RadiusAuthSkew: 30,
    AuthDigestQop: 'auth', AuthScheme: 'HTTP_Digest', Cisco_Numexpand: true, Cisco_Registry: true, HostnameLookups: false,
    User: 'csps', StartServers: 5, MaxClients: 20, MaxRequestsPerChild: 0,
  };
  for (const [name, value] of Object.entries(expected)) {
    assert.deepEqual((config as unknown as Record<string, unknown>)[name], value, name);
  }
});

test('decided defaults: D-8, D-9, D-14 and the sipd extensions', () => {
  assert.equal(config.Forward503, false);
  assert.equal(config.CallForwardUnconditional, false);
  assert.equal(config.AllowSipTlsConversionToSip, false);
  assert.equal(config.RASAcceptLCF, 'First');
  assert.equal(config.RASLRQMethod, 'Sequential');
  assert.equal(config.RASAllowTranslation, false);
  assert.equal(config.AuthRealm, undefined);
  assert.deepEqual(
    [config.MaxMessageSize, config.MaxBodySize, config.MaxRequestUriLength, config.MaxHeaderCount, config.SipTcpIdleTimeout],
    [65535, 65535, 4096, 256, 300]);
  assert.deepEqual([config.MinRegistrationExpires, config.DefaultRegistrationExpires, config.MaxRegistrationExpires], [60, 3600, 7200]);
});

test('default paths are absolute under ServerRoot', () => {
  assert.equal(config.ServerRoot, '/usr/local/sip');
  assert.equal(config.PidFile, '/usr/local/sip/logs/sipd.pid');
  assert.equal(config.ErrorLog, '/usr/local/sip/logs/error_log');
  assert.equal(config.Cisco_Registry_Rendezvous_Directory, '/usr/local/sip/data');
  assert.equal(config.RegistryStaticFile, '/usr/local/sip/conf/sip_registry.conf');
  assert.deepEqual(config.CustomLog, { target: '/usr/local/sip/logs/access_log', format: 'common' });
});

test('structured defaults are empty, and every debug flag is Off', () => {
  assert.deepEqual(config.Listen, []);
  assert.deepEqual(config.AccessRules, []);
  assert.deepEqual(config.NumberPlans, {});
  assert.equal(config.Order, 'Deny,Allow');
  assert.ok(Object.keys(config.DebugFlag).length >= 16);
  assert.ok(Object.values(config.DebugFlag).every((on) => on === false));
});

/** Defaults that depend on the host or are made at start, so the configuration leaves them unset. */
const COMPUTED_AT_START = new Set(['AuthRealm', 'IpAddrInPathHeaders', 'SipTlsCiphers', 'AuthNonceSecret']);

test('every directive with a default or a list value has its property', () => {
  const values = config as unknown as Record<string, unknown>;
  const missing = DIRECTIVES.filter((d) => (d.default !== undefined || d.defaultText !== undefined) && values[propertyOf(d)] === undefined)
    .filter((d) => !COMPUTED_AT_START.has(d.name))
    .map((d) => d.name);
  assert.deepEqual(missing, []);
});

test('each directive name appears once in the schema', () => {
  const names = DIRECTIVES.map((d) => d.name.toLowerCase());
  assert.equal(new Set(names).size, names.length);
});
