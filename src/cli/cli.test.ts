// Drives the real `sipd` command as a child process against temporary ServerRoots.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive, readPid } from './pidfile';

const MAIN = join(__dirname, 'main.js');
const started: string[] = [];

interface Run { code: number | null; stdout: string; stderr: string }

function serverRoot(conf: string): { root: string; conf: string; pidFile: string; errorLog: string } {
  const root = mkdtempSync(join(tmpdir(), 'sipd-cli-'));
  mkdirSync(join(root, 'conf'));
  const file = join(root, 'conf', 'sipd.conf');
  writeFileSync(file, conf);
  return { root, conf: file, pidFile: join(root, 'logs', 'sipd.pid'), errorLog: join(root, 'logs', 'error_log') };
}

function sipd(conf: string, ...args: string[]): Run {
  if (args[0] === 'start' || args[0] === 'restart') started.push(conf);
  const r = spawnSync(process.execPath, [MAIN, '-f', conf, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function waitForLog(path: string, text: string): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const log = existsSync(path) ? readFileSync(path, 'utf8') : '';
    if (log.includes(text)) return log;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`${path} never contained ${text}`);
}

after(() => {
  for (const conf of started) sipd(conf, 'stop');
});

test('configtest accepts a minimal file and reports errors as file:line', () => {
  const ok = serverRoot('Port 15060\n');
  const good = sipd(ok.conf, 'configtest');
  assert.equal(good.code, 0);
  assert.equal(good.stdout, 'Syntax OK\n');

  const bad = serverRoot('Port 15060\nMaxForks 99\n');
  const r = sipd(bad.conf, 'configtest');
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`^${bad.conf}:2: MaxForks`, 'm'));
  assert.equal(r.stdout, '');
});

test('start refuses a broken configuration before launching anything', () => {
  const s = serverRoot('Port 15060\nNoSuchDirective On\n');
  const r = sipd(s.conf, 'start');
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`${s.conf}:2: `));
  assert.match(r.stdout, /^Starting sipd: \[FAILED\]$/m);
  assert.equal(existsSync(s.pidFile), false);
});

test('a daemon that cannot start is reported with its own words', () => {
  const s = serverRoot(`Port 15060\nPidFile ${join(tmpdir(), 'x'.repeat(110), 'sipd.pid')}\n`);
  const r = sipd(s.conf, 'start');
  assert.equal(r.code, 1);
  assert.match(r.stdout, /Starting sipd: \[FAILED\]/);
  assert.match(r.stderr, /control socket path longer than 107 bytes/);
});

test('txngraceful-restart checks its operands', () => {
  const s = serverRoot('Port 15060\n');
  const r = sipd(s.conf, 'txngraceful-restart', '45', '3');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /usage: sipd txngraceful-restart SECONDS 1\|2/);
});

