'use strict';
// Upgrading a database that holds data: `cordon migrate --to N`, rows written at that schema,
// then `cordon migrate`. Migration 035 makes the check-ins table again (its uniqueness moved to
// (person_id, client_id), two indexes gone): every row keeps its id and values, the next id is
// the one the old table would have given, and a retry is still one row. On the engine the
// suite runs on (CORDON_TEST_STORE).

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const { runBin, createDatabase, STORE } = require('../lib/server');

let db;

/** Runs SQL on the test database (sqlite3 or psql); answers the rows as arrays of text. */
function sql(text) {
  const r = STORE === 'postgres'
    ? spawnSync('psql', [db.dbUrl, '-v', 'ON_ERROR_STOP=1', '-q', '-A', '-t', '-F', '|', '-c', text],
      { encoding: 'utf8' })
    : spawnSync('sqlite3', ['-bail', db.dbUrl.replace(/^sqlite:/, '')], { input: text, encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`sql failed (${text}): ${r.error ? r.error.message : r.stderr}`);
  return r.stdout.split('\n').filter((l) => l.length).map((l) => l.split('|'));
}

const show = (r) => `exit ${r.status}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
const COLUMNS = 'id, client_id, venue_id, person_id, checked_in_at, checked_out_at, method, province_code,'
  + ' district_code, commune_code, created_by_account, created_by_person';

before(async () => { db = await createDatabase(STORE); });
after(() => { if (db) db.drop(); });

test('migrate --to refuses a version it does not have', () => {
  for (const v of ['0', '-1', 'x', '9999']) {
    const r = runBin(['migrate', '--db', db.dbUrl, '--to', v]);
    assert.equal(r.status, 2, `--to ${v}: ${show(r)}`);
    assert.match(r.stderr, /--to/, show(r));
  }
});

test('check-ins written before migration 035 survive it with their ids', () => {
  let r = runBin(['migrate', '--db', db.dbUrl, '--to', '34']);
  assert.equal(r.status, 0, show(r));
  assert.match(r.stderr, /schema version 34/, show(r));
  sql(`INSERT INTO checkins (client_id, venue_id, person_id, checked_in_at, checked_out_at, method,
         province_code, district_code, commune_code, created_by_account, created_by_person) VALUES
       ('client-aaaa', 7, 11, 1000, 1600, 'poster', '01', '001', '00001', NULL, 11),
       ('client-bbbb', 7, 12, 2000, NULL, 'staff_qr', '01', '001', '00004', 3, NULL),
       ('client-cccc', 8, 11, 3000, NULL, 'staff_id', '79', '760', '26734', 4, NULL),
       ('client-dddd', 8, 13, 4000, NULL, 'poster', NULL, NULL, NULL, NULL, 13)`);
  sql("DELETE FROM checkins WHERE client_id = 'client-dddd'"); // the last id, gone before the upgrade
  const rows = sql(`SELECT ${COLUMNS} FROM checkins ORDER BY id`);
  assert.equal(rows.length, 3);

  r = runBin(['migrate', '--db', db.dbUrl]);
  assert.equal(r.status, 0, show(r));
  assert.match(r.stderr, /applied 035_checkins_person_unique/, show(r));
  assert.deepEqual(sql(`SELECT ${COLUMNS} FROM checkins ORDER BY id`), rows, 'every row, every value');

  sql(`INSERT INTO checkins (client_id, venue_id, person_id, checked_in_at, method)
       VALUES ('client-eeee', 7, 14, 5000, 'poster')`);
  assert.deepEqual(sql("SELECT id FROM checkins WHERE client_id = 'client-eeee'"), [['5']],
    'the next id follows the old table, not its largest remaining id');

  // a retry (same client_id and person) is still one row; another person may use the same client_id
  sql(`INSERT INTO checkins (client_id, venue_id, person_id, checked_in_at, method)
       VALUES ('client-aaaa', 9, 11, 6000, 'poster') ON CONFLICT (client_id, person_id) DO NOTHING`);
  sql(`INSERT INTO checkins (client_id, venue_id, person_id, checked_in_at, method)
       VALUES ('client-aaaa', 9, 15, 6000, 'poster') ON CONFLICT (client_id, person_id) DO NOTHING`);
  assert.deepEqual(sql("SELECT person_id, venue_id FROM checkins WHERE client_id = 'client-aaaa' ORDER BY person_id"),
    [['11', '7'], ['15', '9']]);

  r = runBin(['db', 'stats', '--db', db.dbUrl]);
  assert.equal(r.status, 0, show(r));
  const stats = JSON.parse(r.stdout);
  assert.equal(stats.tables.checkins.rows, 5, 'db stats lists the table made again, once');
  assert.ok(!('checkins_before_035' in stats.tables));
});

test('after 035 a check-in is indexed by venue and time only, besides its uniqueness', () => {
  const names = STORE === 'postgres'
    ? sql("SELECT indexname FROM pg_indexes WHERE tablename = 'checkins' ORDER BY 1").map((x) => x[0])
    : sql("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'checkins' ORDER BY 1")
      .map((x) => x[0]);
  const plain = names.filter((n) => !/pkey|autoindex|_key$/.test(n));
  assert.deepEqual(plain, ['checkins_at', 'checkins_venue']);
  assert.equal(names.length, STORE === 'postgres' ? 4 : 3, names.join(', '));
});
