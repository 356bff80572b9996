import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { loadConfigFile } from './load';

// dist/src/config -> repository root
const root = resolve(__dirname, '../../..');

test('conf/sipd.conf loads without warnings and defaults ServerRoot to the checkout', () => {
  const { config, warnings, file } = loadConfigFile(resolve(root, 'conf/sipd.conf'));
  assert.deepEqual(warnings, []);
  assert.equal(file, resolve(root, 'conf/sipd.conf'));
  assert.equal(config.ServerRoot, root);
  assert.deepEqual(config.Listen, []);
  assert.equal(config.Port, 5060);
  assert.equal(config.ServerType, 'Proxy');
  assert.equal(config.StatefulServer, true);
  assert.equal(config.AddRecordRoute, true);
  assert.equal(config.PidFile, resolve(root, 'logs/sipd.pid'));
  assert.equal(config.ErrorLog, resolve(root, 'logs/error_log'));
  assert.deepEqual(config.CustomLog, { target: resolve(root, 'logs/access_log'), format: 'common' });
  assert.equal(config.LogLevel, 'warn');
  assert.equal(config.RegistryCleanupRate, 180000);
});

test('a missing file is a ConfigError naming the file', () => {
  assert.throws(() => loadConfigFile('/nonexistent/sipd.conf'),
    (err: Error) => err.name === 'ConfigError' && err.message.startsWith('/nonexistent/sipd.conf:0: cannot read'));
});
