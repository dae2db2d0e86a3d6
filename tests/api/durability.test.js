'use strict';
// Durability: a 2xx means the check-in is stored. Eight clients fire check-ins for a few
// seconds, the server is SIGKILLed in the middle, restarted on the same database, and every
// check-in is sent again with its client_id. Each one that got a 2xx before the kill must
// answer 200 with the same row (stored, exactly once); the ones that got no answer may be
// stored or not, but after the re-send each is stored exactly once. Counted through the
// venue's visitor log (API) and `cordon db stats`. Runs on the store CORDON_TEST_STORE names.

const { test, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer, request } = require('../lib/server');
const { UNITS, createAccount, assertStatus } = require('../lib/fixtures');
const { clientId, vnDate, venueOwner, venue, rows, withSig } = require('../lib/checkin');

const CLIENTS = 8;
const FIRE_MS = 5000;                     // the clients stop after this, whatever happens
const KILL_AFTER_MS = 1200 + Math.floor(Math.random() * 800);

let srv;
after(async () => { if (srv) await srv.stop(); });

const sleep = (ms) => new Promise((r) => { setTimeout(r, ms); });

test('every check-in answered 2xx survives SIGKILL, exactly once', async (t) => {
  // the limit on anonymous check-ins per venue is not what this test is about
  // two writers on PostgreSQL (one is the default): the check-ins are shared between them
  srv = await startServer({ env: { CORDON_CHECKIN_VENUE_LIMIT: '1000000', CORDON_CHECKIN_WRITERS: '2' } });
  const admin = await srv.login(srv.adminUsername, srv.adminPassword);
  const official = await createAccount(srv, admin,
    { username: 'dur.commune', role: 'commune_admin', unit_code: UNITS.phucXa });
  const officialToken = await srv.login(official.username, 'Mat-khau-Manh-2021');
  const owner = await venueOwner(srv, admin, 'dur.owner', UNITS.phucXa);
  const v = await venue(srv, owner.token, officialToken, { name: 'Siêu thị Intimex' , type: 'supermarket' });

  const attempts = [];  // {body, status, checkin}
  const url = srv.url;  // the port changes on restart
  const started = Date.now();
  let seq = 0;
  let stop = false;

  async function client(k) {
    while (!stop && Date.now() - started < FIRE_MS) {
      seq += 1;
      const body = withSig({
        client_id: clientId(),
        venue_code: v.code,
        phone: `08${String(k).padStart(2, '0')}${String(seq).padStart(6, '0')}`,
        full_name: 'Khách Thử Bền',
      });
      const a = { body, status: null, checkin: null };
      attempts.push(a);
      try {
        const r = await request(url, 'POST', '/api/v1/checkins', { body });
        a.status = r.status;
        a.checkin = r.json && r.json.checkins ? r.json.checkins[0] : null;
      } catch {
        a.status = null; // no answer: the server died with the request in flight, or before it
        if (stop) return;
        await sleep(5);
      }
    }
  }

  const running = Array.from({ length: CLIENTS }, (_, k) => client(k));
  await sleep(KILL_AFTER_MS);
  const killed = await srv.kill();
  assert.equal(killed.signal, 'SIGKILL');
  stop = true;
  await Promise.all(running);

  const answered = attempts.filter((a) => a.status !== null);
  const unanswered = attempts.filter((a) => a.status === null);
  assert.ok(answered.length >= CLIENTS, `only ${answered.length} check-ins answered before the kill`);
  for (const a of answered) assert.equal(a.status, 201, `first answer ${a.status} for ${a.body.client_id}`);

  await srv.restart();

  // every check-in again, with its client_id
  for (const a of attempts) {
    const r = await srv.api('POST', '/api/v1/checkins', { body: a.body });
    if (a.status !== null) {
      assertStatus(r, 200, `acknowledged ${a.body.client_id} after restart`);
      assert.deepEqual(r.json.checkins[0], a.checkin, 'the same row as acknowledged');
    } else {
      assert.ok(r.status === 200 || r.status === 201, `unanswered ${a.body.client_id}: ${r.status} ${r.text}`);
      a.checkin = r.json.checkins[0];
    }
    a.final = r.json.checkins[0];
  }

  // once more: everything is stored now, so everything answers 200
  for (const a of attempts.slice(0, 50)) {
    assertStatus(await srv.api('POST', '/api/v1/checkins', { body: a.body }), 200, 'second re-send');
  }

  // count rows through the visitor log of the venue (every local day the run touched)
  const dates = [...new Set(attempts.map((a) => vnDate(a.final.checked_in_at)))];
  const visitors = [];
  for (const date of dates) {
    const r = await srv.api('GET', `/api/v1/venues/${v.id}/visitors?date=${date}`, { token: officialToken });
    assertStatus(r, 200, 'visitors');
    visitors.push(...r.json.visitors);
  }
  assert.equal(visitors.length, attempts.length, 'one visitor row per check-in sent');
  const byPhone = new Map();
  for (const x of visitors) byPhone.set(x.phone, (byPhone.get(x.phone) || 0) + 1);
  for (const a of attempts) {
    assert.equal(byPhone.get(a.body.phone), 1, `rows for ${a.body.client_id}`);
  }
  const ids = new Set(visitors.map((x) => x.checkin_id));
  assert.deepEqual(ids, new Set(attempts.map((a) => a.final.id)));
  assert.equal(rows(srv, 'checkins'), attempts.length);
  // one person per phone, however many times it was sent
  assert.equal(rows(srv, 'persons'), attempts.length);

  const s = (await srv.api('GET', '/healthz')).status;
  assert.equal(s, 200);
  t.diagnostic(`${srv.store}: ${attempts.length} sent, ${answered.length} answered before SIGKILL at `
    + `${KILL_AFTER_MS} ms, ${unanswered.length} without answer`);
});
