import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfigText } from './parser';

const FILE = '/srv/sipd/conf/sipd.conf';
const parse = (text: string) => parseConfigText(text, FILE);

test('directive names are case-insensitive and enum values are canonicalised', () => {
  const { config } = parse('maxforks 3\nSERVERTYPE redirect\nstatefulserver off\nloglevel DEBUG');
  assert.equal(config.MaxForks, 3);
  assert.equal(config.ServerType, 'Redirect');
  assert.equal(config.StatefulServer, false);
  assert.equal(config.LogLevel, 'debug');
});

test('CRLF files parse like LF files', () => {
  const { config } = parse('Port 5070\r\nAddRecordRoute On\r\nDiffServValue 0xB8\r\n');
  assert.equal(config.Port, 5070);
  assert.equal(config.AddRecordRoute, true);
  assert.equal(config.DiffServValue, 0xb8);
});

test('Listen lines are kept in order, with and without an address', () => {
  const { config } = parse('Listen 3000\nListen 10.23.56.78:5060\nListen [2001:db8::1]:5062');
  assert.deepEqual(config.Listen, [{ port: 3000 }, { host: '10.23.56.78', port: 5060 }, { host: '2001:db8::1', port: 5062 }]);
  assert.deepEqual(parse('Port 5080').config.Listen, []);
});

test('ServerRoot defaults to the parent of the config folder and relative paths follow it', () => {
  const { config } = parse('PidFile run/sipd.pid\nSipTlsCertificateFile /etc/ssl/sipd.pem');
  assert.equal(config.ServerRoot, '/srv/sipd');
  assert.equal(config.PidFile, '/srv/sipd/run/sipd.pid');
  assert.equal(config.ErrorLog, '/srv/sipd/logs/error_log');
  assert.equal(config.RegistryStaticFile, '/srv/sipd/conf/sip_registry.conf');
  assert.equal(config.SipTlsCertificateFile, '/etc/ssl/sipd.pem');
  assert.deepEqual(config.CustomLog, { target: '/srv/sipd/logs/access_log', format: 'common' });
});

test('an explicit ServerRoot moves relative paths, wherever it appears in the file', () => {
  const { config } = parse('ErrorLog logs/err\nServerRoot /opt/sip/\n');
  assert.equal(config.ServerRoot, '/opt/sip');
  assert.equal(config.ErrorLog, '/opt/sip/logs/err');
});

test('piped log targets are kept as written', () => {
  const { config } = parse('ErrorLog "|bin/rotatelogs logs/error_log 86400"\nCustomLog "|bin/rotatelogs logs/access_log 86400" combined');
  assert.equal(config.ErrorLog, '|bin/rotatelogs logs/error_log 86400');
  assert.deepEqual(config.CustomLog, { target: '|bin/rotatelogs logs/access_log 86400', format: 'combined' });
});

test('LogFormat adds nicknames next to the built-in ones; CommonLog is read as CustomLog', () => {
  const { config } = parse('LogFormat "%h %r" short\nCommonLog logs/short_log short');
  assert.equal(config.LogFormat.short, '%h %r');
  assert.equal(config.LogFormat.common, '%h %l %u %t "%r" %>s %b');
  assert.deepEqual(config.CustomLog, { target: '/srv/sipd/logs/short_log', format: 'short' });
});

test('a CustomLog inside <VirtualHost> wins over the top-level one', () => {
  const { config } = parse('<VirtualHost *:5060>\nCustomLog logs/vh_log common\n</VirtualHost>\nCustomLog logs/top_log common');
  assert.equal(config.CustomLog.target, '/srv/sipd/logs/vh_log');
});

test('DebugFlag sets one flag, canonicalises its name and leaves the others Off', () => {
  const { config } = parse('DebugFlag parser On\nDebugFlag SipTcp Off');
  assert.equal(config.DebugFlag.Parser, true);
  assert.equal(config.DebugFlag.SipTcp, false);
  assert.equal(config.DebugFlag.StateMachine, false);
  assert.equal(config.DebugFlag.parser, undefined);
});

