import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger, nullLogger } from './index';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'sipd-log-'));
}

const STAMP = String.raw`\[(Sun|Mon|Tue|Wed|Thu|Fri|Sat) [A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d \d{4}\]`;

async function waitForText(path: string, text: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (existsSync(path) && readFileSync(path, 'utf8').includes(text)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail(`${path} never contained ${text}`);
}

test('LogLevel filters messages, notices always pass, lines carry the seed shape, the directory is created', async () => {
  const file = join(tempDir(), 'logs', 'nested', 'error_log');
  const log = Logger.open({ errorLog: file, level: 'error', debugFlags: {} });
  log.emerg('e1');
  log.crit('c1');
  log.error('e2');
  log.warn('w1');
  log.notice('A new sipd child process (27413) has started.');
  log.info('i1');
  await log.close();
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
  assert.equal(lines.length, 4);
  assert.match(lines[0], new RegExp(`^${STAMP} \\[emerg\\] e1$`));
  assert.match(lines[2], new RegExp(`^${STAMP} \\[error\\] e2$`));
  assert.match(lines[3], new RegExp(`^${STAMP} \\[notice\\] A new sipd child process \\(27413\\) has started\\.$`));
  assert.ok(!lines.some((l) => l.includes('w1') || l.includes('i1')));
});

test('LogLevel info lets warn and info through', async () => {
  const file = join(tempDir(), 'error_log');
  const log = Logger.open({ errorLog: file, level: 'info', debugFlags: {} });
  log.warn('w1');
  log.info('i1');
  await log.close();
  assert.match(readFileSync(file, 'utf8'), /\[warn\] w1\n.*\[info\] i1\n$/);
});

test('debug output follows its DebugFlag, not LogLevel, and lazy messages are built only when on', async () => {
  const file = join(tempDir(), 'error_log');
  const log = Logger.open({ errorLog: file, level: 'emerg', debugFlags: { Parser: true, Routing: false } });
  let built = 0;
  log.debug('Parser', 'Received 291 bytes UDP packets from 10.80.36.85:50117');
  log.debug('Parser', () => `lazy ${++built}`);
  log.debug('Routing', () => `never ${++built}`);
  log.debug('Registry', 'absent flag');
  assert.equal(log.isDebug('Parser'), true);
  assert.equal(log.isDebug('Routing'), false);
  await log.close();
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
  assert.equal(built, 1);
  assert.equal(lines.length, 2);
  assert.match(lines[0], new RegExp(`^${STAMP} Parser: Received 291 bytes UDP packets from 10\\.80\\.36\\.85:50117$`));
  assert.match(lines[1], /Parser: lazy 1$/);
});

test('access log writes one formatted line per request, with LogFormat nicknames from the config', async () => {
  const dir = tempDir();
  const access = join(dir, 'access_log');
  const log = Logger.open({
    errorLog: join(dir, 'error_log'),
    level: 'warn',
    debugFlags: {},
    access: { target: access, format: 'sip' },
    formats: { sip: '%m %U %>s %{Call-ID}i' },
  });
  log.access({ method: 'REGISTER', uri: 'sip:example.com', source: 'udp:10.0.0.1:5060', status: 200, durationMs: 2, callId: 'abc' });
  log.access({ method: 'OPTIONS', uri: 'sip:example.com', source: 'udp:10.0.0.1:5060', status: 404, durationMs: 1 });
  await log.close();
  assert.equal(readFileSync(access, 'utf8'), 'REGISTER sip:example.com 200 abc\nOPTIONS sip:example.com 404 -\n');
});

test('rotation: after the file is moved, reopen writes to a new file and the old one keeps its lines', async () => {
  const dir = tempDir();
  const file = join(dir, 'error_log');
  const opts = { errorLog: file, level: 'info' as const, debugFlags: {} };
  const log = Logger.open(opts);
  log.info('before rotation');
  await waitForText(file, 'before rotation');
  renameSync(file, `${file}.1`);
  log.info('still old file');
  await log.reopen(opts);
  log.info('after rotation');
  await log.close();
  const old = readFileSync(`${file}.1`, 'utf8');
  const fresh = readFileSync(file, 'utf8');
  assert.ok(old.includes('before rotation') && old.includes('still old file'));
  assert.ok(!old.includes('after rotation'));
  assert.ok(fresh.includes('after rotation') && !fresh.includes('before rotation'));
});

test('reopen applies a new LogLevel', async () => {
  const file = join(tempDir(), 'error_log');
  const log = Logger.open({ errorLog: file, level: 'error', debugFlags: {} });
  log.info('hidden');
  await log.reopen({ errorLog: file, level: 'info', debugFlags: {} });
  log.info('shown');
  await log.close();
  const text = readFileSync(file, 'utf8');
  assert.ok(text.includes('shown') && !text.includes('hidden'));
});

test('a piped target "|program args" receives the lines on its stdin', async () => {
  const out = join(tempDir(), 'piped_log');
  const program = `process.stdin.pipe(require('fs').createWriteStream(process.argv[1]))`;
  const log = Logger.open({ errorLog: `|"${process.execPath}" -e "${program}" "${out}"`, level: 'warn', debugFlags: {} });
  log.warn('through the pipe');
  await log.close();
  assert.match(readFileSync(out, 'utf8'), new RegExp(`^${STAMP} \\[warn\\] through the pipe\\n$`));
});

test('nullLogger writes nothing and never builds lazy debug text', () => {
  const log = nullLogger();
  let built = false;
  log.debug('Parser', () => String((built = true)));
  log.emerg('nowhere');
  assert.equal(log.isDebug('Parser'), false);
  assert.equal(built, false);
});
