'use strict';
// Check-ins: from the poster (signed-in citizen with family, or anonymous with phone + name),
// from the venue's side (personal QR, CCCD/CMND, BHYT), idempotent retries by client_id,
// checkout, a citizen's own list, the officials' volume report per local day (UTC+7) and
// child unit, retention (`cordon jobs run --now`), who may call what, and bad input.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startServer } = require('../lib/server');
const { UNITS, ROLES, HANOI_UNIT_FOR_ROLE, PASSWORD, createAccount, assertError, assertStatus } =
  require('../lib/fixtures');
const { freshPhone, clientId, vnDate, citizenLogin, addFamily, venueOwner, venue, rows, withSig } = require('../lib/checkin');

const CHECKIN_KEYS = ['id', 'client_id', 'venue_id', 'venue_name', 'person_id', 'checked_in_at', 'checked_out_at',
  'method'];
const DAY = 86400;

let srv;
let adminToken;
const tok = {};      // role or name -> token
const owner = {};    // name -> {account, token}
const v = {};        // name -> venue
const cit = {};      // name -> {token, person, phone}
let member;          // a family member cit.an manages
let tmp;

const now = () => Math.floor(Date.now() / 1000);

before(async () => {
  srv = await startServer({ env: { CORDON_PUBLIC_URL: 'https://cordon.example.vn' } });
  adminToken = await srv.login(srv.adminUsername, srv.adminPassword);
  tok.national_admin = adminToken;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-checkins-'));
  for (const role of ROLES.slice(1)) {
    const username = `ck.${role.replace(/_/g, '.')}`;
    await createAccount(srv, adminToken, { username, role, unit_code: HANOI_UNIT_FOR_ROLE[role] });
    tok[role] = await srv.login(username, PASSWORD);
  }
  owner.main = { token: tok.venue_owner };
  owner.other = await venueOwner(srv, adminToken, 'ck.owner.other', UNITS.phucXa);
  owner.hcm = await venueOwner(srv, adminToken, 'ck.owner.hcm', UNITS.tanDinh);
  owner.trucBach = await venueOwner(srv, adminToken, 'ck.owner.trucbach', UNITS.trucBach);
  v.main = await venue(srv, tok.venue_owner, tok.commune_admin, { name: 'Phở Bát Đàn' });
  v.other = await venue(srv, owner.other.token, tok.commune_admin, { name: 'Bún Chả Hương Liên' });
  v.pending = await venue(srv, tok.venue_owner, null, { name: 'Chợ Châu Long' }, false);
  v.hcm = await venue(srv, owner.hcm.token, adminToken, { name: 'Chợ Tân Định', type: 'market',
    commune_code: UNITS.tanDinh, street: '48 Mai Thị Lựu' });
  v.trucBach = await venue(srv, owner.trucBach.token, adminToken, { name: 'Trường Tiểu học Trúc Bạch',
    type: 'school', commune_code: UNITS.trucBach, street: '1 Trấn Vũ' });
  cit.an = await citizenLogin(srv, adminToken);
  cit.binh = await citizenLogin(srv, adminToken);
  tok.citizen = cit.an.token;
  member = await addFamily(srv, cit.an.token, 'Nguyễn Minh Khôi');
});
after(async () => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  if (srv) await srv.stop();
});

function assertCheckin(c, expect = {}) {
  assert.deepEqual(Object.keys(c).sort(), [...CHECKIN_KEYS].sort(), JSON.stringify(c));
  for (const [k, val] of Object.entries(expect)) assert.equal(c[k], val, `${k} of ${JSON.stringify(c)}`);
}

async function checkin(body, token) {
  return srv.api('POST', '/api/v1/checkins', { token, body: withSig(body) });
}

/** Content digests of the tables a check-in may write. */
function digests() {
  const t = srv.dbStats().tables;
  return JSON.stringify(['checkins', 'persons', 'audit_log'].map((n) => t[n] && [t[n].rows, t[n].digest]));
}

// ---------------------------------------------------------------- from the poster

test('a signed-in citizen checks in by venue code; a retry with the same client_id creates nothing', async () => {
  const id = clientId();
  const t0 = now();
  const r = await checkin({ client_id: id, venue_code: v.main.code }, cit.an.token);
  assertStatus(r, 201);
  assert.equal(r.json.checkins.length, 1);
  const c = r.json.checkins[0];
  assertCheckin(c, { client_id: id, venue_id: v.main.id, venue_name: 'Phở Bát Đàn', person_id: cit.an.person.id,
    checked_out_at: null, method: 'poster' });
  assert.ok(c.checked_in_at >= t0 - 1 && c.checked_in_at <= now() + 1);
  assert.ok(Math.abs(r.json.server_time - now()) <= 2);
  // the public view of the venue: no owner, no internal fields
  assert.equal(r.json.venue.code, v.main.code);
  assert.equal(r.json.venue.name, 'Phở Bát Đàn');
  assert.equal(r.json.venue.status, 'approved');
  assert.match(r.json.venue.address, /Phúc Xá/);
  assert.equal(r.json.venue.owner_account_id, undefined);

  const before = rows(srv, 'checkins');
  const again = await checkin({ client_id: id, venue_code: v.main.code }, cit.an.token);
  assertStatus(again, 200);
  assert.deepEqual(again.json.checkins, r.json.checkins);
  assert.equal(rows(srv, 'checkins'), before);
});

