// Registrar behaviour of the real sipd over UDP and TCP (SPEC REG-1, REG-3; RFC 3261 §10).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Sipd, explain, killStrays } from './harness';
import { SIPP_AVAILABLE, contactOf, newPeer, register, type Peer } from './peers';
import { contactsOf, expiresOf, lastResponse } from './sip-assert';

const MIN_EXPIRES = 60;

for (const transport of ['u1', 't1'] as const) {
  const name = transport === 'u1' ? 'UDP' : 'TCP';

  describe(`registrar over ${name}`, { skip: !SIPP_AVAILABLE && 'sipp not installed' }, () => {
    let sipd: Sipd;
    before(async () => {
      sipd = await Sipd.launch({ MinRegistrationExpires: MIN_EXPIRES });
    });
    after(async () => {
      await killStrays();
      await sipd?.dispose();
    });

    /** The contacts a fresh query REGISTER (no Contact) returns for `user`. */
    async function bindingsOf(user: string): Promise<string[]> {
      const asker = await newPeer(user);
      const res = await register(sipd, asker, { transport, scenario: 'register-query.xml' });
      assert.equal(res.code, 0, explain(res));
      return contactsOf(lastResponse(res.messages));
    }

    function bindingOf(peer: Peer, contacts: string[]): string | undefined {
      return contacts.find((c) => c.includes(`127.0.0.1:${peer.port}`));
    }

    test(`REG-1/REG-3 register: 200 carries the Contact with an expiry (${name})`, async () => {
      const peer = await newPeer(`reg-${transport}`);
      const res = await register(sipd, peer, { transport, expires: 3600 });
      assert.equal(res.code, 0, explain(res) + sipd.diagnostics());
      const ok = lastResponse(res.messages);
      const binding = bindingOf(peer, contactsOf(ok));
      assert.ok(binding, `200 lists ${contactOf(peer)}:\n${ok.text}`);
      const expires = expiresOf(ok, binding);
      assert.ok(expires !== null && expires > 3500 && expires <= 3600, `expiry near 3600, got ${expires}`);
    });

    test(`REG-1 refresh: the same Call-ID with a higher CSeq updates the expiry (${name})`, async () => {
      const peer = await newPeer(`refresh-${transport}`);
      const res = await register(sipd, peer, {
        transport, scenario: 'register-refresh.xml', expires: 3600,
      });
      assert.equal(res.code, 0, explain(res));
      const refreshed = lastResponse(res.messages);
      const mine = contactsOf(refreshed).filter((c) => c.includes(`127.0.0.1:${peer.port}`));
      assert.equal(mine.length, 1, `one binding after the refresh:\n${refreshed.text}`);
      const expires = expiresOf(refreshed, mine[0]);
      assert.ok(expires !== null && expires > 1700 && expires <= 1800, `expiry near 1800, got ${expires}`);
    });

    test(`REG-1 unregister: Expires 0 removes the binding (${name})`, async () => {
      const peer = await newPeer(`unreg-${transport}`);
      assert.equal((await register(sipd, peer, { transport, expires: 3600 })).code, 0);
      assert.ok(bindingOf(peer, await bindingsOf(peer.user)), 'bound before the unregister');
      const res = await register(sipd, peer, { transport, expires: 0 });
      assert.equal(res.code, 0, explain(res));
      assert.equal(bindingOf(peer, await bindingsOf(peer.user)), undefined);
    });

    test(`REG-1 delete all: Contact * with Expires 0 removes every binding of the user (${name})`, async () => {
      const first = await newPeer(`wild-${transport}`);
      const second = await newPeer(first.user);
      assert.equal((await register(sipd, first, { transport })).code, 0);
      assert.equal((await register(sipd, second, { transport })).code, 0);
      assert.equal((await bindingsOf(first.user)).length, 2, 'two bindings before the wildcard');
      const res = await register(sipd, first, { transport, contact: '*', expires: 0 });
      assert.equal(res.code, 0, explain(res));
      assert.deepEqual(await bindingsOf(first.user), []);
    });

    test(`RFC 3261 10.3 too brief: Expires 1 gets 423 with Min-Expires ${MIN_EXPIRES} (${name})`, async () => {
      const peer = await newPeer(`brief-${transport}`);
      const res = await register(sipd, peer, { transport, scenario: 'register-too-brief.xml', expires: 1 });
      assert.equal(res.code, 0, explain(res));
      assert.match(lastResponse(res.messages).text, new RegExp(`^Min-Expires:\\s*${MIN_EXPIRES}\\s*$`, 'im'));
      assert.equal(bindingOf(peer, await bindingsOf(peer.user)), undefined, 'nothing was bound');
    });
  });
}
