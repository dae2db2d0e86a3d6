'use strict';
// The command line: help texts, unknown commands, and `user add/list/disable` seen through the API.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer, runBin } = require('../lib/server');
const { UNITS, PASSWORD } = require('../lib/fixtures');

let srv;
let adminToken;

before(async () => {
  srv = await startServer();
  adminToken = await srv.login(srv.adminUsername, srv.adminPassword);
});
after(async () => { if (srv) await srv.stop(); });

const show = (r) => `exit ${r.status}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
const accountsDigest = () => srv.dbStats().tables.accounts;
const loginStatus = async (username, password) =>
  (await srv.api('POST', '/api/v1/auth/login', { body: { username, password } })).status;

const HELPS = [
  [['--help'], ['serve', 'migrate', 'user']],
  [['serve', '--help'], ['--listen', '--db']],
  [['migrate', '--help'], ['--db']],
  [['user', '--help'], ['add', 'list', 'disable']],
  [['user', 'add', '--help'], ['--username', '--role', '--unit', '--password-stdin']],
  [['user', 'list', '--help'], ['--unit']],
  [['user', 'disable', '--help'], ['USERNAME']],
  [['db', '--help'], ['stats']],
  [['db', 'stats', '--help'], ['--db']],
];

for (const [args, mentions] of HELPS) {
  test(`cordon ${args.join(' ')} prints usage and exits 0`, () => {
    const r = runBin(args);
    assert.equal(r.status, 0, show(r));
    assert.match(r.stdout, /usage/i, show(r));
    for (const m of mentions) {
      assert.ok(r.stdout.toLowerCase().includes(m.toLowerCase()), `usage mentions ${m}: ${show(r)}`);
    }
  });
}

test('an unknown command exits non-zero with a message', () => {
  const r = runBin(['frobnicate']);
  assert.notEqual(r.status, 0, show(r));
  assert.ok(r.stderr.includes('frobnicate'), `the message names the command: ${show(r)}`);
  for (const args of [['user', 'frobnicate'], ['db', 'frobnicate']]) {
    const s = runBin(args);
    assert.notEqual(s.status, 0, show(s));
    assert.ok(s.stderr.trim().length > 0, `a message on stderr: ${show(s)}`);
    assert.equal(s.stdout, '', `nothing on stdout: ${show(s)}`);
  }
});

test('an unknown option exits non-zero with a message', () => {
  const r = runBin(['serve', '--no-such-option']);
  assert.notEqual(r.status, 0, show(r));
  assert.ok(r.stderr.includes('--no-such-option'), show(r));
});

test('a bad database URL is refused', () => {
  for (const url of ['mysql://localhost/x', 'sqlite:', 'nonsense']) {
    const r = runBin(['migrate', '--db', url]);
    assert.notEqual(r.status, 0, `${url}: ${show(r)}`);
    assert.ok(r.stderr.trim().length > 0, `${url}: ${show(r)}`);
  }
});

test('user add with --password-stdin creates an account that can sign in', async () => {
  const r = srv.cli(['user', 'add', '--username', 'cli.sampler', '--role', 'sampler', '--unit', UNITS.phucXa,
    '--name', 'Trần Thị Bích', '--phone', '0912345678', '--password-stdin'], `${PASSWORD}\n`);
  assert.equal(r.status, 0, show(r));
  assert.ok(!r.stdout.includes(PASSWORD), 'the password is not echoed');
  const token = await srv.login('cli.sampler', PASSWORD);
  const me = await srv.api('GET', '/api/v1/auth/me', { token });
  assert.equal(me.status, 200);
  assert.equal(me.json.role, 'sampler');
  assert.equal(me.json.unit_code, UNITS.phucXa);
  assert.equal(me.json.full_name, 'Trần Thị Bích');
  assert.equal(me.json.phone, '0912345678');
  assert.equal(me.json.disabled, false);
});

test('user add without --password-stdin prints a generated password that works', async () => {
  const r = srv.cli(['user', 'add', '--username', 'cli.generated', '--role', 'province_admin', '--unit', UNITS.hcm,
    '--name', 'Lý Văn Sinh']);
  assert.equal(r.status, 0, show(r));
  // Try the words of the output that could be an 8..128-character password, most random first;
  // at most 4 wrong guesses so the failed-login limit is never reached.
  const words = [...new Set(r.stdout.split(/\s+/).map((w) => w.replace(/^["'`]|["'`]$/g, '')))]
    .filter((w) => w.length >= 8 && w.length <= 128 && w !== 'cli.generated' && !/^[a-z]+:?$/.test(w));
  const score = (w) => [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((re) => re.test(w)).length * 1000 + w.length;
  words.sort((a, b) => score(b) - score(a));
  assert.ok(words.length >= 1, `no password-like word in: ${show(r)}`);
  let ok = false;
  for (const w of words.slice(0, 4)) {
    if (await loginStatus('cli.generated', w) === 200) { ok = true; break; }
  }
  assert.ok(ok, `none of ${JSON.stringify(words.slice(0, 4))} signs in: ${show(r)}`);
});

