// The README's worked example, "Two companies and a PSTN gateway", run as written: its sipd.conf block is read
// from README.md, its route added with `sipd regroute` (the gateway being a SIPp UAS on loopback instead of
// 192.0.2.99), and SIPp phones of both companies register and call each other and the PSTN.
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { HOST, Sipd, explain, killStrays, receivedRequests, runSipp, type Directives } from './harness';
import { REPO_ROOT } from './harness/paths';
import { SIPP_AVAILABLE, answer, contactOf, newPeer, type Peer } from './peers';

const skip = !SIPP_AVAILABLE && 'sipp not installed';

/** The README example's configuration: top-level directives, and the <Section> blocks as written. */
function readmeExample(): { directives: Directives; blocks: string } {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Two companies and a PSTN gateway'));
  const conf = /```apache\n([\s\S]*?)```/.exec(section);
  assert.ok(conf, 'the README example has its sipd.conf block');
  const directives: Directives = {};
  const blocks: string[] = [];
  let depth = 0;
  for (const raw of conf[1].split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') continue;
    if (line.startsWith('</')) depth--;
    if (depth > 0 || line.startsWith('<')) blocks.push(line);
    else {
      const [name, ...value] = line.split(/\s+/);
      directives[name] = value.join(' ');
    }
    if (line.startsWith('<') && !line.startsWith('</')) depth++;
  }
  return { directives, blocks: blocks.join('\n') + '\n' };
}

const ROUTE_COMMAND = /sipd regroute add '\+1\*' --next-hop 192\.0\.2\.99 --port 5060 --label pstn/;

describe('README: two companies and a PSTN gateway', { skip }, () => {
  let sipd: Sipd;
  let gateway: Peer;
  const phones = new Map<string, Peer>();

  before(async () => {
    const { directives, blocks } = readmeExample();
    sipd = await Sipd.create(directives);
    appendFileSync(sipd.confPath, blocks);
    await sipd.start();
    gateway = await newPeer('pstn');
    assert.match(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8'), ROUTE_COMMAND, 'the README still adds this route');
    const added = await sipd.command('regroute', 'add', '+1*', '--next-hop', HOST, '--port', String(gateway.port), '--label', 'pstn');
    assert.equal(added.code, 0, added.stderr);
    for (const [user, domain] of [['2000', 'companya.com'], ['2000', 'companyb.com'], ['8000', 'companya.com'], ['8000', 'companyb.com']]) {
      const phone = await newPeer(user);
      const res = await runSipp({
        scenario: 'register.xml', target: sipd.address, localPort: phone.port,
        keys: { user, domain, contact: contactOf(phone), expires: '3600' },
      });
      assert.equal(res.code, 0, `register ${user}@${domain}: ${explain(res)}`);
      phones.set(`${user}@${domain}`, phone);
    }
  });
  after(async () => {
    await killStrays();
    await sipd?.dispose();
  });

  test('the registry holds one entry per private extension and company, and one shared entry per E.164 number', async () => {
    const listed = (await sipd.command('regroute', 'list', '--registry')).stdout;
    for (const key of ['2000@companya.com', '2000@companyb.com', '+14085558000@sps.example', '+14086668000@sps.example']) {
      assert.ok(listed.includes(key), `${key} in:\n${listed}`);
    }
  });

  /** A CompanyA phone (2001) dials `dialled` at `domain`; the call must be answered by `answerer`. */
  async function call(dialled: string, domain: string, answerer: Peer): Promise<string> {
    const uas = answer(answerer, 'uas-answer.xml');
    const caller = await newPeer('2001');
    const res = await runSipp({
      scenario: 'uac-call.xml', target: sipd.address, localPort: caller.port, service: dialled, traceMsg: true, timeoutSec: 20,
      keys: { user: '2001', domain },
    });
    const received = (await uas.done).messages;
    assert.equal(res.code, 0, `${dialled}@${domain}: ${explain(res)}\n${sipd.diagnostics()}`);
    const [invite] = receivedRequests(received, 'INVITE');
    assert.ok(invite, `the expected phone got the INVITE for ${dialled}@${domain}`);
    return invite.startLine;
  }

  test('2000 at companya.com rings CompanyA\'s 2000, and sip:2000@companyb.com CompanyB\'s', async () => {
    await call('2000', 'companya.com', phones.get('2000@companya.com')!);
    await call('2000', 'companyb.com', phones.get('2000@companyb.com')!);
  });

  test('8000 dialled at CompanyA is +14085558000 (CompanyA\'s 8000); 6668000 is +14086668000 (CompanyB\'s)', async () => {
    await call('8000', 'companya.com', phones.get('8000@companya.com')!);
    await call('6668000', 'companya.com', phones.get('8000@companyb.com')!);
  });

  test('18183635839 expands to +18183635839 and goes to the gateway by the +1* route, number@gateway', async () => {
    const startLine = await call('18183635839', 'companya.com', gateway);
    assert.equal(startLine, `INVITE sip:+18183635839@${HOST}:${gateway.port} SIP/2.0`);
  });
});
