'use strict';
// The run writer: a trace run through the API is answered once it is queued; its contacts, orders and
// counts are written behind it by a thread of the server (src/tracing/run_writer.c).  Readers of them
// wait for it or, further behind than they wait, say so (Cordon-Runs-Behind); runs a crash left queued
// are written when the server starts again.  This server's readers do not wait
// (tracing_settle_ms = 0), so what the writer has not written yet shows.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const { startServer } = require('../lib/server');
const { UNITS, PASSWORD, createAccount } = require('../lib/fixtures');
const { venueOwner } = require('../lib/checkin');
const { crowdedCases, writtenRun } = require('../lib/tracing-setup');

const CASES = 100; // per group: each case meets every other person of its group at their venue, so
const OTHERS = 100; // writing a batch takes far longer than a request (about 4 ms a run on SQLite)

let srv;
const tok = {};
let official;

function sql(query) {
  const r = srv.store === 'sqlite'
    ? spawnSync('sqlite3', [srv.dbUrl.slice('sqlite:'.length), query], { encoding: 'utf8' })
    : spawnSync('psql', [srv.dbUrl, '-A', '-t', '-c', query], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

const group = (name) => crowdedCases(srv, { ...tok, official, name, cases: CASES, others: OTHERS });

async function runs(caseIds) {
  const r = await srv.api('POST', '/api/v1/tracing/runs', { token: tok.tracer, body: { case_ids: caseIds } });
  assert.equal(r.status, 201, r.text);
  assert.ok(r.json.runs.every((x) => x.pending && x.f1 === CASES + OTHERS - 1), JSON.stringify(r.json.runs[0]));
  return r.json.runs;
}

/** Waits (at most 30 s) until the writer has written every run; then each is checked as a reader sees it. */
async function allWritten(answered) {
  const last = answered[answered.length - 1];
  const t0 = Date.now();
  for (;;) {
    const r = await srv.api('GET', `/api/v1/tracing/runs?case_id=${last.case_id}`, { token: tok.tracer });
    if (!r.headers.get('cordon-runs-behind') && r.json.runs.every((x) => !x.pending)) break;
    assert.ok(Date.now() - t0 < 30000, `not written in 30 s: ${r.headers.get('cordon-runs-behind')} behind`);
    await new Promise((res) => setTimeout(res, 50));
  }
  for (const a of answered) {
    const w = await writtenRun(srv.api, tok.tracer, a.case_id, a.run_id);
    assert.deepEqual([w.f1, w.contacts_changed], [a.f1, a.f1], `case ${a.case_id}: every contact written once`);
    assert.equal(Number(sql(`SELECT COUNT(*) FROM tracing_contacts WHERE case_id = ${a.case_id}`)), a.f1);
  }
}

before(async () => {
  srv = await startServer({ env: { CORDON_TRACING_SETTLE_MS: '0' } });
  tok.admin = await srv.login(srv.adminUsername, srv.adminPassword);
  await createAccount(srv, tok.admin, { username: 'rw.tracer', role: 'tracer', unit_code: UNITS.phucXa });
  tok.tracer = await srv.login('rw.tracer', PASSWORD);
  await createAccount(srv, tok.admin, { username: 'rw.xa', role: 'commune_admin', unit_code: UNITS.phucXa });
  official = await srv.login('rw.xa', PASSWORD);
  tok.owner = (await venueOwner(srv, tok.admin, 'rw.chu.quan', UNITS.phucXa)).token;
});
after(async () => { if (srv) await srv.stop(); });

test('a batch is answered queued; a reader that does not wait says how many runs are behind, '
  + 'and every run is written in the end', async () => {
  const answered = await runs(await group('Lê'));
  const r = await srv.api('GET', `/api/v1/tracing/contacts?unit=${UNITS.phucXa}&case_id=${answered[CASES - 1].case_id}`,
    { token: tok.tracer });
  assert.equal(r.status, 200, r.text);
  const behind = Number(r.headers.get('cordon-runs-behind'));
  assert.ok(behind >= 1 && behind <= CASES, `behind: ${r.headers.get('cordon-runs-behind')}`);
  await allWritten(answered);
  const m = (await srv.api('GET', '/metrics')).text;
  assert.match(m, /^cordon_tracing_runs_pending 0$/m);
  assert.ok(Number(m.match(/^cordon_tracing_runs_written_total (\d+)$/m)[1]) >= CASES, m);
});

test('runs a crash left queued are written when the server starts again', async () => {
  const answered = await runs(await group('Phan'));
  await srv.kill();
  const left = Number(sql(`SELECT COUNT(*) FROM tracing_runs WHERE pending > 0`));
  assert.ok(left > 0, 'the crash came before the writer was done');
  await srv.restart();
  await allWritten(answered);
  assert.equal(sql('SELECT COUNT(*) FROM tracing_runs WHERE pending > 0'), '0');
});
