import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from './errors';
import { parseConfigText } from './parser';
import { hostname } from 'node:os';

const FILE = '/etc/sipd.conf';

/** The "file:line: reason" lines a text is rejected with. */
function rejection(text: string): string[] {
  try {
    parseConfigText(text, FILE);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    assert.equal(err.message, err.problems.map((p) => `${p.file}:${p.line}: ${p.reason}`).join('\n'));
    return err.message.split('\n');
  }
  assert.fail('the text was accepted');
}

const lines = (...l: string[]) => l.join('\n');

test('out-of-range integers name the directive, the range and the value', () => {
  assert.deepEqual(rejection(lines('# x', '', '', '', '', '', '', '', '', '', '', 'MaxForks 9')),
    ['/etc/sipd.conf:12: MaxForks must be an integer from 1 to 6, got "9"']);
  assert.deepEqual(rejection('MaxForks 0'), ['/etc/sipd.conf:1: MaxForks must be an integer from 1 to 6, got "0"']);
  assert.deepEqual(rejection('MaxForks 7'), ['/etc/sipd.conf:1: MaxForks must be an integer from 1 to 6, got "7"']);
  assert.deepEqual(rejection('SipTcpMaxConnectTimeout 100'),
    ['/etc/sipd.conf:1: SipTcpMaxConnectTimeout must be an integer from 150 to 10000 (ms), got "100"']);
});

test('wrong types: flag, integer, enum, hex byte', () => {
  assert.deepEqual(rejection(lines('StatefulServer yes', 'Port five', 'ServerType Registrar', 'DiffServValue 0x100', 'DiffServValue2 1')), [
    '/etc/sipd.conf:1: StatefulServer must be On or Off, got "yes"',
    '/etc/sipd.conf:2: Port must be an integer from 1 to 65535, got "five"',
    '/etc/sipd.conf:3: ServerType must be one of Proxy, Redirect, got "Registrar"',
    '/etc/sipd.conf:4: DiffServValue must be a hex value from 0x00 to 0xFF, got "0x100"',
    '/etc/sipd.conf:5: DiffServValue2 is not a known directive',
  ]);
});

test('missing and extra arguments', () => {
  assert.deepEqual(rejection(lines('MaxForks', 'ErrorLog logs/a b', 'DebugFlag Parser', 'Allow company.com')), [
    '/etc/sipd.conf:1: MaxForks needs a value: an integer from 1 to 6',
    '/etc/sipd.conf:2: ErrorLog takes one value (a path or "|program args"), got 2: "logs/a b"; quote values holding spaces',
    '/etc/sipd.conf:3: DebugFlag needs a flag name and On or Off, got 1 values',
    '/etc/sipd.conf:4: Allow must be followed by "from" or "to", got "company.com"',
  ]);
});

test('Listen with an IP but no port is invalid', () => {
  assert.deepEqual(rejection(lines('Listen 10.0.0.1', 'Listen host.example.com:5060', 'Listen 70000')), [
    '/etc/sipd.conf:1: Listen needs a port, not an address alone: expected a port or IP:port ([IPv6]:port), got "10.0.0.1"',
    '/etc/sipd.conf:2: Listen needs an IP address, not a name: expected a port or IP:port ([IPv6]:port), got "host.example.com:5060"',
    '/etc/sipd.conf:3: Listen has a port out of range: expected a port or IP:port ([IPv6]:port), got "70000"',
  ]);
});

test('a directive set twice is rejected at the second line', () => {
  assert.deepEqual(rejection(lines('ErrorLog logs/error_log', 'ErrorLog "|bin/rotatelogs logs/error_log 86400"')),
    ['/etc/sipd.conf:2: ErrorLog is already set on line 1; only one line may be active']);
});

test('unclosed, stray, unknown and nested sections', () => {
  assert.deepEqual(rejection(lines('</NumberPlan>', '<Directory />', '</Directory>', '<NumberPlan a>', '<VirtualProxyHost b>')), [
    '/etc/sipd.conf:1: </NumberPlan> has no matching <NumberPlan>',
    '/etc/sipd.conf:2: <Directory> is not a known section (NumberPlan, VirtualProxyHost, RASGatekeeperCluster, VirtualHost)',
    '/etc/sipd.conf:3: </Directory> has no matching <Directory>',
    '/etc/sipd.conf:4: <NumberPlan> is not closed',
    '/etc/sipd.conf:5: <VirtualProxyHost> cannot be nested inside <NumberPlan> opened on line 4',
  ]);
});

