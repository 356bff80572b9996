import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lexConfig } from './lexer';

test('skips comments and blank lines and keeps line numbers', () => {
  const { lines, errors } = lexConfig('# comment\n\n   # indented comment\nPort 5060\n');
  assert.deepEqual(errors, []);
  assert.deepEqual(lines, [{ kind: 'directive', line: 4, name: 'Port', args: ['5060'] }]);
});

test('quoted values keep spaces and unescape \\" and \\\\', () => {
  const { lines } = lexConfig('LogFormat "%h \\"%r\\" a\\\\b" nick\nErrorLog "|bin/rotatelogs logs/error_log 86400"');
  assert.deepEqual(lines.map((l) => (l.kind === 'directive' ? l.args : [])), [
    ['%h "%r" a\\b', 'nick'],
    ['|bin/rotatelogs logs/error_log 86400'],
  ]);
});

test('an empty quoted value is one empty argument', () => {
  const { lines } = lexConfig('ServerName ""');
  assert.deepEqual(lines[0], { kind: 'directive', line: 1, name: 'ServerName', args: [''] });
});

test('CRLF, CR and LF all end lines', () => {
  const { lines } = lexConfig('Port 5060\r\nMaxForks 4\rLogLevel info\n');
  assert.deepEqual(lines.map((l) => [l.line, l.name]), [[1, 'Port'], [2, 'MaxForks'], [3, 'LogLevel']]);
  assert.deepEqual(lines[0].kind === 'directive' && lines[0].args, ['5060']);
});

test('section open and close tags', () => {
  const { lines } = lexConfig('<NumberPlan Global>\nNumExp 2... +1919392...\n</NumberPlan>');
  assert.deepEqual(lines, [
    { kind: 'open', line: 1, name: 'NumberPlan', args: ['Global'] },
    { kind: 'directive', line: 2, name: 'NumExp', args: ['2...', '+1919392...'] },
    { kind: 'close', line: 3, name: 'NumberPlan' },
  ]);
});

test('a "#" inside a value is not a comment', () => {
  const { lines } = lexConfig('RASTechPrefix 1919321... 001# INCLUDE');
  assert.deepEqual(lines[0].kind === 'directive' && lines[0].args, ['1919321...', '001#', 'INCLUDE']);
});

test('reports an unterminated quote and a malformed tag with their lines', () => {
  const { errors } = lexConfig('Port 5060\nErrorLog "logs/x\n<NumberPlan a\n</ >');
  assert.deepEqual(errors, [
    { line: 2, reason: 'unterminated quoted value' },
    { line: 3, reason: 'section tag <NumberPlan a must end with ">"' },
    { line: 4, reason: 'malformed closing tag </ >' },
  ]);
});
