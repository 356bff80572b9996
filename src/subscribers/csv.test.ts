import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatCsv, parseCsv } from './csv';

test('quoted fields keep commas, doubled quotes and line breaks; records are numbered by their first line', () => {
  const text = '\ufeffa,b,c\r\n"x,1","say ""hi""","two\nlines"\n\nlast,,\n';
  const { records, problems } = parseCsv(text);
  assert.deepEqual(problems, []);
  assert.deepEqual(records, [
    { line: 1, fields: ['a', 'b', 'c'] },
    { line: 2, fields: ['x,1', 'say "hi"', 'two\nlines'] },
    { line: 5, fields: ['last', '', ''] },
  ]);
});

test('syntax errors are reported with their line and the other records still read', () => {
  const { records, problems } = parseCsv('a,b\nx"y,1\n"ok",2\n"z"w,3\n"open,4\n');
  assert.deepEqual(problems, [
    { line: 2, reason: 'CSV syntax: a quote inside an unquoted field' },
    { line: 4, reason: 'CSV syntax: text after a closing quote' },
    { line: 5, reason: 'CSV syntax: missing closing quote' },
  ]);
  assert.deepEqual(records.map((r) => r.line), [1, 3]);
});

test('formatCsv output parses back to the same rows', () => {
  const field = fc.string({ unit: fc.constantFrom('a', ',', '"', '\n', '\r', ' ', 'é') });
  fc.assert(
    fc.property(fc.array(fc.array(field, { minLength: 2, maxLength: 4 }), { maxLength: 5 }), (rows) => {
      const { records, problems } = parseCsv(formatCsv(rows));
      assert.deepEqual(problems, []);
      assert.deepEqual(records.map((r) => r.fields), rows);
    }),
  );
});
