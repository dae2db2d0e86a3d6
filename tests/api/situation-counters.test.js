'use strict';
// Situation counts: every figure of GET /api/v1/situation is read from situation_counts, which
// triggers on the counted tables keep in the writing transaction, rolled up by level, with the
// states (in quarantine, pending, open alerts, to reach, open feedback, vaccinated) kept as their
// changes by day. After each kind of write (the demo's cases, samples, results, doses, check-ins,
// orders, alerts, declarations and feedback; a correction of a result; a case moved to another
// day; a dose renumbered; a declaration unflagged, then deleted; orders ended and cancelled, an
// alert resolved, a contact reached, feedback answered; the check-in retention delete) the
// figures read from the counts equal the figures counted from the tables (source=raw), for the
// nation, a province, a district and a commune, today and on earlier days, rows, unknown place,
// turnaround and daily series alike; `cordon situation rebuild` restores counts that were
// damaged. Runs on the engine of CORDON_TEST_STORE.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const { startServer, request } = require('../lib/server');
const { clientId, venueOwner, venue, withSig } = require('../lib/checkin');
const { UNITS, assertStatus, assertError } = require('../lib/fixtures');
const { writtenRun } = require('../lib/tracing-setup');

let srv;
let token;

/** Runs SQL on the server's database directly: what a damaged or hand-edited database looks like. */
function sql(text) {
  const [cmd, args] = srv.store === 'postgres'
    ? ['psql', [srv.dbUrl, '-v', 'ON_ERROR_STOP=1', '-q', '-A', '-t', '-c', text]]
    : ['sqlite3', [srv.dbUrl.replace(/^sqlite:/, ''), text]];
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60000 });
  assert.equal(r.status, 0, `${cmd}: ${r.stderr}`);
  return r.stdout.trim();
}

async function figures(unit, source, date) {
  const q = `?source=${source}${unit ? `&unit=${unit}` : ''}${date ? `&date=${date}` : ''}`;
  const r = await srv.api('GET', `/api/v1/situation${q}`, { token });
  assertStatus(r, 200, `situation${q}`);
  return r.json;
}

/** The figures from the counters equal the figures from the tables, for each unit checked. */
/** A local date (Việt Nam) `back` days before today. */
function daysBack(back) {
  return new Date(Date.now() + 7 * 3600e3 - back * 86400e3).toISOString().slice(0, 10);
}

async function assertAgree(what) {
  for (const unit of ['', UNITS.hanoi, UNITS.hoanKiem, UNITS.phucXa]) {
    for (const date of [undefined, daysBack(1), daysBack(5)]) {
      const counted = await figures(unit, 'counters', date);
      const raw = await figures(unit, 'raw', date);
      assert.deepEqual(counted, raw, `${what}: unit ${unit || 'VN'}, ${date || 'today'}`);
    }
  }
}

async function total(name, unit = '') {
  return (await figures(unit, 'counters')).total[name]['14d'];
}

before(async () => {
  srv = await startServer();
  const r = srv.cli(['demo', '--people', '300', '--checkins', '3000', '--days', '7']);
  assert.equal(r.status, 0, r.stderr);
  const m = /Admin login: admin \/ (\S+)/.exec(r.stdout);
  assert.ok(m, r.stdout);
  token = await srv.login('admin', m[1]);
});
after(async () => { if (srv) await srv.stop(); });

test('the demo\'s writes: counters and tables agree, and there is something counted', async () => {
  await assertAgree('demo');
  const s = await figures('', 'counters');
  for (const k of ['new_f0', 'samples_taken', 'tests_resulted', 'doses_given', 'checkins']) {
    assert.ok(s.total[k]['14d'] > 0, `${k} counted`);
  }
  assert.ok('feedback_open' in s.total && 'feedback_received' in s.total);
  assertError(await srv.api('GET', '/api/v1/situation?source=guess', { token }), 400, 'invalid_field', 'source');
});