test('Allow/Deny lines become access rules in file order', () => {
  const { config } = parse('Order Allow,Deny\nAllow from company.com 10.1.0.0/16\nDeny from ALL\nAllow to 192.0.2.0/255.255.255.0');
  assert.equal(config.Order, 'Allow,Deny');
  assert.deepEqual(config.AccessRules, [
    { action: 'allow', direction: 'from', spec: 'company.com' },
    { action: 'allow', direction: 'from', spec: '10.1.0.0/16' },
    { action: 'deny', direction: 'from', spec: 'all' },
    { action: 'allow', direction: 'to', spec: '192.0.2.0/255.255.255.0' },
  ]);
});

test('NumberPlan, VirtualProxyHost and RASGatekeeperCluster sections', () => {
  const { config } = parse([
    '<NumberPlan Global>', '  NumExp 2... +1919392...', '  NumExp 7... +1408527...', '</NumberPlan>',
    '<VirtualProxyHost 1.1>', 'Virtual_Proxy_Domain foo.bar', 'Virtual_Proxy_Server_Name usa.foo.bar',
    'Virtual_Proxy_Server_IP 61.12.1.1', '</VirtualProxyHost>',
    '<RASGatekeeperCluster 1>', 'RASGateKeeper gk1.company.com 1719', 'RASGateKeeper gk2.company.com 1719', '</RASGatekeeperCluster>',
  ].join('\n'));
  assert.deepEqual(config.NumberPlans, { Global: [
    { pattern: '2...', replacement: '+1919392...' }, { pattern: '7...', replacement: '+1408527...' },
  ] });
  assert.deepEqual(config.VirtualProxyHosts, { '1.1': {
    Virtual_Proxy_Domain: 'foo.bar', Virtual_Proxy_Server_Name: 'usa.foo.bar', Virtual_Proxy_Server_IP: '61.12.1.1',
  } });
  assert.deepEqual(config.RASGatekeeperClusters, { 1: [{ host: 'gk1.company.com', port: 1719 }, { host: 'gk2.company.com', port: 1719 }] });
});

test('list directives accumulate across lines, quotes and commas', () => {
  const { config } = parse('IgnoreProxyRequire foo bar\nIgnoreProxyRequire "baz, qux"\nCisco_Registry_Farm_Members "host2.cisco.com"');
  assert.deepEqual(config.IgnoreProxyRequire, ['foo', 'bar', 'baz', 'qux']);
  assert.deepEqual(config.Cisco_Registry_Farm_Members, ['host2.cisco.com']);
});

test('structured module directives', () => {
  const { config } = parse([
    'RASTechPrefix 1919321... 001# include', 'RPMS_ServerIpPortSecret 10.0.0.9 1645 s3cret',
    'DB_MySQL_Password_Field pw', 'db_mysql_XXX_field xcol', 'Cisco_Routing_Shared_Memory_Address 0x35000000',
  ].join('\n'));
  assert.deepEqual(config.RASTechPrefix, [{ pattern: '1919321...', prefix: '001#', action: 'INCLUDE' }]);
  assert.deepEqual(config.RPMS_ServerIpPortSecret, [{ host: '10.0.0.9', port: 1645, secret: 's3cret' }]);
  assert.deepEqual(config.DB_MySQL_XXX_Field, { Password: 'pw', XXX: 'xcol' });
});

test('setting an unimplemented directive warns with its location; implemented ones do not', () => {
  const { warnings } = parse('MaxForks 4\nRASModule On\n\nCisco_Enum Off\nAccounting On');
  assert.deepEqual(warnings, [
    `${FILE}:2: RASModule is recognised but not implemented yet`,
    `${FILE}:5: Accounting is recognised but not implemented yet`,
  ]);
});