test('the whole family with one scan; strangers cannot be checked in', async () => {
  const id = clientId();
  const body = { client_id: id, venue_code: v.main.code, person_ids: [cit.an.person.id, member.id, member.id] };
  const r = await checkin(body, cit.an.token);
  assertStatus(r, 201);
  assert.deepEqual(r.json.checkins.map((c) => c.person_id), [cit.an.person.id, member.id]);
  assert.ok(r.json.checkins.every((c) => c.client_id === id));
  const again = await checkin(body, cit.an.token);
  assertStatus(again, 200);
  assert.deepEqual(again.json.checkins.map((c) => c.id), r.json.checkins.map((c) => c.id));

  // a managed member alone
  const m = await checkin({ client_id: clientId(), venue_code: v.main.code, person_ids: [member.id] }, cit.an.token);
  assertStatus(m, 201);
  assert.equal(m.json.checkins[0].person_id, member.id);

  // someone else's person: refused, nothing written (not even the caller's own row)
  const d = digests();
  assertError(await checkin({ client_id: clientId(), venue_code: v.main.code,
    person_ids: [cit.an.person.id, cit.binh.person.id] }, cit.an.token), 403, 'forbidden', 'person_ids');
  assertError(await checkin({ client_id: clientId(), venue_code: v.main.code, person_ids: [member.id] },
    cit.binh.token), 403, 'forbidden', 'person_ids');
  assert.equal(digests(), d);
});

test('without sign-in: phone and full name find or make the person; retries are idempotent', async () => {
  const phone = freshPhone();
  const id = clientId();
  const persons = rows(srv, 'persons');
  const r = await checkin({ client_id: id, venue_code: v.main.code, phone, full_name: 'Trần Thị Hoa' });
  assertStatus(r, 201);
  assert.equal(rows(srv, 'persons'), persons + 1);
  const pid = r.json.checkins[0].person_id;
  assertCheckin(r.json.checkins[0], { method: 'poster', venue_id: v.main.id });

  const again = await checkin({ client_id: id, venue_code: v.main.code, phone, full_name: 'Trần Thị Hoa' });
  assertStatus(again, 200);
  assert.deepEqual(again.json.checkins, r.json.checkins);
  assert.equal(rows(srv, 'persons'), persons + 1);

  // the next visit (new client_id), name typed without diacritics and +84: the same person
  const next = await checkin({ client_id: clientId(), venue_code: v.other.code,
    phone: `+84${phone.slice(1)}`, full_name: 'Tran Thi Hoa' });
  assertStatus(next, 201);
  assert.equal(rows(srv, 'persons'), persons + 1);
  assert.equal(next.json.checkins[0].person_id, pid);

  // a staff member on the public route is an anonymous visitor like anyone else
  const staff = await checkin({ client_id: clientId(), venue_code: v.main.code, phone: freshPhone(),
    full_name: 'Lê Văn Nhân' }, tok.sampler);
  assertStatus(staff, 201);
});

test('anonymous check-ins (a name sent decomposed, an 84… phone) are the citizen\'s once they sign in with that phone and name', async () => {
  const phone = freshPhone();
  const nfd = 'Pha\u0323m Thi\u0323 Ho\u0302\u0300ng';
  const r = await checkin({ client_id: clientId(), venue_code: v.main.code, phone: `84${phone.slice(1)}`, full_name: nfd });
  assertStatus(r, 201);
  const pid = r.json.checkins[0].person_id;
  await srv.api('POST', '/api/v1/citizen/otp', { body: { phone } });
  const o = await srv.api('GET', `/api/v1/outbox?recipient=${phone}&kind=otp&limit=1`, { token: adminToken });
  const code = /(\d{6})/.exec(o.json.messages[0].text)[1];
  const login = await srv.api('POST', '/api/v1/citizen/login', { body: { phone, code, full_name: 'Phạm Thị Hồng' } });
  assertStatus(login, 200);
  assert.equal(login.json.person.id, pid, 'the check-in record became theirs');
  assert.equal(login.json.person.full_name, 'Phạm Thị Hồng');
  const mine = await srv.api('GET', '/api/v1/me/checkins', { token: login.json.token });
  assert.deepEqual(mine.json.checkins.map((x) => x.id), [r.json.checkins[0].id]);
});

test('the same client_id cannot be reused at another venue', async () => {
  const id = clientId();
  assertStatus(await checkin({ client_id: id, venue_code: v.main.code }, cit.binh.token), 201);
  const d = digests();
  assertError(await checkin({ client_id: id, venue_code: v.other.code }, cit.binh.token), 409, 'conflict',
    'client_id');
  assert.equal(digests(), d);
});

