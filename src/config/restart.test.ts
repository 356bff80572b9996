import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig } from './defaults';
import { directivesNeedingRestart } from './restart';

const base = defaultConfig('/srv/sipd');

test('no change needs no restart', () => {
  assert.deepEqual(directivesNeedingRestart(base, defaultConfig('/srv/sipd')), []);
});

test('changes a graceful restart can apply are not listed', () => {
  assert.deepEqual(directivesNeedingRestart(base, { ...base, MaxForks: 2, LogLevel: 'debug', AddRecordRoute: true, SipTlsCertificateFile: '/x.pem' }), []);
});

test('full-restart directives are listed by name', () => {
  const after = {
    ...base, StatefulServer: false, Port: 5070, Listen: [{ port: 5080 }], SipTlsPort: 5062,
    Cisco_Registry_Remote_Update_Port: 1, Cisco_Registry_Max_DB_Age_on_Boot: 10, Sip_Token_Port: 2, PidFile: '/tmp/p', MaxForks: 3,
  };
  assert.deepEqual(directivesNeedingRestart(base, after).sort(), [
    'Cisco_Registry_Max_DB_Age_on_Boot', 'Cisco_Registry_Remote_Update_Port', 'Listen', 'PidFile', 'Port',
    'SipTlsPort', 'Sip_Token_Port', 'StatefulServer',
  ]);
});

test('a moved ServerRoot needs a restart', () => {
  assert.ok(directivesNeedingRestart(base, defaultConfig('/opt/sip')).includes('ServerRoot'));
});