test('user add refuses bad input and changes nothing', () => {
  const digest = accountsDigest();
  const bad = [
    [['--username', 'cli.bad.role', '--role', 'superuser', '--unit', UNITS.phucXa], 'superuser'],
    [['--username', 'cli.bad.unit', '--role', 'sampler', '--unit', '99999'], '99999'],
    [['--username', 'Bad Name', '--role', 'sampler', '--unit', UNITS.phucXa], 'username'],
    [['--username', 'cli.sampler', '--role', 'sampler', '--unit', UNITS.phucXa], 'cli.sampler'],
    [['--username', 'cli.bad.level', '--role', 'province_admin', '--unit', UNITS.phucXa], ''],
    [['--role', 'sampler', '--unit', UNITS.phucXa], 'username'],
  ];
  for (const [args, mention] of bad) {
    const r = srv.cli(['user', 'add', ...args, '--password-stdin'], `${PASSWORD}\n`);
    assert.notEqual(r.status, 0, `${args.join(' ')}: ${show(r)}`);
    assert.ok(r.stderr.trim().length > 0, `a message on stderr: ${show(r)}`);
    if (mention) assert.ok(r.stderr.includes(mention), `the message mentions ${mention}: ${show(r)}`);
  }
  const short = srv.cli(['user', 'add', '--username', 'cli.short.pw', '--role', 'sampler', '--unit', UNITS.phucXa,
    '--password-stdin'], 'short\n');
  assert.notEqual(short.status, 0, show(short));
  assert.deepEqual(accountsDigest(), digest);
});

test('user list shows accounts, filtered by --unit', () => {
  const r = srv.cli(['user', 'list']);
  assert.equal(r.status, 0, show(r));
  for (const u of ['admin', 'cli.sampler', 'cli.generated']) assert.ok(r.stdout.includes(u), `${u} listed: ${show(r)}`);
  const px = srv.cli(['user', 'list', '--unit', UNITS.phucXa]);
  assert.equal(px.status, 0, show(px));
  assert.ok(px.stdout.includes('cli.sampler'), show(px));
  assert.ok(!px.stdout.includes('cli.generated'), `an HCM account is not under Phúc Xá: ${show(px)}`);
  assert.ok(!/(^|\s)admin(\s|$)/m.test(px.stdout), `the national admin is not under Phúc Xá: ${show(px)}`);
  const hn = srv.cli(['user', 'list', '--unit', UNITS.hanoi]);
  assert.equal(hn.status, 0, show(hn));
  assert.ok(hn.stdout.includes('cli.sampler'), 'Phúc Xá is under Hà Nội');
  assert.ok(!hn.stdout.includes('cli.generated'));
  const bad = srv.cli(['user', 'list', '--unit', 'abc']);
  assert.notEqual(bad.status, 0, show(bad));
});

test('user disable stops sign-in and revokes existing sessions', async () => {
  const token = await srv.login('cli.sampler', PASSWORD);
  const r = srv.cli(['user', 'disable', 'cli.sampler']);
  assert.equal(r.status, 0, show(r));
  assert.equal(await loginStatus('cli.sampler', PASSWORD), 401);
  const me = await srv.api('GET', '/api/v1/auth/me', { token });
  assert.equal(me.status, 401, me.text);
  const list = await srv.api('GET', `/api/v1/accounts?unit=${UNITS.phucXa}`, { token: adminToken });
  const acc = list.json.accounts.find((a) => a.username === 'cli.sampler');
  assert.equal(acc.disabled, true);
});

test('user disable of an unknown user exits non-zero', () => {
  const r = srv.cli(['user', 'disable', 'no.such.user']);
  assert.notEqual(r.status, 0, show(r));
  assert.ok(r.stderr.includes('no.such.user'), show(r));
});

test('migrate again is harmless', () => {
  const before = srv.dbStats();
  const r = srv.cli(['migrate']);
  assert.equal(r.status, 0, show(r));
  const after = srv.dbStats();
  assert.deepEqual(after.tables.accounts, before.tables.accounts);
  for (const [name, t] of Object.entries(before.tables)) {
    if (name === 'audit_log' || name === 'login_attempts' || name === 'sessions') continue;
    assert.deepEqual(after.tables[name], t, `table ${name} unchanged by a second migrate`);
  }
});

test('db stats answers rows and a digest per table', async () => {
  const s = srv.dbStats();
  assert.ok(s.tables && typeof s.tables === 'object');
  for (const [name, t] of Object.entries(s.tables)) {
    assert.ok(Number.isInteger(t.rows) && t.rows >= 0, `${name}.rows`);
    assert.match(t.digest, /^[0-9a-f]{16,}$/, `${name}.digest`);
  }
  const list = await srv.api('GET', '/api/v1/accounts', { token: adminToken });
  assert.equal(s.tables.accounts.rows, list.json.total);
  assert.ok(s.tables.audit_log, 'audit_log is counted');
  assert.ok(s.tables.login_attempts, 'login_attempts is counted');
});