test('venue codes: unknown 404, not approved 409, typed in lower case accepted', async () => {
  const d = digests();
  const sig = v.main.sig; // well formed; these venues have none of their own
  assertError(await checkin({ client_id: clientId(), venue_code: 'ZZZZZZZZ', venue_sig: sig }, cit.an.token), 404,
    'not_found', 'venue_code');
  assertError(await checkin({ client_id: clientId(), venue_code: v.pending.code, venue_sig: sig }, cit.an.token), 409,
    'conflict', 'venue_code');
  assertError(await checkin({ client_id: clientId(), venue_code: v.pending.code, venue_sig: sig, phone: freshPhone(),
    full_name: 'Phạm Văn Đồng' }), 409, 'conflict', 'venue_code');
  assert.equal(digests(), d);
  const r = await checkin({ client_id: clientId(), venue_code: v.main.code.toLowerCase(), venue_sig: sig }, cit.an.token);
  assertStatus(r, 201);
  assert.equal(r.json.venue.code, v.main.code);
});

test("the poster's signature (k, s of the QR URL) is checked when given", async () => {
  const res = await fetch(`${srv.url}/api/v1/venues/${v.main.id}/poster.png`,
    { headers: { authorization: `Bearer ${tok.venue_owner}` } });
  assert.equal(res.status, 200);
  const file = path.join(tmp, 'poster.png');
  fs.writeFileSync(file, Buffer.from(await res.arrayBuffer()));
  const z = spawnSync('zbarimg', ['--raw', '-q', '-Sdisable', '-Sqrcode.enable', file], { encoding: 'utf8' });
  assert.equal(z.status, 0, `zbarimg: ${z.stderr}`);
  const m = /\/c\/([0-9A-Z]{8})\?k=([A-Za-z0-9_-]+)&s=([A-Za-z0-9_-]+)\s*$/.exec(z.stdout);
  assert.ok(m, z.stdout);
  assert.equal(m[1], v.main.code);
  const sig = `${m[2]}.${m[3]}`;
  assertStatus(await checkin({ client_id: clientId(), venue_code: v.main.code, venue_sig: sig }, cit.an.token), 201);

  const d = digests();
  const s = m[3];
  const tampered = `${m[2]}.${s[0] === 'A' ? 'B' : 'A'}${s.slice(1)}`;
  for (const bad of [tampered, `${m[2]}${m[3]}`, `k9.${m[3]}`, 'x.y']) {
    assertError(await checkin({ client_id: clientId(), venue_code: v.main.code, venue_sig: bad }, cit.an.token),
      400, 'invalid_field', 'venue_sig');
  }
  // a genuine signature of another venue does not fit this one
  assertError(await checkin({ client_id: clientId(), venue_code: v.other.code, venue_sig: sig }, cit.an.token),
    400, 'invalid_field', 'venue_sig');
  assert.equal(digests(), d);
});

// ---------------------------------------------------------------- from the venue's side

test('the venue owner checks people in by personal QR, CCCD, CMND or BHYT', async () => {
  const qr = await srv.api('GET', '/api/v1/me/qr', { token: cit.binh.token });
  assertStatus(qr, 200, 'me/qr');
  const id = clientId();
  const url = `/api/v1/venues/${v.main.id}/checkins`;
  const r = await srv.api('POST', url, { token: tok.venue_owner, body: { client_id: id, qr: qr.json.payload } });
  assertStatus(r, 201);
  assertCheckin(r.json.checkins[0], { person_id: cit.binh.person.id, method: 'staff_qr', venue_id: v.main.id });
  const again = await srv.api('POST', url, { token: tok.venue_owner, body: { client_id: id, qr: qr.json.payload } });
  assertStatus(again, 200);
  assert.deepEqual(again.json.checkins, r.json.checkins);

  const p = await srv.api('POST', '/api/v1/people', { token: tok.venue_owner, body: {
    full_name: 'Hoàng Văn Bảy', date_of_birth: '1950-03-02', sex: 'male', cccd: '001050012345',
    bhyt: 'HT3010123456789', commune_code: UNITS.phucXa, street: '5 Hàng Bún' } });
  assert.ok(p.status === 201 || p.status === 200, p.text);
  const pid = p.json.person.id;
  const byCccd = await srv.api('POST', url, { token: tok.venue_owner,
    body: { client_id: clientId(), cccd: '001050012345' } });
  assertStatus(byCccd, 201);
  assertCheckin(byCccd.json.checkins[0], { person_id: pid, method: 'staff_id' });
  const byBhyt = await srv.api('POST', url, { token: tok.venue_owner,
    body: { client_id: clientId(), bhyt: 'ht3010123456789' } });
  assertStatus(byBhyt, 201);
  assertCheckin(byBhyt.json.checkins[0], { person_id: pid, method: 'staff_id' });

  const q = await srv.api('POST', '/api/v1/people', { token: tok.venue_owner, body: {
    full_name: 'Vũ Thị Tám', date_of_birth: '1948-11-20', sex: 'female', cmnd: '012345678',
    commune_code: UNITS.phucXa, street: '7 Hàng Bún' } });
  assert.ok(q.status === 201 || q.status === 200, q.text);
  const byCmnd = await srv.api('POST', url, { token: tok.venue_owner, body: { client_id: clientId(), cccd: '012345678' } });
  assertStatus(byCmnd, 201);
  assert.equal(byCmnd.json.checkins[0].person_id, q.json.person.id);

  // the staff check-in is in the audit log, with the person as subject
  const audit = await srv.api('GET', '/api/v1/audit?limit=500', { token: adminToken });
  assert.ok(audit.json.entries.some((e) => e.action === 'checkin.create' && e.subject_id === String(pid)));

  // nobody with this number: 404 naming the field; nothing written
  const d = digests();
  assertError(await srv.api('POST', url, { token: tok.venue_owner, body: { client_id: clientId(), cccd: '001099999999' } }),
    404, 'not_found', 'cccd');
  assertError(await srv.api('POST', url, { token: tok.venue_owner,
    body: { client_id: clientId(), bhyt: 'DN4019999999999' } }), 404, 'not_found', 'bhyt');
  // a pending venue takes no check-ins
  assertError(await srv.api('POST', `/api/v1/venues/${v.pending.id}/checkins`, { token: tok.venue_owner,
    body: { client_id: clientId(), cccd: '001050012345' } }), 409, 'conflict', 'id');
  assertError(await srv.api('POST', '/api/v1/venues/999999/checkins', { token: tok.venue_owner,
    body: { client_id: clientId(), cccd: '001050012345' } }), 404, 'not_found', 'id');
  assert.equal(digests(), d);
});

