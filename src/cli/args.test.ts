import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs } from './args';

test('-f and --foreground are accepted in any position', () => {
  assert.deepEqual(parseArgs(['start', '-f', '/etc/sipd.conf', '--foreground']), {
    command: 'start',
    file: '/etc/sipd.conf',
    foreground: true,
    operands: [],
  });
  assert.deepEqual(parseArgs(['-f', 'a.conf', 'txngraceful-restart', '45', '2']), {
    command: 'txngraceful-restart',
    file: 'a.conf',
    foreground: false,
    operands: ['45', '2'],
  });
});

test('subscriber and device get every option after them, except -f', () => {
  assert.deepEqual(parseArgs(['subscriber', 'add', 'alice', '--password', 'x', '-f', 'a.conf', '--forward-busy=sip:vm@h']), {
    command: 'subscriber',
    file: 'a.conf',
    foreground: false,
    operands: ['add', 'alice', '--password', 'x', '--forward-busy=sip:vm@h'],
  });
  assert.deepEqual(parseArgs(['device', 'list']), { command: 'device', file: undefined, foreground: false, operands: ['list'] });
  assert.deepEqual(parseArgs(['--password', 'x', 'subscriber']), { error: 'unknown option --password' });
});

test('mistakes are reported rather than guessed', () => {
  assert.deepEqual(parseArgs([]), { error: 'no command given' });
  assert.deepEqual(parseArgs(['launch']), { error: 'unknown command launch' });
  assert.deepEqual(parseArgs(['start', '-f']), { error: '-f needs a file name' });
  assert.deepEqual(parseArgs(['stop', '--force']), { error: 'unknown option --force' });
  assert.deepEqual(parseArgs(['status', '--foreground']), { error: '--foreground goes with start only' });
  assert.deepEqual(parseArgs(['graceful', 'now']), { error: 'graceful takes no operands' });
});

test('connections keeps its own options as operands for its parser', () => {
  assert.deepEqual(parseArgs(['connections', '--transport', 'tls', '--clear', '3', '-f', 'a.conf']), {
    command: 'connections',
    file: 'a.conf',
    foreground: false,
    operands: ['--transport', 'tls', '--clear', '3'],
  });
});