test('section contents are checked', () => {
  assert.deepEqual(rejection(lines(
    'NumExp 1... +1...', '<NumberPlan g>', 'MaxForks 3', 'NumExp 1[2-8] 5', '</NumberPlan>',
    '<VirtualProxyHost v>', 'Virtual_Proxy_Server_IP 999.1.1.1', '</VirtualProxyHost>', '<RASGatekeeperCluster 0>', '</RASGatekeeperCluster>',
  )), [
    '/etc/sipd.conf:1: NumExp is only allowed inside <NumberPlan>',
    '/etc/sipd.conf:3: MaxForks is not allowed inside <NumberPlan>',
    '/etc/sipd.conf:4: NumExp patterns may hold only digits, ".", "*", "#" and "+", got "1[2-8]"',
    '/etc/sipd.conf:6: <VirtualProxyHost v> needs a Virtual_Proxy_Domain line',
    '/etc/sipd.conf:7: Virtual_Proxy_Server_IP must be an IPv4 or IPv6 address, got "999.1.1.1"',
    '/etc/sipd.conf:9: <RASGatekeeperCluster> priority must be an integer from 1 to 65535, got "0"',
  ]);
});

test('lexical errors are reported with the others', () => {
  assert.deepEqual(rejection(lines('ServerName "sip.example.com', 'MaxForks 8')), [
    '/etc/sipd.conf:1: unterminated quoted value',
    '/etc/sipd.conf:2: MaxForks must be an integer from 1 to 6, got "8"',
  ]);
});

test('settings that contradict each other', () => {
  assert.deepEqual(rejection(lines('MinRegistrationExpires 600', 'DefaultRegistrationExpires 300', 'CustomLog logs/a nosuch')), [
    '/etc/sipd.conf:2: MinRegistrationExpires (600) must not exceed DefaultRegistrationExpires (300)',
    '/etc/sipd.conf:3: CustomLog format "nosuch" is neither a LogFormat nickname nor a format string',
  ]);
  assert.deepEqual(rejection(lines('ProxyAddressResolutionType SRV')), [
    '/etc/sipd.conf:1: ProxyAddressResolutionType SRV needs ProxyDomain (the domain whose SRV records name this server)',
  ]);
});

test('ACL network forms are checked; unknown debug flags are rejected', () => {
  assert.deepEqual(rejection(lines('Deny from 10.0.0.0/33', 'Allow from 10.0.0.0/255.255.0.0', 'DebugFlag Nonsense On')), [
    '/etc/sipd.conf:1: Deny from: the prefix length is too long, got "10.0.0.0/33"',
    '/etc/sipd.conf:3: DebugFlag name must be one of StateMachine, Radius, Parser, SipTcp, SipTls, DBMySQL, GKTMP, GktmpAPI, Privacy, RPMS, Numexpand, Enum, Routing, Registry, RasAPI, RAS, Authentication, got "Nonsense"',
  ]);
});

test('ACL hosts must be what the access list can match: partial addresses, IPv6 and names are checked too', () => {
  assert.deepEqual(rejection(lines('Allow from 10.1 2001:db8::1 gw.example.com .example.org all', 'Deny from 300.1', 'Deny from 2001:db8', 'Allow from bad!name')), [
    '/etc/sipd.conf:2: Deny from: an address byte is above 255, got "300.1"',
    '/etc/sipd.conf:3: Deny from: not an IPv6 address (give an IPv6 network as address/prefix), got "2001:db8"',
    '/etc/sipd.conf:4: Allow from: not a host name, an IP address or a network, got "bad!name"',
  ]);
});

test('Order values take no spaces', () => {
  assert.deepEqual(rejection('Order Deny, Allow'),
    ['/etc/sipd.conf:1: Order takes one value (one of Deny,Allow, Allow,Deny), got 2: "Deny, Allow"; quote values holding spaces']);
});