test('a revoked personal QR no longer checks anyone in', async () => {
  const c = await citizenLogin(srv, adminToken);
  const qr = await srv.api('GET', '/api/v1/me/qr', { token: c.token });
  assertStatus(qr, 200);
  assertStatus(await srv.api('POST', `/api/v1/people/${c.person.id}/qr/revoke`, { token: c.token }), 200, 'revoke');
  const d = digests();
  assertError(await srv.api('POST', `/api/v1/venues/${v.main.id}/checkins`, { token: tok.venue_owner,
    body: { client_id: clientId(), qr: qr.json.payload } }), 400, 'invalid_field', 'qr');
  assert.equal(digests(), d);
  const fresh = await srv.api('GET', '/api/v1/me/qr', { token: c.token });
  assertStatus(await srv.api('POST', `/api/v1/venues/${v.main.id}/checkins`, { token: tok.venue_owner,
    body: { client_id: clientId(), qr: fresh.json.payload } }), 201);
});

// ---------------------------------------------------------------- checkout and lists

test('checkout by the citizen (self, managed) or the venue owner; the first time stays', async () => {
  const r = await checkin({ client_id: clientId(), venue_code: v.main.code, person_ids: [cit.an.person.id, member.id] },
    cit.an.token);
  assertStatus(r, 201);
  const [mine, kid] = r.json.checkins;
  const out = await srv.api('POST', `/api/v1/checkins/${mine.id}/checkout`, { token: cit.an.token });
  assertStatus(out, 200);
  assertCheckin(out.json, { id: mine.id });
  assert.ok(out.json.checked_out_at >= mine.checked_in_at);
  const again = await srv.api('POST', `/api/v1/checkins/${mine.id}/checkout`, { token: cit.an.token });
  assertStatus(again, 200);
  assert.equal(again.json.checked_out_at, out.json.checked_out_at);
  assertStatus(await srv.api('POST', `/api/v1/checkins/${kid.id}/checkout`, { token: cit.an.token }), 200);

  const r2 = await checkin({ client_id: clientId(), venue_code: v.main.code }, cit.an.token);
  const c2 = r2.json.checkins[0];
  assertError(await srv.api('POST', `/api/v1/checkins/${c2.id}/checkout`, { token: cit.binh.token }), 403, 'forbidden');
  assertError(await srv.api('POST', `/api/v1/checkins/${c2.id}/checkout`, { token: owner.other.token }), 403,
    'forbidden');
  const byOwner = await srv.api('POST', `/api/v1/checkins/${c2.id}/checkout`, { token: tok.venue_owner });
  assertStatus(byOwner, 200);
  assert.notEqual(byOwner.json.checked_out_at, null);
  assertError(await srv.api('POST', '/api/v1/checkins/99999999/checkout', { token: cit.an.token }), 404, 'not_found',
    'id');
  assertError(await srv.api('POST', '/api/v1/checkins/abc/checkout', { token: cit.an.token }), 400, 'invalid_field',
    'id');
});

test("a citizen lists own and managed members' check-ins, newest first", async () => {
  const c = await citizenLogin(srv, adminToken);
  const kid = await addFamily(srv, c.token, 'Đặng Thu Hà', '2012-09-05');
  const a = await checkin({ client_id: clientId(), venue_code: v.main.code }, c.token);
  const b = await checkin({ client_id: clientId(), venue_code: v.other.code, person_ids: [kid.id] }, c.token);
  const cc = await checkin({ client_id: clientId(), venue_code: v.hcm.code, person_ids: [c.person.id, kid.id] },
    c.token);
  for (const x of [a, b, cc]) assertStatus(x, 201);
  const all = await srv.api('GET', '/api/v1/me/checkins', { token: c.token });
  assertStatus(all, 200);
  const ids = all.json.checkins.map((x) => x.id);
  const want = [...a.json.checkins, ...b.json.checkins, ...cc.json.checkins]
    .sort((x, y) => (y.checked_in_at - x.checked_in_at) || (y.id - x.id)).map((x) => x.id);
  assert.deepEqual(ids, want);
  all.json.checkins.forEach((x) => assertCheckin(x));
  assert.equal(all.json.checkins.find((x) => x.venue_id === v.hcm.id).venue_name, 'Chợ Tân Định');

  const onlyKid = await srv.api('GET', `/api/v1/me/checkins?person_id=${kid.id}`, { token: c.token });
  assertStatus(onlyKid, 200);
  assert.equal(onlyKid.json.checkins.length, 2);
  assert.ok(onlyKid.json.checkins.every((x) => x.person_id === kid.id));
  const limited = await srv.api('GET', '/api/v1/me/checkins?limit=2', { token: c.token });
  assert.deepEqual(limited.json.checkins.map((x) => x.id), want.slice(0, 2));

  // others' check-ins are not visible
  assertError(await srv.api('GET', `/api/v1/me/checkins?person_id=${kid.id}`, { token: cit.binh.token }), 403,
    'forbidden', 'person_id');
  const other = await srv.api('GET', '/api/v1/me/checkins', { token: cit.binh.token });
  assert.ok(other.json.checkins.every((x) => x.person_id === cit.binh.person.id));
});

