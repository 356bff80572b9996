import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTxnOperands } from './cmd-txngraceful';

test('txngraceful-restart operands: whole seconds 1-86400 and behaviour 1 or 2', () => {
  assert.deepEqual(parseTxnOperands(['45', '2']), { seconds: 45, behaviour: 2 });
  assert.deepEqual(parseTxnOperands(['1', '1']), { seconds: 1, behaviour: 1 });
  for (const bad of [['45'], ['0', '1'], ['1.5', '1'], ['86401', '1'], ['45', '3'], ['x', '1'], ['45', '1', '1']]) {
    assert.equal(parseTxnOperands(bad), undefined, bad.join(' '));
  }
});
