'use strict';
// The callbot end to end on loopback: `cordon serve` with sip_url set drives its own baresip;
// a second baresip (tests/lib/sip-callee.js) plays the phones. An official starts a call list
// of the F1 not yet reached; one F1 answers and presses 1 (symptoms), 2, 2 on the keypad, and
// becomes a flagged health declaration by phone and a reached contact; the other F1 only rings:
// it is hung up after callbot_ring_seconds, tried again after callbot_retry, then failed. A
// check-in list calls the person under quarantine, who answers 2, 2, 1 (needs help).

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startServer, freePort, runBin } = require('../lib/server');
const { assertError, assertStatus, UNITS } = require('../lib/fixtures');
const { tracedCase, quarantinedCitizen } = require('../lib/tracing-setup');
const { startCallee } = require('../lib/sip-callee');

const WAIT_MS = 60000; // every call of a list is done well within this

let srv;
let callee;
let traced;
let quarantined;
let dir;
let sipPort;

const api = (method, p, token, body) => srv.api(method, p, { token, body });

async function calls(token) {
  const r = await api('GET', `/api/v1/callbot/calls?unit=${UNITS.phucXa}`, token);
  assertStatus(r, 200, 'calls');
  return r.json;
}

/** Waits (bounded) until every call of list is answered or failed; answers the calls. */
async function settled(token, listId) {
  const until = Date.now() + WAIT_MS;
  for (;;) {
    const mine = (await calls(token)).calls.filter((c) => c.list_id === listId);
    if (mine.length && mine.every((c) => c.status === 'answered' || c.status === 'failed')) return mine;
    if (Date.now() > until) {
      assert.fail(`calls not done in time: ${JSON.stringify(mine)}\n${callee.story(srv.stderr())}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-callbot-'));
  const calleePort = await freePort();
  sipPort = await freePort();
  srv = await startServer({
    env: {
      CORDON_SIP_URL: 'sip:cordon@127.0.0.1',
      CORDON_SIP_LISTEN: `127.0.0.1:${sipPort}`,
      CORDON_CALLBOT_DIAL: `sip:{phone}@127.0.0.1:${calleePort}`,
      CORDON_CALLBOT_RETRY: '2',
      CORDON_CALLBOT_HOURS: '0-24',
      CORDON_CALLBOT_RING_SECONDS: '3',
      CORDON_CALLBOT_ANSWER_SECONDS: '8',
      CORDON_CALLBOT_DIR: dir,
    },
  });
  traced = await tracedCase(srv);
  quarantined = await quarantinedCitizen(srv);
  callee = await startCallee({
    sipPort: calleePort,
    answer: { [traced.people.a.phone]: ['1', '2', '2'], [quarantined.citizen.phone]: ['2', '2', '1'] },
    ring: [traced.people.c.phone],
  });
});

after(async () => {
  if (callee) await callee.stop();
  if (srv) await srv.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('bad callbot settings stop the server at start, naming the setting', () => {
  const serve = (env) => runBin(['serve', '--db', srv.dbUrl, '--listen', '127.0.0.1:1'], '', env);
  let r = serve({ CORDON_SIP_URL: 'sip:nobody' });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /sip_url must be sip:USER/);
  r = serve({ CORDON_SIP_URL: 'sip:cordon@127.0.0.1', CORDON_SIP_LISTEN: 'localhost:5070' });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /sip_listen must be IPv4:PORT/);
  r = serve({ CORDON_SIP_URL: 'sip:cordon@127.0.0.1', CORDON_CALLBOT_RETRY: '60,soon' });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /callbot_retry must list/);
  r = serve({ CORDON_SIP_URL: 'sip:cordon@127.0.0.1', CORDON_CALLBOT_HOURS: '21-7' });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /callbot_hours must be FROM-TO/);
  r = serve({ CORDON_SIP_URL: 'sip:cordon@127.0.0.1', CORDON_CALLBOT_DIAL: 'tel:{phone}' });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /callbot_dial must be a sip: URI/);
});

test('bad input is refused naming the field', async () => {
  const token = traced.official.token;
  assertError(await api('POST', '/api/v1/callbot/lists', token, {}), 400, 'missing_field', 'reason');
  assertError(await api('POST', '/api/v1/callbot/lists', token, { reason: 'everyone' }), 400, 'invalid_field', 'reason');
  assertError(await api('POST', '/api/v1/callbot/lists', token, { reason: 'f1', unit: 'x' }), 400, 'invalid_field', 'unit');
  assertError(await api('POST', '/api/v1/callbot/lists', token, { reason: 'f1', unit: '79' }), 403, 'forbidden');
  assertError(await api('POST', '/api/v1/callbot/lists', token, { reason: 'f1', extra: 1 }), 400, 'unknown_field', 'extra');
  assertError(await api('GET', '/api/v1/callbot/calls?limit=0', token), 400, 'invalid_field', 'limit');
});

test('the F1 not reached are called: one answers and is flagged, one is retried then failed', async () => {
  const { official, people } = traced;
  const r = await api('POST', '/api/v1/callbot/lists', official.token, { reason: 'f1' });
  assertStatus(r, 201, 'start the F1 list');
  assert.equal(r.json.queued, 2, 'the two F1 (A and C) have phones and are not reached');
  assert.equal(r.json.unit, UNITS.phucXa);
  const again = await api('POST', '/api/v1/callbot/lists', official.token, { reason: 'f1' });
  assertStatus(again, 201, 'start it twice');
  assert.equal(again.json.queued, 0, 'people already waiting for a call are not queued twice');

  const done = await settled(official.token, r.json.list_id);
  const a = done.find((c) => c.person_id === people.a.id);
  const c = done.find((x) => x.person_id === people.c.id);
  assert.equal(a.status, 'answered', JSON.stringify(a));
  assert.deepEqual(a.answers, { symptoms: true, exposure: false, need_help: false });
  assert.equal(a.attempts, 1);
  assert.match(a.declaration_ref, /^TK-\d{8}-[0-9A-Z]{6}$/);
  assert.equal(a.reason, 'f1');
  assert.equal(a.full_name, 'Trần Thị Một');

  assert.equal(c.status, 'failed', JSON.stringify(c));
  assert.equal(c.attempts, 2, 'one try and one retry (callbot_retry = 2)');
  assert.equal(c.last_error, 'no_answer');
  assert.deepEqual(c.answers, { symptoms: null, exposure: null, need_help: null });
  assert.equal(c.declaration_ref, null);
  const rang = callee.events.filter((e) => e.type === 'CALL_INCOMING' && e.accountaor.includes(people.c.phone));
  assert.equal(rang.length, 2, 'the phone that does not answer rang twice');

  // The declaration by phone is a health declaration like any other, and flagged.
  const d = await api('GET', `/api/v1/declarations/${a.declaration_ref}`, official.token);
  assertStatus(d, 200, 'the declaration');
  assert.equal(d.json.kind, 'health');
  assert.equal(d.json.person_id, people.a.id);
  assert.equal(d.json.flagged, true);
  assert.deepEqual(d.json.symptoms, ['other']);
  assert.deepEqual(d.json.exposure, []);
  const flagged = await api('GET', `/api/v1/declarations/flagged?unit=${UNITS.phucXa}`, official.token);
  assertStatus(flagged, 200, 'flagged list');
  assert.ok(flagged.json.people.some((p) => p.person_id === people.a.id && p.last_reference === a.declaration_ref),
    'the person who answered yes to symptoms is on the flagged list');

  // Reached: A's contact row says so; C stays not reached.
  const contacts = await api('GET', `/api/v1/tracing/contacts?unit=${UNITS.phucXa}&case_id=${traced.caseId}`, official.token);
  assertStatus(contacts, 200, 'contacts');
  const status = (id) => contacts.json.contacts.find((x) => x.person_id === id).status;
  assert.equal(status(people.a.id), 'reached');
  assert.equal(status(people.c.id), 'not_reached');
});

test('a check-in list calls the people under quarantine; an answer without symptoms is not flagged', async () => {
  const { official } = traced;
  const r = await api('POST', '/api/v1/callbot/lists', official.token, { reason: 'checkin', unit: UNITS.phucXa });
  assertStatus(r, 201, 'start the check-in list');
  const done = await settled(official.token, r.json.list_id);
  const mine = done.find((c) => c.person_id === quarantined.citizen.person.id);
  assert.ok(mine, `the quarantined citizen is called: ${JSON.stringify(done)}`);
  assert.equal(mine.status, 'answered', JSON.stringify(mine));
  assert.deepEqual(mine.answers, { symptoms: false, exposure: false, need_help: true });
  const d = await api('GET', `/api/v1/declarations/${mine.declaration_ref}`, official.token);
  assertStatus(d, 200, 'the declaration');
  assert.equal(d.json.flagged, false);
  assert.equal(d.json.health_status, 'well');
  const list = await calls(official.token);
  assert.equal(list.enabled, true, 'this server runs the callbot');
});

test('a district official outside the commune sees none of its calls', async () => {
  const r = await api('GET', '/api/v1/callbot/calls?unit=79', traced.official.token);
  assertError(r, 403, 'forbidden');
});

test('a call coming in to the callbot is hung up, and the callbot goes on calling out', async () => {
  const before = callee.events.length;
  callee.dial(`sip:cordon@127.0.0.1:${sipPort}`);
  const until = Date.now() + 15000;
  let closed;
  while (!(closed = callee.events.slice(before).find((e) => e.type === 'CALL_CLOSED' && e.direction === 'outgoing'))) {
    if (Date.now() > until) assert.fail(`the incoming call was not hung up: ${JSON.stringify(callee.events.slice(before))}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.ok(!callee.events.slice(before).some((e) => e.type === 'CALL_ESTABLISHED'), 'the callbot did not answer it');
});

test('outside callbot_hours nobody is called: the list waits', async () => {
  const hour = (new Date().getUTCHours() + 7) % 24;
  const hours = hour === 23 ? '0-23' : `${hour + 1}-24`; // every hour but this one
  const dir2 = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-callbot-'));
  const night = await startServer({
    env: {
      CORDON_SIP_URL: 'sip:cordon@127.0.0.1',
      CORDON_SIP_LISTEN: `127.0.0.1:${await freePort()}`,
      CORDON_CALLBOT_DIAL: `sip:{phone}@127.0.0.1:${callee.sipPort}`,
      CORDON_CALLBOT_HOURS: hours,
      CORDON_CALLBOT_DIR: dir2,
    },
  });
  try {
    const q = await quarantinedCitizen(night);
    const r = await night.api('POST', '/api/v1/callbot/lists', { token: q.official.token, body: { reason: 'checkin' } });
    assertStatus(r, 201, 'start the list');
    assert.equal(r.json.queued, 1);
    await new Promise((res) => setTimeout(res, 4000)); // a few rounds of the callbot
    const list = await night.api('GET', '/api/v1/callbot/calls', { token: q.official.token });
    assertStatus(list, 200, 'calls');
    assert.equal(list.json.enabled, true);
    assert.equal(list.json.calls[0].status, 'queued');
    assert.equal(list.json.calls[0].attempts, 0);
  } finally {
    await night.stop();
    fs.rmSync(dir2, { recursive: true, force: true });
  }
});