// ---------------------------------------------------------------- report

test('report: check-ins and venues per local day and child unit, inside the caller area', async () => {
  const t0 = now();
  const made = [];
  for (let i = 0; i < 3; i++) {
    const r = await checkin({ client_id: clientId(), venue_code: v.trucBach.code, phone: freshPhone(),
      full_name: 'Ngô Thị Mai' });
    assertStatus(r, 201);
    made.push(r.json.checkins[0]);
  }
  const days = new Set(made.map((c) => vnDate(c.checked_in_at)));
  const from = vnDate(t0 - DAY);
  const to = vnDate(now() + DAY);
  const sum = (list, unit) => list.filter((d) => d.unit_code === unit).reduce((s, d) => s + d.checkins, 0);

  const dist = await srv.api('GET', `/api/v1/reports/checkins?unit=${UNITS.baDinh}&from=${from}&to=${to}`,
    { token: tok.district_admin });
  assertStatus(dist, 200);
  const tb = dist.json.days.filter((d) => d.unit_code === UNITS.trucBach);
  assert.equal(sum(tb, UNITS.trucBach), 3);
  assert.deepEqual(new Set(tb.map((d) => d.date)), days);
  assert.ok(tb.every((d) => d.venues === 1));
  for (const d of dist.json.days) {
    assert.deepEqual(Object.keys(d).sort(), ['checkins', 'date', 'unit_code', 'venues']);
    assert.match(d.unit_code, /^\d{5}$/); // a district reports per commune
  }

  // a commune reports on itself; a province per district; the nation per province
  const comm = await srv.api('GET', `/api/v1/reports/checkins?unit=${UNITS.trucBach}&from=${from}&to=${to}`,
    { token: tok.national_admin });
  assert.equal(sum(comm.json.days, UNITS.trucBach), 3);
  const prov = await srv.api('GET', `/api/v1/reports/checkins?unit=${UNITS.hanoi}&from=${from}&to=${to}`,
    { token: tok.province_admin });
  assert.ok(prov.json.days.every((d) => /^\d{3}$/.test(d.unit_code)));
  const nation = await srv.api('GET', `/api/v1/reports/checkins?unit=VN&from=${from}&to=${to}`,
    { token: adminToken });
  const hanoi = sum(nation.json.days, UNITS.hanoi);
  assert.equal(sum(prov.json.days, UNITS.baDinh), hanoi); // every Hà Nội venue here is in Ba Đình
  assert.ok(sum(nation.json.days, UNITS.hcm) >= 1);
  assert.ok(sum(dist.json.days, UNITS.phucXa) >= 10);
  assert.equal(sum(dist.json.days, UNITS.phucXa) + 3, hanoi);

  // default: the caller's unit, the last 7 local days
  const def = await srv.api('GET', '/api/v1/reports/checkins', { token: tok.commune_admin });
  assertStatus(def, 200);
  assert.equal(def.json.unit, UNITS.phucXa);
  assert.equal(def.json.to, vnDate(now()));
  assert.ok(def.json.days.every((d) => d.unit_code === UNITS.phucXa));

  // a day with nothing gives nothing
  const empty = await srv.api('GET', '/api/v1/reports/checkins?unit=01&from=2021-07-19&to=2021-07-20',
    { token: tok.province_admin });
  assertStatus(empty, 200);
  assert.deepEqual(empty.json.days, []);
});

// ---------------------------------------------------------------- retention