test('check-ins through the API are counted by the writer once each, a retry not again', async () => {
  const owner = await venueOwner(srv, token, 'sitcount.owner', UNITS.phucXa);
  const v = await venue(srv, owner.token, token, { name: 'Chợ Đếm Phúc Xá', type: 'market' });
  const before = await total('checkins', UNITS.phucXa);
  const bodies = Array.from({ length: 6 }, (_, i) => withSig({ client_id: clientId(), venue_code: v.code,
    phone: `0733${String(process.pid % 1000).padStart(3, '0')}${String(i).padStart(3, '0')}`, full_name: 'Khách Đếm' }));
  const answers = await Promise.all(bodies.map((body) => request(srv.url, 'POST', '/api/v1/checkins', { body })));
  for (const r of answers) assertStatus(r, 201, 'check-in');
  assertStatus(await request(srv.url, 'POST', '/api/v1/checkins', { body: bodies[0] }), 200, 'the same check-in again');
  assert.equal(await total('checkins', UNITS.phucXa), before + 6, 'six counted in the commune');
  await assertAgree('check-ins through the writer');
});

test('a trace run through the API counts the contacts it inserts once, in its own statement', async () => {
  // the demo case with the most F2: its contacts taken out (counted out by the delete trigger)
  const caseId = Number(sql(`SELECT case_id FROM tracing_contacts WHERE degree = 2
                             GROUP BY case_id ORDER BY COUNT(*) DESC, case_id LIMIT 1`));
  const f1 = Number(sql(`SELECT COUNT(*) FROM tracing_contacts WHERE case_id = ${caseId} AND degree = 1`));
  const f2 = Number(sql(`SELECT COUNT(*) FROM tracing_contacts WHERE case_id = ${caseId} AND degree = 2`));
  assert.ok(f2 > 0, 'the demo case has F2');
  const found = { f1: await total('f1_found'), f2: await total('f2_found') };
  sql(`DELETE FROM tracing_contacts WHERE case_id = ${caseId}`);
  assert.equal(await total('f2_found'), found.f2 - f2, 'the deletes counted out');
  // traced again with other parameters (a new run): every contact inserted anew, counted by the run
  const tracer = await srv.api('POST', '/api/v1/tracing/runs', {
    token, body: { case_ids: [caseId], params: { slack_minutes: 29 } },
  });
  assertStatus(tracer, 201, 'trace');
  const run = await writtenRun(srv.api, token, caseId, tracer.json.runs[0].run_id);
  const stored = Number(sql(`SELECT COUNT(*) FROM tracing_contacts WHERE case_id = ${caseId}`));
  assert.ok(run.contacts_changed === stored && stored > 0, `${run.contacts_changed} changed, ${stored} stored`);
  const now = { f1: await total('f1_found'), f2: await total('f2_found') };
  const newF1 = Number(sql(`SELECT COUNT(*) FROM tracing_contacts WHERE case_id = ${caseId} AND degree = 1`));
  const newF2 = Number(sql(`SELECT COUNT(*) FROM tracing_contacts WHERE case_id = ${caseId} AND degree = 2`));
  assert.equal(now.f1, found.f1 - f1 + newF1, 'F1 counted once each');
  assert.equal(now.f2, found.f2 - f2 + newF2, 'F2 counted once each');
  await assertAgree('a run through the API');
});

test('a result corrected from negative to positive moves positives, not results', async () => {
  const positives = await total('tests_positive');
  const resulted = await total('tests_resulted');
  sql(`UPDATE testing_samples SET status = 'positive' WHERE id = (SELECT MIN(id) FROM testing_samples
       WHERE status = 'negative' AND resulted_at IS NOT NULL)`);
  assert.equal(await total('tests_positive'), positives + 1);
  assert.equal(await total('tests_resulted'), resulted);
  await assertAgree('result corrected');
  // a pending sample resulted
  sql(`UPDATE testing_samples SET status = 'negative', resulted_at = collected_at + 3600
       WHERE id = (SELECT MIN(id) FROM testing_samples WHERE status = 'pending')`);
  await assertAgree('result entered');
});

