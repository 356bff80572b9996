// DebugFlag Parser: with it On the error_log holds the text of every received message; Off, not.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { HOST, Sipd, killStrays } from './harness';
import { exited, track } from './harness/children';
import { SIPD_MAIN } from './harness/paths';

interface Sent {
  callId: string;
  status: number | null;
}

/** Sends one OPTIONS to sipd itself with a unique Call-ID; resolves with the final status (null: none). */
function sendOptions(sipd: Sipd, timeoutMs = 3000): Promise<Sent> {
  const callId = `dbg-${randomBytes(10).toString('hex')}`;
  return new Promise((resolve) => {
    const sock = createSocket('udp4');
    const finish = (status: number | null): void => {
      clearTimeout(timer);
      sock.close();
      resolve({ callId, status });
    };
    const timer = setTimeout(() => finish(null), timeoutMs);
    sock.on('message', (buf) => {
      const text = buf.toString('latin1');
      const m = /^SIP\/2\.0 (\d{3})/.exec(text);
      if (m && Number(m[1]) >= 200 && text.includes(callId)) finish(Number(m[1]));
    });
    sock.bind(0, HOST, () => {
      const port = sock.address().port;
      const text = [
        `OPTIONS sip:${HOST}:${sipd.port} SIP/2.0`,
        `Via: SIP/2.0/UDP ${HOST}:${port};branch=z9hG4bK${randomBytes(6).toString('hex')};rport`,
        `From: <sip:debug@${HOST}>;tag=${randomBytes(4).toString('hex')}`,
        `To: <sip:${HOST}:${sipd.port}>`,
        `Call-ID: ${callId}`,
        'CSeq: 7 OPTIONS',
        'Max-Forwards: 70',
        'User-Agent: debug-log-probe',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
      sock.send(text, sipd.port, HOST);
    });
  });
}

function errorLog(sipd: Sipd): string {
  const path = join(sipd.root, 'logs', 'error_log');
  return existsSync(path) ? readFileSync(path, 'utf8') : '';
}

async function waitForLog(sipd: Sipd, pattern: RegExp | string, timeoutMs = 5000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let text = errorLog(sipd);
  const found = (t: string): boolean => (typeof pattern === 'string' ? t.includes(pattern) : pattern.test(t));
  while (!found(text) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    text = errorLog(sipd);
  }
  return text;
}

/**
 * Runs `sipd graceful` and waits for its notice in error_log. The notice is written after anything
 * logged for earlier messages, so once it is there the log holds all it ever will about them.
 */
async function gracefulAndFlush(sipd: Sipd): Promise<string> {
  const countBefore = (errorLog(sipd).match(/graceful restart done/g) ?? []).length;
  const cli = spawn(process.execPath, [SIPD_MAIN, 'graceful', '-f', sipd.confPath], { stdio: 'ignore' });
  track(cli);
  assert.equal(await exited(cli), 0, `graceful failed\n${sipd.diagnostics()}`);
  const deadline = Date.now() + 5000;
  let text = errorLog(sipd);
  while ((text.match(/graceful restart done/g) ?? []).length <= countBefore && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    text = errorLog(sipd);
  }
  assert.ok((text.match(/graceful restart done/g) ?? []).length > countBefore, `no graceful notice in error_log:\n${text}`);
  return text;
}

describe('DebugFlag Parser', () => {
  const servers: Sipd[] = [];
  after(async () => {
    await killStrays();
    await Promise.all(servers.map((s) => s.dispose()));
  });

  async function launch(flag: 'On' | 'Off'): Promise<Sipd> {
    const sipd = await Sipd.launch({ DebugFlag: `Parser ${flag}` });
    servers.push(sipd);
    return sipd;
  }

  test('On: error_log holds the received OPTIONS text (its Call-ID and request line)', async () => {
    const sipd = await launch('On');
    const sent = await sendOptions(sipd);
    assert.equal(sent.status, 200, sipd.diagnostics());
    const text = await waitForLog(sipd, sent.callId);
    assert.ok(text.includes(`Call-ID: ${sent.callId}`), `error_log holds the Call-ID header of the OPTIONS:\n${text.slice(-3000)}`);
    assert.ok(text.includes(`OPTIONS sip:${HOST}:${sipd.port} SIP/2.0`), 'error_log holds the request line');
    assert.ok(text.includes('User-Agent: debug-log-probe'), 'error_log holds the other headers too');
    assert.match(text, /\] Parser: /, 'the trace is written under the Parser flag');
  });

  test('Off: error_log does not hold the received message', async () => {
    const sipd = await launch('Off');
    const sent = await sendOptions(sipd);
    assert.equal(sent.status, 200, sipd.diagnostics());
    const text = await gracefulAndFlush(sipd);
    assert.ok(!text.includes(sent.callId), `error_log must not hold the Call-ID:\n${text.slice(-3000)}`);
    assert.ok(!text.includes('User-Agent: debug-log-probe'), 'nor the other headers');
  });

  test('switched On by a graceful restart: messages from then on are traced, earlier ones not', async () => {
    const sipd = await launch('Off');
    const early = await sendOptions(sipd);
    assert.equal(early.status, 200);
    const conf = readFileSync(sipd.confPath, 'utf8');
    assert.match(conf, /^DebugFlag Parser Off$/m);
    writeFileSync(sipd.confPath, conf.replace(/^DebugFlag Parser Off$/m, 'DebugFlag Parser On'));
    await gracefulAndFlush(sipd);

    const late = await sendOptions(sipd);
    assert.equal(late.status, 200);
    const text = await waitForLog(sipd, late.callId);
    assert.ok(text.includes(`Call-ID: ${late.callId}`), `the OPTIONS after the graceful restart is traced:\n${text.slice(-3000)}`);
    assert.ok(!text.includes(early.callId), 'the OPTIONS before it is not');
  });
});
