'use strict';
// The check-in writer's batches (src/venue/checkin_writer.c). The server waits 300 ms for a
// batch to fill (checkin_batch_wait_us), so check-ins fired together are committed together.
// The durability test (durability.test.js) runs the default writers, two on PostgreSQL.
//
// A commit that fails is made real with a deferred constraint that the test installs in the
// test database: on SQLite a deferred foreign key (a trigger copies a marked check-in into a
// table whose parent row never exists; SQLite checks deferred keys at COMMIT), on PostgreSQL a
// DEFERRABLE INITIALLY DEFERRED constraint trigger that raises. Every statement of the batch
// succeeds and the COMMIT itself fails, as it would on a full disk or a lost connection. A
// second trigger fails the insert of one marked check-in at once (a job that fails alone).
// Runs on the store CORDON_TEST_STORE names.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const { startServer, request } = require('../lib/server');
const { UNITS, createAccount } = require('../lib/fixtures');
const { clientId, venueOwner, venue, rows, withSig } = require('../lib/checkin');

let srv;
let v;
let v2;
let phoneSeq = 0;

/** Runs SQL on the test database beside the running server (sqlite3 or psql). */
function sql(text) {
  const r = srv.store === 'postgres'
    ? spawnSync('psql', [srv.dbUrl, '-v', 'ON_ERROR_STOP=1', '-q', '-c', text], { encoding: 'utf8' })
    : spawnSync('sqlite3', ['-bail', srv.dbUrl.replace(/^sqlite:/, '')], { input: text, encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`sql failed: ${r.error ? r.error.message : r.stderr}`);
}

const TRIPWIRES = {
  sqlite: `
    CREATE TABLE test_tripwire_parent (id INTEGER PRIMARY KEY);
    CREATE TABLE test_tripwire (client_id TEXT,
      parent_id INTEGER REFERENCES test_tripwire_parent (id) DEFERRABLE INITIALLY DEFERRED);
    CREATE TRIGGER test_fail_commit AFTER INSERT ON checkins WHEN NEW.client_id LIKE 'failcommit-%'
      BEGIN INSERT INTO test_tripwire (client_id, parent_id) VALUES (NEW.client_id, -1); END;
    CREATE TRIGGER test_fail_row BEFORE INSERT ON checkins WHEN NEW.client_id LIKE 'failrow-%'
      BEGIN SELECT RAISE(ABORT, 'test tripwire'); END;`,
  postgres: `
    CREATE FUNCTION test_tripwire() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'test tripwire for %', NEW.client_id; END $$;
    CREATE CONSTRAINT TRIGGER test_fail_commit AFTER INSERT ON checkins DEFERRABLE INITIALLY DEFERRED
      FOR EACH ROW WHEN (NEW.client_id LIKE 'failcommit-%') EXECUTE FUNCTION test_tripwire();
    CREATE TRIGGER test_fail_row BEFORE INSERT ON checkins
      FOR EACH ROW WHEN (NEW.client_id LIKE 'failrow-%') EXECUTE FUNCTION test_tripwire();`,
};

function anonymous(over = {}) {
  phoneSeq += 1;
  return withSig({
    client_id: clientId(),
    venue_code: v.code,
    phone: `07${String(process.pid % 100).padStart(2, '0')}${String(phoneSeq).padStart(6, '0')}`,
    full_name: 'Khách Lô Ghi',
    ...over,
  });
}

/** Fires every body at once; answers [{body, status, json}] in order. */
async function fire(bodies) {
  return Promise.all(bodies.map(async (body) => {
    const r = await request(srv.url, 'POST', '/api/v1/checkins', { body });
    return { body, status: r.status, json: r.json, retryAfter: r.headers.get('retry-after') };
  }));
}

before(async () => {
  srv = await startServer({
    env: {
      CORDON_CHECKIN_BATCH_WAIT_US: '300000',
      // one writer (the default; with more, each has its share of the check-ins): all check-ins
      // fired together are one batch, so a failed commit has batch-mates to fail with
      CORDON_CHECKIN_WRITERS: '1',
      CORDON_CHECKIN_VENUE_LIMIT: '1000000',
      CORDON_CHECKIN_PHONE_LIMIT: '4',
    },
  });
  const admin = await srv.login(srv.adminUsername, srv.adminPassword);
  const official = await createAccount(srv, admin,
    { username: 'batch.commune', role: 'commune_admin', unit_code: UNITS.phucXa });
  const officialToken = await srv.login(official.username, 'Mat-khau-Manh-2021');
  const owner = await venueOwner(srv, admin, 'batch.owner', UNITS.phucXa);
  v = await venue(srv, owner.token, officialToken, { name: 'Chợ Lô Ghi', type: 'market' });
  v2 = await venue(srv, owner.token, officialToken, { name: 'Tiệm Sách Lô Ghi', type: 'other' });
  sql(TRIPWIRES[srv.store]);
});

after(async () => { if (srv) await srv.stop(); });

test('a batch whose commit fails answers every request in it 503 and stores none of them', async (t) => {
  const checkinsBefore = rows(srv, 'checkins');
  const personsBefore = rows(srv, 'persons');
  const bodies = Array.from({ length: 12 }, () => anonymous());
  bodies[5] = anonymous({ client_id: `failcommit-${clientId()}` });
  const first = await fire(bodies);

  assert.equal(first[5].status, 503, `the marked check-in: ${first[5].status}`);
  assert.equal(first[5].json.error.code, 'unavailable');
  for (const a of first) {
    assert.ok(a.status === 201 || a.status === 503, `${a.body.client_id}: ${a.status} ${JSON.stringify(a.json)}`);
    if (a.status === 503) assert.equal(a.retryAfter, '1');
  }
  const failed = first.filter((a) => a.status === 503);
  assert.ok(failed.length > 1, 'the marked check-in failed alone: its batch-mates were not answered with it');
  const stored = first.filter((a) => a.status === 201);
  // nothing of the failed batch is stored: not the check-ins, not the contacts made for them
  assert.equal(rows(srv, 'checkins'), checkinsBefore + stored.length);
  assert.equal(rows(srv, 'persons'), personsBefore + stored.length);

  // sent again: what was answered 201 is there (200, same row), what was answered 503 is new now
  const innocent = first.filter((a) => !a.body.client_id.startsWith('failcommit-'));
  const again = await fire(innocent.map((a) => a.body));
  for (let i = 0; i < innocent.length; i++) {
    if (innocent[i].status === 201) {
      assert.equal(again[i].status, 200, 'acknowledged before');
      assert.deepEqual(again[i].json.checkins, innocent[i].json.checkins);
    } else {
      assert.equal(again[i].status, 201, `failed before, stored now: ${JSON.stringify(again[i].json)}`);
    }
  }
  assert.equal(rows(srv, 'checkins'), checkinsBefore + innocent.length);
  assert.equal(rows(srv, 'persons'), personsBefore + innocent.length);
  t.diagnostic(`${srv.store}: ${failed.length} of ${first.length} answered 503 with the failed commit`);
});

test('a check-in that fails alone is answered with its error; the rest of its batch is stored', async () => {
  const checkinsBefore = rows(srv, 'checkins');
  const bodies = Array.from({ length: 10 }, () => anonymous());
  bodies[3] = anonymous({ client_id: `failrow-${clientId()}` });
  const got = await fire(bodies);
  assert.ok(got[3].status >= 400, `the marked check-in: ${got[3].status}`);
  for (const [i, a] of got.entries()) {
    if (i !== 3) assert.equal(a.status, 201, `${a.body.client_id}: ${a.status} ${JSON.stringify(a.json)}`);
  }
  assert.equal(rows(srv, 'checkins'), checkinsBefore + bodies.length - 1);
  const ids = new Set(got.filter((a) => a.status === 201).map((a) => a.json.checkins[0].id));
  assert.equal(ids.size, bodies.length - 1, 'one row each');
});

test('the same client_id twice in one batch: one row, 201 and 200 with that row; elsewhere 409', async () => {
  const checkinsBefore = rows(srv, 'checkins');
  const body = anonymous();
  const got = await fire([body, { ...body }, anonymous()]);
  const statuses = got.slice(0, 2).map((a) => a.status).sort();
  assert.deepEqual(statuses, [200, 201]);
  assert.deepEqual(got[0].json.checkins, got[1].json.checkins);
  assert.equal(got[2].status, 201);
  assert.equal(rows(srv, 'checkins'), checkinsBefore + 2);

  const elsewhere = { ...body, venue_code: v2.code };
  delete elsewhere.venue_sig;
  const r = await srv.api('POST', '/api/v1/checkins', { body: withSig(elsewhere) });
  assert.equal(r.status, 409, r.text);
  assert.equal(r.json.error.field, 'client_id');
  assert.equal(rows(srv, 'checkins'), checkinsBefore + 2);
});

test('the limit on one phone holds across a restart: the writer counts from the database', async () => {
  const phone = '0701234567';
  for (let i = 0; i < 4; i++) {
    const r = await srv.api('POST', '/api/v1/checkins', { body: anonymous({ phone }) });
    assert.equal(r.status, 201, r.text);
  }
  const over = await srv.api('POST', '/api/v1/checkins', { body: anonymous({ phone }) });
  assert.equal(over.status, 429, over.text);
  assert.ok(Number(over.headers.get('retry-after')) > 0);
  await srv.restart();
  const after = await srv.api('POST', '/api/v1/checkins', { body: anonymous({ phone }) });
  assert.equal(after.status, 429, after.text);
  const other = await srv.api('POST', '/api/v1/checkins', { body: anonymous() });
  assert.equal(other.status, 201, other.text);
});

test('every stored check-in is answered by the sync thread, after the WAL is on disk past its batch', async () => {
  // The writer commits without waiting for the disk (SQLite synchronous=NORMAL, PostgreSQL
  // synchronous_commit=off); only the sync thread's fdatasync or flushed commit may answer.
  const metric = async (name) => {
    const r = await request(srv.url, 'GET', '/metrics');
    const m = r.text.match(new RegExp(`^${name} (\\d+)$`, 'm'));
    assert.ok(m, `${name} in /metrics`);
    return Number(m[1]);
  };
  const batches = await metric('cordon_checkin_synced_batches_total');
  const syncs = await metric('cordon_checkin_syncs_total');
  const answers = await fire(Array.from({ length: 6 }, () => anonymous()));
  for (const a of answers) assert.equal(a.status, 201, JSON.stringify(a.json));
  const batchesAfter = await metric('cordon_checkin_synced_batches_total');
  const syncsAfter = await metric('cordon_checkin_syncs_total');
  assert.ok(batchesAfter > batches, `batches answered after a sync: ${batches} -> ${batchesAfter}`);
  assert.ok(syncsAfter > syncs && syncsAfter - syncs <= batchesAfter - batches,
    `syncs ${syncs} -> ${syncsAfter}, at most one per batch`);
});