test('virtual proxy hosts: names must be DNS names, not sipd\'s own, and each used by one host only', () => {
  assert.deepEqual(rejection(lines(
    'ProxyDomain example.com', 'ServerName sip.example.com', 'Listen 192.0.2.10:5060',
    '<VirtualProxyHost a>', 'Virtual_Proxy_Domain EXAMPLE.com', 'Virtual_Proxy_Server_Name sip.example.com',
    'Virtual_Proxy_Server_IP 192.0.2.10', '</VirtualProxyHost>',
    '<VirtualProxyHost b>', 'Virtual_Proxy_Domain companya.com', 'Virtual_Proxy_Server_Name bad_name.com', '</VirtualProxyHost>',
    '<VirtualProxyHost c>', 'Virtual_Proxy_Domain CompanyA.com', 'Virtual_Proxy_Server_Name 10.1.1.1', '</VirtualProxyHost>',
    `<VirtualProxyHost d>`, 'Virtual_Proxy_Domain companyd.com', `Virtual_Proxy_Server_Name ${hostname()}`, '</VirtualProxyHost>',
  )), [
    '/etc/sipd.conf:5: Virtual_Proxy_Domain in <VirtualProxyHost a> must differ from ProxyDomain and ServerName, got "EXAMPLE.com"',
    '/etc/sipd.conf:6: Virtual_Proxy_Server_Name in <VirtualProxyHost a> must differ from this server\'s own name (ServerName, ProxyDomain, host name), got "sip.example.com"',
    '/etc/sipd.conf:7: Virtual_Proxy_Server_IP in <VirtualProxyHost a> must differ from this server\'s own address (IpAddrInPathHeaders, Listen), got "192.0.2.10"',
    '/etc/sipd.conf:11: Virtual_Proxy_Server_Name in <VirtualProxyHost b> must be a host name, got "bad_name.com"',
    '/etc/sipd.conf:14: Virtual_Proxy_Domain in <VirtualProxyHost c> is already used by Virtual_Proxy_Domain in <VirtualProxyHost b>, got "CompanyA.com"',
    '/etc/sipd.conf:15: Virtual_Proxy_Server_Name in <VirtualProxyHost c> must be a host name, got "10.1.1.1"',
    `/etc/sipd.conf:19: Virtual_Proxy_Server_Name in <VirtualProxyHost d> must differ from this server's own name (ServerName, ProxyDomain, host name), got "${hostname()}"`,
  ]);
  assert.deepEqual(rejection(lines(
    'IpAddrInPathHeaders 192.0.2.10', '<VirtualProxyHost a>', 'Virtual_Proxy_Domain a.com', 'Virtual_Proxy_Server_IP 192.0.2.10', '</VirtualProxyHost>',
    '<VirtualProxyHost b>', 'Virtual_Proxy_Domain b.com', 'Virtual_Proxy_Server_Name a.com', 'Virtual_Proxy_Server_IP 192.0.2.20', '</VirtualProxyHost>',
    '<VirtualProxyHost c>', 'Virtual_Proxy_Domain 192.0.2.30', 'Virtual_Proxy_Server_IP 192.0.2.20', '</VirtualProxyHost>',
  )), [
    '/etc/sipd.conf:4: Virtual_Proxy_Server_IP in <VirtualProxyHost a> must differ from this server\'s own address (IpAddrInPathHeaders, Listen), got "192.0.2.10"',
    '/etc/sipd.conf:8: Virtual_Proxy_Server_Name in <VirtualProxyHost b> is already used by Virtual_Proxy_Domain in <VirtualProxyHost a>, got "a.com"',
    '/etc/sipd.conf:12: Virtual_Proxy_Domain in <VirtualProxyHost c> must be a DNS domain name, got "192.0.2.30"',
    '/etc/sipd.conf:13: Virtual_Proxy_Server_IP in <VirtualProxyHost c> is already used by Virtual_Proxy_Server_IP in <VirtualProxyHost b>, got "192.0.2.20"',
  ]);
});

test('a virtual domain may not be ServerName either', () => {
  assert.deepEqual(rejection(lines('ServerName sip.example.com', '<VirtualProxyHost a>', 'Virtual_Proxy_Domain sip.example.com', '</VirtualProxyHost>')),
    ['/etc/sipd.conf:3: Virtual_Proxy_Domain in <VirtualProxyHost a> must differ from ProxyDomain and ServerName, got "sip.example.com"']);
});

test('up to 100 virtual proxy hosts are accepted (the seed allows 10), the 101st is refused', () => {
  const block = (i: number) => [`<VirtualProxyHost ${i}>`, `Virtual_Proxy_Domain d${i}.example.org`, '</VirtualProxyHost>'];
  const hundred = Array.from({ length: 100 }, (_, i) => block(i + 1)).flat();
  assert.equal(Object.keys(parseConfigText(lines(...hundred), FILE).config.VirtualProxyHosts).length, 100);
  assert.deepEqual(rejection(lines(...hundred, ...block(101))), ['/etc/sipd.conf:301: at most 100 <VirtualProxyHost> sections are allowed']);
});
