'use strict';
// SMS over SMPP 3.4 (docs/api-notify.md): with smpp_url set, `cordon serve` binds as a
// transceiver to the SMSC and sends every SMS of the outbox there. Against a local SMSC on
// Debian's Net::SMPP (tests/lib/smsc.pl): a citizen signs in with the code that arrived over
// SMPP; UCS-2 with diacritics split into concatenated segments, or GSM 7-bit without; delivery
// receipts; a refused submit retried; a dropped session bound again; a refused bind.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer, runBin } = require('../lib/server');
const { assertStatus } = require('../lib/fixtures');
const { uniquePhone } = require('../lib/people');
const { startSmsc } = require('../lib/smsc');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const FAST = { CORDON_NOTIFY_POLL_MS: '50', CORDON_NOTIFY_RETRY_BASE: '1' };

async function until(what, fn, ms = 15000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('UCS-2, the default', () => {
  let smsc;
  let srv;
  let admin;
  const msg = async (phone) => (await srv.api('GET', `/api/v1/outbox?recipient=${phone}`, { token: admin })).json.messages[0];
  before(async () => {
    smsc = await startSmsc('cordon', 's3cret');
    srv = await startServer({ env: { CORDON_SMPP_URL: smsc.url, CORDON_SMPP_SOURCE: 'BoYTe', ...FAST } });
    admin = await srv.login(srv.adminUsername, srv.adminPassword);
  });
  after(async () => {
    if (srv) await srv.stop();
    if (smsc) await smsc.stop();
  });

  test('a citizen signs in with the code that arrived over SMPP; the receipt marks it delivered', async () => {
    const phone = uniquePhone();
    assertStatus(await srv.api('POST', '/api/v1/citizen/otp', { body: { phone } }), 202);
    await smsc.until((e) => e.event === 'bind' && e.system_id === 'cordon');
    await until('the whole message', () => smsc.messages(phone).length === 1);
    const [text] = smsc.messages(phone);
    assert.match(text, /^Mã xác thực Cordon: \d{6}\. Mã có hiệu lực 5 phút/, 'diacritics kept');
    // 81 characters: more than one UCS-2 SMS (70), so two segments with a UDH.
    const parts = smsc.submits(phone);
    assert.equal(parts.length, 2);
    for (const p of parts) {
      assert.equal(p.data_coding, 8);
      assert.equal(p.esm_class, 0x40);
      assert.equal(p.registered_delivery, 1);
      assert.equal(p.from, 'BoYTe');
    }
    const code = text.match(/(\d{6})/)[1];
    const l = await srv.api('POST', '/api/v1/citizen/login', { body: { phone, code } });
    assertStatus(l, 200, 'sign-in with the code from the SMSC');
    assert.equal(l.json.person.phone, phone);
    const m = await until('delivered', async () => { const x = await msg(phone); return x.status === 'delivered' && x; });
    assert.ok(m.delivered_at >= m.sent_at);
  });

  test('a refused submit is retried; an undeliverable receipt marks the message failed', async () => {
    const phone = uniquePhone();
    await smsc.command(`fail ${phone}`);
    assertStatus(await srv.api('POST', '/api/v1/citizen/otp', { body: { phone } }), 202);
    await smsc.until((e) => e.event === 'submit_refused' && e.to === phone);
    const m = await until('the failed try', async () => { const x = await msg(phone); return x.last_error && x; });
    assert.equal(m.last_error, 'the SMSC refused the message (status 0x00000008)');
    await smsc.command(`ok ${phone}`);
    await until('sent at last', async () => ['sent', 'delivered'].includes((await msg(phone)).status));

    const other = uniquePhone();
    await smsc.command(`undeliv ${other}`);
    assertStatus(await srv.api('POST', '/api/v1/citizen/otp', { body: { phone: other } }), 202);
    const f = await until('undelivered', async () => { const x = await msg(other); return x.status === 'failed' && x; });
    assert.equal(f.last_error, 'the SMSC could not deliver it');
  });

  test('a session the SMSC drops is bound again, and the message still goes out', async () => {
    const binds = () => smsc.events.filter((e) => e.event === 'bind').length;
    const before = binds();
    await smsc.command('drop');
    const phone = uniquePhone();
    assertStatus(await srv.api('POST', '/api/v1/citizen/otp', { body: { phone } }), 202);
    await until('delivered after a new bind', async () => (await msg(phone)).status === 'delivered');
    assert.ok(binds() > before, 'bound again');
    assert.equal(smsc.messages(phone).length, 1);
  });
});

describe('GSM 7-bit, by the setting', () => {
  test('the text goes without diacritics in one SMS', async () => {
    const smsc = await startSmsc('cordon', 's3cret');
    const srv = await startServer({ env: { CORDON_SMPP_URL: smsc.url, CORDON_SMPP_ENCODING: 'gsm7', ...FAST } });
    try {
      const phone = uniquePhone();
      assertStatus(await srv.api('POST', '/api/v1/citizen/otp', { body: { phone } }), 202);
      await until('the message', () => smsc.messages(phone).length === 1);
      const [p] = smsc.submits(phone);
      assert.equal(p.data_coding, 0);
      assert.equal(p.esm_class, 0);
      assert.match(smsc.messages(phone)[0], /^Ma xac thuc Cordon: \d{6}\. Ma co hieu luc 5 phut, khong chia se ma nay voi ai\.$/);
    } finally {
      await srv.stop();
      await smsc.stop();
    }
  });
});

describe('bad settings', () => {
  test('a refused bind leaves the message queued with the reason', async () => {
    const smsc = await startSmsc('cordon', 'right');
    const url = smsc.url.replace(':right@', ':wrong@');
    const srv = await startServer({ env: { CORDON_SMPP_URL: url, ...FAST } });
    try {
      const admin = await srv.login(srv.adminUsername, srv.adminPassword);
      const phone = uniquePhone();
      assertStatus(await srv.api('POST', '/api/v1/citizen/otp', { body: { phone } }), 202);
      await smsc.until((e) => e.event === 'bind_refused');
      const m = await until('the failed try', async () => {
        const x = (await srv.api('GET', `/api/v1/outbox?recipient=${phone}`, { token: admin })).json.messages[0];
        return x.last_error && x;
      });
      assert.equal(m.status, 'queued');
      assert.equal(m.last_error, 'the SMSC refused the bind (status 0x0000000e)');
      assert.equal(smsc.submits().length, 0);
    } finally {
      await srv.stop();
      await smsc.stop();
    }
  });

  test('a malformed smpp_url or encoding stops the server at start', () => {
    for (const env of [{ CORDON_SMPP_URL: 'http://x:y@127.0.0.1:1' }, { CORDON_SMPP_URL: 'smpp://nouser@127.0.0.1' },
      { CORDON_SMPP_ENCODING: 'latin1' }]) {
      const r = runBin(['serve', '--db', 'sqlite:/nonexistent/x.db', '--listen', '127.0.0.1:1'], '', env);
      assert.notEqual(r.status, 0, JSON.stringify(env));
      assert.match(r.stderr, /smpp/i, JSON.stringify(env));
    }
  });
});