test('a case moved to another day and to a commune not in the list, a dose renumbered, a declaration unflagged', async () => {
  sql(`UPDATE cases SET confirmed_at = confirmed_at - 86400, commune_code = '99999'
       WHERE id = (SELECT MIN(id) FROM cases)`);
  sql(`UPDATE vaccine_doses SET dose_number = dose_number + 10 WHERE id = (SELECT MIN(id) FROM vaccine_doses)`);
  sql(`UPDATE declarations SET flagged = 1 - flagged WHERE id = (SELECT MIN(id) FROM declarations)`);
  sql(`UPDATE quarantine_orders SET status = 'cancelled' WHERE id = (SELECT MIN(id) FROM quarantine_orders)`);
  await assertAgree('updates');
});

test('states end: an order ended early, one cancelled, an alert resolved, a contact reached, feedback answered', async () => {
  const before = await figures('', 'counters');
  assert.ok(before.total.in_quarantine > 0 && before.total.f1_to_reach > 0, 'the demo has orders and contacts');
  // two orders that cover today: one ended now, one cancelled
  const now = Math.floor(Date.now() / 1000);
  const today = Math.floor((now + 7 * 3600) / 86400);
  const coveringToday = `(SELECT MAX(id) FROM quarantine_orders WHERE status = 'active'
       AND start_day <= ${today} AND end_day >= ${today})`;
  sql(`UPDATE quarantine_orders SET status = 'ended', ended_at = ${now} WHERE id = ${coveringToday}`);
  sql(`UPDATE quarantine_orders SET status = 'cancelled' WHERE id = ${coveringToday}`);
  sql(`UPDATE tracing_contacts SET status = 'reached'
       WHERE id = (SELECT MIN(id) FROM tracing_contacts WHERE status = 'not_reached' AND degree = 1)`);
  sql(`UPDATE feedback SET status = 'answered', answered_at = created_at + 60
       WHERE id = (SELECT MIN(id) FROM feedback WHERE status = 'new')`);
  const after = await figures('', 'counters');
  assert.equal(after.total.in_quarantine, before.total.in_quarantine - 2, 'two fewer in quarantine');
  assert.equal(after.total.f1_to_reach, before.total.f1_to_reach - 1);
  await assertAgree('states ended');
  if (Number(sql('SELECT COUNT(*) FROM quarantine_alerts WHERE resolved_at IS NULL')) > 0) {
    sql(`UPDATE quarantine_alerts SET resolved_at = created_at + 7200
         WHERE id = (SELECT MIN(id) FROM quarantine_alerts WHERE resolved_at IS NULL)`);
    await assertAgree('alert resolved');
  }
});

test('rows deleted: a declaration, and the check-in retention job', async () => {
  sql('DELETE FROM declarations WHERE id = (SELECT MAX(id) FROM declarations)');
  await assertAgree('declaration deleted');
  const later = Math.floor(Date.now() / 1000) + 400 * 86400;
  const r = srv.cli(['jobs', 'run', '--force', '--job', 'checkin_retention', '--now', String(later)]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(await total('checkins'), 0, 'every check-in past retention is gone, and its count with it');
  await assertAgree('check-ins past retention deleted');
});

test('cordon situation rebuild restores damaged counters', async () => {
  const good = await figures(UNITS.hanoi, 'counters');
  sql('UPDATE situation_counts SET n = n + 7');
  sql(`DELETE FROM situation_counts WHERE figure = 'new_f0'`);
  assert.notDeepEqual(await figures(UNITS.hanoi, 'counters'), good, 'the damage shows');
  const help = srv.cli(['situation', '--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /cordon situation rebuild/);
  const r = srv.cli(['situation', 'rebuild']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /counting figures: 100%/);
  const out = JSON.parse(r.stdout);
  assert.ok(out.counters > 0 && out.counts > 0, r.stdout);
  assert.deepEqual(await figures(UNITS.hanoi, 'counters'), good);
  await assertAgree('rebuilt');
  // and the triggers still keep them after a rebuild
  sql('DELETE FROM testing_samples WHERE id = (SELECT MAX(id) FROM testing_samples)');
  await assertAgree('sample deleted after the rebuild');
});
