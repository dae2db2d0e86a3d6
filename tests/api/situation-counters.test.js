'use strict';
// Situation counters: the counts by day of GET /api/v1/situation are summed from
// situation_counters, which triggers on the counted tables keep in the writing transaction.
// After each kind of write (the demo's cases, samples, results, doses, check-ins, orders,
// declarations and feedback; a correction of a result; a case moved to another day; a dose
// renumbered; a declaration unflagged, then deleted; the check-in retention delete) the figures read from the
// counters equal the figures counted from the tables (source=raw), for the nation, a province
// and a district, rows, unknown place and daily series alike; `cordon situation rebuild`
// restores counters that were damaged. Runs on the engine of CORDON_TEST_STORE.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const { startServer } = require('../lib/server');
const { UNITS, assertStatus, assertError } = require('../lib/fixtures');

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

async function figures(unit, source) {
  const q = `?source=${source}${unit ? `&unit=${unit}` : ''}`;
  const r = await srv.api('GET', `/api/v1/situation${q}`, { token });
  assertStatus(r, 200, `situation${q}`);
  return r.json;
}

/** The figures from the counters equal the figures from the tables, for each unit checked. */
async function assertAgree(what) {
  for (const unit of ['', UNITS.hanoi, UNITS.hoanKiem]) {
    const counted = await figures(unit, 'counters');
    const raw = await figures(unit, 'raw');
    assert.deepEqual(counted, raw, `${what}: unit ${unit || 'VN'}`);
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
  sql('UPDATE situation_counters SET n = n + 7');
  sql(`DELETE FROM situation_counters WHERE figure = 'new_f0'`);
  assert.notDeepEqual(await figures(UNITS.hanoi, 'counters'), good, 'the damage shows');
  const help = srv.cli(['situation', '--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /cordon situation rebuild/);
  const r = srv.cli(['situation', 'rebuild']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /counting figures: 100%/);
  const out = JSON.parse(r.stdout);
  assert.ok(out.counters > 0 && out.counted > 0, r.stdout);
  assert.deepEqual(await figures(UNITS.hanoi, 'counters'), good);
  await assertAgree('rebuilt');
  // and the triggers still keep them after a rebuild
  sql('DELETE FROM testing_samples WHERE id = (SELECT MAX(id) FROM testing_samples)');
  await assertAgree('sample deleted after the rebuild');
});
