'use strict';
// A person's timeline (GET /api/v1/people/{id}/timeline) shows the messages sent to the person's
// phone, each with its status as the sender and the gateway's receipts move it (sent, delivered,
// failed), its text as stored: a sign-in code masked, never the code. Another person's messages
// are not there; a person without a phone has none.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/server');
const { UNITS, PASSWORD, createAccount, assertStatus } = require('../lib/fixtures');
const { uniquePhone, citizenWithProfile, createPerson } = require('../lib/people');
const { startGateway, sign } = require('../lib/gateway');

const SECRET = 'timeline-gateway-key';
let srv;
let gw;
let admin;
let commune;

async function until(what, fn, ms = 15000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const timeline = async (id) => {
  const r = await srv.api('GET', `/api/v1/people/${id}/timeline`, { token: commune });
  assertStatus(r, 200, 'timeline');
  return r;
};
const messagesOf = async (id) => (await timeline(id)).json.entries.filter((e) => e.kind === 'message');

before(async () => {
  gw = await startGateway({ secret: SECRET });
  srv = await startServer({
    env: {
      CORDON_SMS_HTTP_URL: gw.url, CORDON_SMS_HTTP_SECRET: SECRET,
      CORDON_NOTIFY_POLL_MS: '50', CORDON_NOTIFY_RETRY_BASE: '1', CORDON_NOTIFY_MAX_ATTEMPTS: '1',
    },
  });
  admin = await srv.login(srv.adminUsername, srv.adminPassword);
  await createAccount(srv, admin, { username: 'tl.xa', role: 'commune_admin', unit_code: UNITS.phucXa });
  commune = await srv.login('tl.xa', PASSWORD);
});
after(async () => {
  if (srv) await srv.stop();
  if (gw) await gw.stop();
});

test('the messages to the person\'s phone, with their status, a code masked', async () => {
  const phone = uniquePhone();
  const c = await citizenWithProfile(srv, admin, phone, { full_name: 'Hà Thị Tin', commune_code: UNITS.phucXa });
  const sent = await until('the sign-in code at the gateway', () => gw.received.find((m) => m.to === phone));
  const code = sent.text.match(/(\d{6})/)[1];
  let [m] = await until('sent', async () => {
    const l = await messagesOf(c.person.id);
    return l.length && l[0].status === 'sent' && l;
  });
  assert.equal(m.message_kind, 'otp');
  assert.equal(m.channel, 'sms');
  assert.match(m.body, /\*{6}/);
  assert.ok(m.sent_at > 0 && m.at > 0 && m.delivered_at === null && m.failed_at === null, JSON.stringify(m));
  const r = await timeline(c.person.id);
  for (const e of r.json.entries.filter((x) => x.kind === 'message')) {
    assert.ok(!Object.values(e).some((v) => typeof v === 'string' && v.includes(code)), 'the code is shown');
  }

  // the gateway's receipt: delivered
  const body = JSON.stringify({ ref: sent.ref, status: 'delivered' });
  assertStatus(await srv.api('POST', '/api/v1/outbox/receipts', { rawBody: body, headers: { 'x-cordon-signature': sign(SECRET, body) } }), 200);
  [m] = await messagesOf(c.person.id);
  assert.equal(m.status, 'delivered');
  assert.ok(m.delivered_at >= m.sent_at);

  // a message the gateway refuses: failed (one try allowed here), newest first
  gw.failFor.set(phone, Infinity);
  assertStatus(await srv.api('POST', '/api/v1/citizen/otp', { body: { phone } }), 202);
  const list = await until('failed', async () => {
    const l = await messagesOf(c.person.id);
    return l.length === 2 && l[0].status === 'failed' && l;
  });
  assert.ok(list[0].failed_at > 0);
  assert.equal(list[1].status, 'delivered');
  assert.ok(list.every((e) => !/\d{6}/.test(e.body)));
  const all = (await timeline(c.person.id)).json.entries.map((e) => e.at);
  assert.deepEqual(all, [...all].sort((a, b) => b - a));
});

test('another person\'s messages are not there; a person without a phone has none', async () => {
  const other = uniquePhone();
  await citizenWithProfile(srv, admin, other, { full_name: 'Người Khác', commune_code: UNITS.phucXa });
  const p = (await createPerson(srv, commune, { full_name: 'Không Có Máy' })).person;
  assert.deepEqual(await messagesOf(p.id), []);
  const q = (await createPerson(srv, commune, { full_name: 'Có Máy', phone: uniquePhone() })).person;
  assert.deepEqual(await messagesOf(q.id), []);
});