test('retention: `cordon jobs run --now` deletes check-ins older than checkin_retention_days', async () => {
  const r = await checkin({ client_id: clientId(), venue_code: v.other.code }, cit.binh.token);
  assertStatus(r, 201);
  const at = r.json.checkins[0].checked_in_at;
  const mine = async () => (await srv.api('GET', '/api/v1/me/checkins?limit=500', { token: cit.binh.token }))
    .json.checkins.map((x) => x.id);
  assert.ok((await mine()).includes(r.json.checkins[0].id));
  const count = rows(srv, 'checkins');
  assert.ok(count > 10);
  const saved = process.env.CORDON_CHECKIN_RETENTION_DAYS;
  try {
    process.env.CORDON_CHECKIN_RETENTION_DAYS = '1';
    // 23 hours later: still inside the day kept
    let j = srv.cli(['jobs', 'run', '--force', '--job', 'checkin_retention', '--now', String(at + 23 * 3600)]);
    assert.equal(j.status, 0, j.stderr);
    assert.match(j.stderr, /checkin retention" deleted=0 /);
    assert.equal(rows(srv, 'checkins'), count);
    // two days later: every check-in of this test run is older than a day
    j = srv.cli(['jobs', 'run', '--force', '--job', 'checkin_retention', '--now', String(now() + 2 * DAY)]);
    assert.equal(j.status, 0, j.stderr);
    assert.match(j.stderr, new RegExp(`checkin retention" deleted=${count} `));
  } finally {
    if (saved === undefined) delete process.env.CORDON_CHECKIN_RETENTION_DAYS;
    else process.env.CORDON_CHECKIN_RETENTION_DAYS = saved;
  }
  assert.equal(rows(srv, 'checkins'), 0);
  assert.deepEqual(await mine(), []);
  // the server's own scheduler runs the job too
  assert.match(srv.stderr(), /job done" job=checkin_retention/);
  // usage errors
  assert.equal(srv.cli(['jobs', 'run', '--now', 'soon']).status, 2);
  assert.equal(srv.cli(['jobs']).status, 2);
  assert.equal(srv.cli(['jobs', 'run', '--job', 'no_such_job']).status, 2);
});

// ---------------------------------------------------------------- who may call what

// 2xx: any success; 401, 403: exactly that status.
const MATRIX = `
method route                           scope    natl prov dist comm smpl lab  vacc trac chkp venu citz anon
POST   /api/v1/checkins                inside   2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx
POST   /api/v1/checkins                outside  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx
POST   /api/v1/venues/{id}/checkins    inside   403  403  403  403  403  403  403  403  403  2xx  403  401
POST   /api/v1/venues/{id}/checkins    outside  403  403  403  403  403  403  403  403  403  403  403  401
POST   /api/v1/checkins/{id}/checkout  inside   403  403  403  403  403  403  403  403  403  2xx  2xx  401
POST   /api/v1/checkins/{id}/checkout  outside  403  403  403  403  403  403  403  403  403  403  403  401
GET    /api/v1/me/checkins             self     403  403  403  403  403  403  403  403  403  403  2xx  401
GET    /api/v1/reports/checkins        inside   2xx  2xx  2xx  2xx  403  403  403  403  403  403  403  401
GET    /api/v1/reports/checkins        outside  2xx  403  403  403  403  403  403  403  403  403  403  401
`;
const ABBREV = {
  natl: 'national_admin', prov: 'province_admin', dist: 'district_admin', comm: 'commune_admin', smpl: 'sampler',
  lab: 'lab', vacc: 'vaccinator', trac: 'tracer', chkp: 'checkpoint_officer', venu: 'venue_owner', citz: 'citizen',
  anon: 'anonymous',
};

/** A fresh check-in at `venueCode` by citizen an (inside) or binh (outside), for checkout cells. */
async function targetCheckin(scope) {
  const c = scope === 'inside' ? cit.an : cit.binh;
  const code = scope === 'inside' ? v.main.code : v.hcm.code;
  const r = await checkin({ client_id: clientId(), venue_code: code }, c.token);
  assertStatus(r, 201, 'target check-in');
  return r.json.checkins[0];
}

async function requestFor(route, scope, role) {
  const venueIn = scope === 'inside' ? v.main : v.hcm;
  switch (route) {
    case '/api/v1/checkins':
      return { method: 'POST', path: route, body: withSig(role === 'citizen'
        ? { client_id: clientId(), venue_code: venueIn.code }
        : { client_id: clientId(), venue_code: venueIn.code, phone: freshPhone(), full_name: 'Lý Thị Thu' }) };
    case '/api/v1/venues/{id}/checkins':
      return { method: 'POST', path: `/api/v1/venues/${venueIn.id}/checkins`,
        body: { client_id: clientId(), cccd: '001050012345' } };
    case '/api/v1/checkins/{id}/checkout': {
      // inside: the caller's own (citizen an) or a check-in at the caller's venue (owner of v.main)
      const c = await targetCheckin(scope);
      return { method: 'POST', path: `/api/v1/checkins/${c.id}/checkout` };
    }
    case '/api/v1/me/checkins':
      return { method: 'GET', path: route };
    case '/api/v1/reports/checkins':
      return { method: 'GET', path: `${route}?unit=${scope === 'outside' ? UNITS.hcm : UNITS.phucXa}` };
    default:
      throw new Error(route);
  }
}

test('role matrix: every role x inside / outside / anonymous', async () => {
  // the CCCD used by the venue-side cells
  const p = await srv.api('POST', '/api/v1/people', { token: tok.venue_owner, body: {
    full_name: 'Hoàng Văn Bảy', date_of_birth: '1950-03-02', sex: 'male', cccd: '001050012345',
    commune_code: UNITS.phucXa, street: '5 Hàng Bún' } });
  assert.ok(p.status === 200 || p.status === 201, p.text);
  const lines = MATRIX.trim().split('\n').map((l) => l.trim().split(/\s+/));
  const cols = lines[0].slice(3).map((c) => ABBREV[c]);
  const failures = [];
  for (const [method, route, scope, ...cells] of lines.slice(1)) {
    assert.equal(cells.length, cols.length);
    for (let i = 0; i < cols.length; i++) {
      const role = cols[i];
      const req = await requestFor(route, scope, role);
      assert.equal(req.method, method);
      const r = await srv.api(method, req.path, { token: role === 'anonymous' ? undefined : tok[role], body: req.body });
      const ok = cells[i] === '2xx' ? r.status >= 200 && r.status < 300 : r.status === Number(cells[i]);
      if (!ok) failures.push(`${method} ${route} ${scope} ${role}: want ${cells[i]}, got ${r.status} ${r.text.slice(0, 120)}`);
    }
  }
  assert.deepEqual(failures, []);
});

// ---------------------------------------------------------------- bad input

test('bad input: 4xx naming the field, database unchanged', async () => {
  const code = v.main.code;
  const long = 'a'.repeat(65);
  const anon = withSig({ client_id: clientId(), venue_code: code, venue_sig: v.main.sig, phone: freshPhone(), full_name: 'Bùi Văn Tư' });
  // [label, token, method, path, body or raw, status, code, field]
  const cases = [
    ['no body', null, 'POST', '/api/v1/checkins', undefined, 400, 'invalid_json', undefined],
    ['not an object', null, 'POST', '/api/v1/checkins', [1], 400, 'invalid_json', undefined],
    ['unknown field', null, 'POST', '/api/v1/checkins', { ...anon, at: 1 }, 400, 'unknown_field', undefined],
    ['no client_id', null, 'POST', '/api/v1/checkins', { ...anon, client_id: undefined }, 400, 'missing_field', 'client_id'],
    ['short client_id', null, 'POST', '/api/v1/checkins', { ...anon, client_id: 'abc' }, 400, 'invalid_field', 'client_id'],
    ['long client_id', null, 'POST', '/api/v1/checkins', { ...anon, client_id: long }, 400, 'invalid_field', 'client_id'],
    ['client_id with a space', null, 'POST', '/api/v1/checkins', { ...anon, client_id: 'abc def ghi' }, 400, 'invalid_field', 'client_id'],
    ['client_id a number', null, 'POST', '/api/v1/checkins', { ...anon, client_id: 12345678 }, 400, 'invalid_field', 'client_id'],
    ['no venue_code', null, 'POST', '/api/v1/checkins', { ...anon, venue_code: undefined }, 400, 'missing_field', 'venue_code'],
    ['venue_code shape', null, 'POST', '/api/v1/checkins', { ...anon, venue_code: 'ABC' }, 400, 'invalid_field', 'venue_code'],
    ['venue_code letters', null, 'POST', '/api/v1/checkins', { ...anon, venue_code: 'ABCDEFGI' }, 400, 'invalid_field', 'venue_code'],
    ['venue_sig not a string', null, 'POST', '/api/v1/checkins', { ...anon, venue_sig: 5 }, 400, 'invalid_field', 'venue_sig'],
    ['venue_sig shape', null, 'POST', '/api/v1/checkins', { ...anon, venue_sig: 'nodot' }, 400, 'invalid_field', 'venue_sig'],
    ['no venue_sig', null, 'POST', '/api/v1/checkins', { ...anon, venue_sig: undefined }, 400, 'missing_field', 'venue_sig'],
    ['venue_sig of another venue', null, 'POST', '/api/v1/checkins', { ...anon, venue_sig: v.hcm.sig }, 400, 'invalid_field', 'venue_sig'],
    ['citizen without venue_sig', 'an', 'POST', '/api/v1/checkins', { client_id: clientId(), venue_code: code }, 400, 'missing_field', 'venue_sig'],
    ['anonymous without phone', null, 'POST', '/api/v1/checkins', { ...anon, phone: undefined }, 400, 'missing_field', 'phone'],
    ['anonymous without name', null, 'POST', '/api/v1/checkins', { ...anon, full_name: undefined }, 400, 'missing_field', 'full_name'],
    ['bad phone', null, 'POST', '/api/v1/checkins', { ...anon, phone: '12345' }, 400, 'invalid_field', 'phone'],
    ['bad name', null, 'POST', '/api/v1/checkins', { ...anon, full_name: 'R2-D2' }, 400, 'invalid_field', 'full_name'],
    ['anonymous with person_ids', null, 'POST', '/api/v1/checkins', { ...anon, person_ids: [1] }, 400, 'invalid_field', 'person_ids'],
    ['citizen with phone', 'an', 'POST', '/api/v1/checkins', { client_id: clientId(), venue_code: code, venue_sig: v.main.sig, phone: freshPhone() }, 400, 'invalid_field', 'phone'],
    ['citizen with full_name', 'an', 'POST', '/api/v1/checkins', { client_id: clientId(), venue_code: code, venue_sig: v.main.sig, full_name: 'An' }, 400, 'invalid_field', 'full_name'],
    ['person_ids not an array', 'an', 'POST', '/api/v1/checkins', { client_id: clientId(), venue_code: code, venue_sig: v.main.sig, person_ids: 3 }, 400, 'invalid_field', 'person_ids'],
    ['person_ids empty', 'an', 'POST', '/api/v1/checkins', { client_id: clientId(), venue_code: code, venue_sig: v.main.sig, person_ids: [] }, 400, 'invalid_field', 'person_ids'],
    ['person_ids strings', 'an', 'POST', '/api/v1/checkins', { client_id: clientId(), venue_code: code, venue_sig: v.main.sig, person_ids: ['1'] }, 400, 'invalid_field', 'person_ids'],
    ['person_ids zero', 'an', 'POST', '/api/v1/checkins', { client_id: clientId(), venue_code: code, venue_sig: v.main.sig, person_ids: [0] }, 400, 'invalid_field', 'person_ids'],
    ['person_ids too many', 'an', 'POST', '/api/v1/checkins', { client_id: clientId(), venue_code: code, venue_sig: v.main.sig, person_ids: Array.from({ length: 21 }, (_, i) => i + 1) }, 400, 'invalid_field', 'person_ids'],
    ['venue: none of qr/cccd/bhyt', 'owner', 'POST', `/api/v1/venues/${v.main.id}/checkins`, { client_id: clientId() }, 400, 'missing_field', 'qr'],
    ['venue: two of them', 'owner', 'POST', `/api/v1/venues/${v.main.id}/checkins`, { client_id: clientId(), qr: 'x', cccd: '001050012345' }, 400, 'invalid_field', 'cccd'],
    ['venue: all three', 'owner', 'POST', `/api/v1/venues/${v.main.id}/checkins`, { client_id: clientId(), qr: 'x', cccd: '001050012345', bhyt: 'HT3010123456789' }, 400, 'invalid_field', 'bhyt'],
    ['venue: no client_id', 'owner', 'POST', `/api/v1/venues/${v.main.id}/checkins`, { cccd: '001050012345' }, 400, 'missing_field', 'client_id'],
    ['venue: bad client_id', 'owner', 'POST', `/api/v1/venues/${v.main.id}/checkins`, { client_id: 'a.b.c.d.e.f', cccd: '001050012345' }, 400, 'invalid_field', 'client_id'],
    ['venue: cccd shape', 'owner', 'POST', `/api/v1/venues/${v.main.id}/checkins`, { client_id: clientId(), cccd: '12345' }, 400, 'invalid_field', 'cccd'],
    ['venue: cccd letters', 'owner', 'POST', `/api/v1/venues/${v.main.id}/checkins`, { client_id: clientId(), cccd: '00105001234X' }, 400, 'invalid_field', 'cccd'],
    ['venue: bhyt shape', 'owner', 'POST', `/api/v1/venues/${v.main.id}/checkins`, { client_id: clientId(), bhyt: 'HT9010123456789' }, 400, 'invalid_field', 'bhyt'],
    ['venue: qr garbage', 'owner', 'POST', `/api/v1/venues/${v.main.id}/checkins`, { client_id: clientId(), qr: 'CDN1.P.garbage' }, 400, 'invalid_field', 'qr'],
    ['venue: unknown field', 'owner', 'POST', `/api/v1/venues/${v.main.id}/checkins`, { client_id: clientId(), cccd: '001050012345', person_id: 1 }, 400, 'unknown_field', undefined],
    ['venue: id not a number', 'owner', 'POST', '/api/v1/venues/x1/checkins', { client_id: clientId(), cccd: '001050012345' }, 400, 'invalid_field', 'id'],
    ['me: person_id', 'an', 'GET', '/api/v1/me/checkins?person_id=abc', undefined, 400, 'invalid_field', 'person_id'],
    ['me: limit', 'an', 'GET', '/api/v1/me/checkins?limit=0', undefined, 400, 'invalid_field', 'limit'],
    ['me: limit too big', 'an', 'GET', '/api/v1/me/checkins?limit=501', undefined, 400, 'invalid_field', 'limit'],
    ['report: unit', 'admin', 'GET', '/api/v1/reports/checkins?unit=1', undefined, 400, 'invalid_field', 'unit'],
    ['report: unknown unit', 'admin', 'GET', '/api/v1/reports/checkins?unit=99999', undefined, 400, 'invalid_field', 'unit'],
    ['report: from', 'admin', 'GET', '/api/v1/reports/checkins?from=2021-02-30', undefined, 400, 'invalid_field', 'from'],
    ['report: to', 'admin', 'GET', '/api/v1/reports/checkins?to=20210701', undefined, 400, 'invalid_field', 'to'],
    ['report: from after to', 'admin', 'GET', '/api/v1/reports/checkins?from=2021-07-02&to=2021-07-01', undefined, 400, 'invalid_field', 'from'],
    ['report: too long', 'admin', 'GET', '/api/v1/reports/checkins?from=2020-01-01&to=2021-07-01', undefined, 400, 'invalid_field', 'to'],
  ];
  const tokens = { an: cit.an.token, owner: tok.venue_owner, admin: adminToken };
  const d = digests();
  for (const [label, who, method, urlPath, body, status, errCode, field] of cases) {
    const opts = { token: who ? tokens[who] : undefined };
    if (body !== undefined) opts.body = body;
    else if (method === 'POST') opts.rawBody = '';
    const r = await srv.api(method, urlPath, opts);
    try {
      assertError(r, status, errCode, field);
    } catch (e) {
      e.message = `${label}: ${e.message}`;
      throw e;
    }
  }
  assert.equal(digests(), d);
});
