import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DIRECTIVES } from './directives';
import { renderReference } from './reference';
import { referencePath } from './reference-path';

test('docs/configuration.md is exactly the generated reference (run write-reference.js after schema changes)', () => {
  assert.equal(readFileSync(referencePath(), 'utf8'), renderReference());
});

test('the reference has a row for every directive, with type, default and restart need', () => {
  const text = renderReference();
  for (const spec of DIRECTIVES) assert.match(text, new RegExp(`^\\| \`${spec.name}\` `, 'm'), spec.name);
  assert.match(text, /^\| `MaxForks` \| an integer from 1 to 6 \| 5 \| graceful \| yes \| /m);
  assert.match(text, /^\| `StatefulServer` \| On or Off \| On \| full restart \| yes \| /m);
  assert.match(text, /^\| `DiffServValue` \| a hex value from 0x00 to 0xFF \| 0x60 \| graceful \| no \| /m);
  assert.match(text, /^\| `Authentication` \| On or Off \| Off \| graceful \| yes \| /m);
  assert.match(text, /^## Registry \(module registry\)$/m);
});

test('pipes inside cells are escaped so tables keep their columns', () => {
  const errorLog = renderReference().split('\n').find((l) => l.startsWith('| `ErrorLog` '));
  assert.ok(errorLog);
  assert.equal(errorLog.split(/(?<!\\)\|/).length, 8);
});