test('lifecycle: start, status, graceful, SIGHUP, txngraceful-restart, restart, stop', async (t) => {
  const s = serverRoot('Port 15060\n');
  let pid = 0;

  await t.test('start launches a daemon that writes the PidFile', () => {
    const r = sipd(s.conf, 'start');
    assert.equal(r.stdout, 'Starting sipd: [ OK ]\n');
    assert.equal(r.code, 0);
    pid = readPid(s.pidFile) ?? 0;
    assert.ok(pid > 0 && isAlive(pid));
  });

  await t.test('status reports the running daemon', () => {
    const r = sipd(s.conf, 'status');
    assert.equal(r.code, 0);
    assert.match(r.stdout, new RegExp(`^sipd is running \\(pid ${pid}\\)$`, 'm'));
    assert.match(r.stdout, /^registrations: 0$/m);
    assert.match(r.stdout, /^restarts in place: 0$/m);
  });

  await t.test('a second start is refused', () => {
    const r = sipd(s.conf, 'start');
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`sipd is already running \\(pid ${pid}\\)`));
  });

  await t.test('graceful re-reads the file and warns about directives needing a restart', async () => {
    writeFileSync(s.conf, 'Port 15061\n');
    const r = sipd(s.conf, 'graceful');
    assert.equal(r.code, 0);
    assert.equal(r.stdout, 'Gracefully restarting sipd: [ OK ]\n');
    assert.match(r.stderr, /Port needs a full restart; keeping the running value/);
    await waitForLog(s.errorLog, 'graceful restart done');
    assert.equal(readPid(s.pidFile), pid);
  });

  await t.test('graceful with a broken file keeps the daemon and reports file:line', () => {
    writeFileSync(s.conf, 'Port 15060\nMaxForks 0\n');
    const r = sipd(s.conf, 'graceful');
    assert.equal(r.code, 1);
    assert.match(r.stdout, /Gracefully restarting sipd: \[FAILED\]/);
    assert.match(r.stderr, new RegExp(`${s.conf}:2: MaxForks`));
    assert.ok(isAlive(pid));
    assert.equal(readPid(s.pidFile), pid);
  });

  await t.test('SIGHUP with a broken file is refused by the daemon, which logs file:line', async () => {
    process.kill(pid, 'SIGHUP');
    await waitForLog(s.errorLog, `keeping the running configuration: ${s.conf}:2: MaxForks`);
    assert.ok(isAlive(pid));
  });

  await t.test('SIGHUP triggers a graceful restart', async () => {
    writeFileSync(s.conf, 'Port 15060\n');
    const before = readFileSync(s.errorLog, 'utf8').split('graceful restart done').length;
    process.kill(pid, 'SIGHUP');
    await waitForLog(s.errorLog, 'SIGHUP received');
    for (let i = 0; i < 100 && readFileSync(s.errorLog, 'utf8').split('graceful restart done').length === before; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(readFileSync(s.errorLog, 'utf8').split('graceful restart done').length, before + 1);
  });

  await t.test('txngraceful-restart drains, then the daemon restarts in place', async () => {
    const r = sipd(s.conf, 'txngraceful-restart', '1', '2');
    assert.equal(r.code, 0);
    assert.equal(
      r.stdout,
      'Gracefully Stopping sipd...\n' +
        'sipd signalled to gracefully stop after 1\n' +
        'Going to sleep for 1 seconds ,SPS will shutdown after this\n' +
        'Now starting sipd\n' +
        'Starting sipd: [ OK ]\n',
    );
    const log = await waitForLog(s.errorLog, 'restarted after txngraceful-restart');
    assert.match(log, /draining transactions for 1 s \(behaviour 2\)/);
    assert.match(sipd(s.conf, 'status').stdout, /^restarts in place: 1$/m);
    assert.equal(readPid(s.pidFile), pid);
  });

  await t.test('restart replaces the daemon with a new process', () => {
    const r = sipd(s.conf, 'restart');
    assert.equal(r.code, 0);
    assert.equal(r.stdout, 'Stopping sipd: [ OK ]\nStarting sipd: [ OK ]\n');
    assert.equal(isAlive(pid), false);
    pid = readPid(s.pidFile) ?? 0;
    assert.ok(pid > 0 && isAlive(pid));
  });

  await t.test('stop ends the daemon and removes its PidFile and socket', async () => {
    const r = sipd(s.conf, 'stop');
    assert.equal(r.code, 0);
    assert.equal(r.stdout, 'Stopping sipd: [ OK ]\n');
    assert.equal(isAlive(pid), false);
    assert.equal(existsSync(s.pidFile), false);
    assert.equal(existsSync(join(s.root, 'logs', 'sipd.ctl')), false);
    await waitForLog(s.errorLog, 'caught SIGTERM, shutting down');
  });

  await t.test('status and stop when not running', () => {
    const st = sipd(s.conf, 'status');
    assert.equal(st.code, 3);
    assert.equal(st.stdout, 'sipd is not running\n');
    const sp = sipd(s.conf, 'stop');
    assert.equal(sp.code, 0);
    assert.equal(sp.stdout, 'sipd is not running\n');
  });
});
