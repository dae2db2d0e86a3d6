'use strict';
// Venues: registration by venue owners, area limits, approval by officials, QR posters (PNG and
// PDF, decoded with zbarimg), the public view, the check-in page at /c/{code}, and the visitor
// log in JSON, CSV and XLSX.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startServer, REPO_ROOT } = require('../lib/server');
const { vnToday } = require('../lib/vn-time');
const { UNITS, OPERATIONAL_ROLES, createAccount, assertError, assertStatus, uniqueName, PASSWORD } =
  require('../lib/fixtures');

const PUBLIC_URL = 'https://cordon.example.vn';
const CODE_RE = /^[0-9A-HJKMNP-TV-Z]{8}$/;
const VENUE_KEYS = ['id', 'code', 'name', 'type', 'commune_code', 'street', 'capacity', 'status',
  'owner_account_id', 'created_at'];

let srv;
let adminToken;
const tok = {};   // name -> bearer token
const acct = {};  // name -> account
let tmp;

function venueBody(over = {}) {
  return {
    name: 'Quán Phở Thìn',
    type: 'restaurant',
    commune_code: UNITS.phucXa,
    street: '13 Lò Đúc',
    capacity: 60,
    ...over,
  };
}

async function register(token, over = {}) {
  const r = await srv.api('POST', '/api/v1/venues', { token, body: venueBody(over) });
  assertStatus(r, 201, 'register');
  return r.json;
}

async function approve(token, id) {
  const r = await srv.api('POST', `/api/v1/venues/${id}/approve`, { token });
  assertStatus(r, 200, 'approve');
  return r.json;
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60000, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  return r;
}


async function getBinary(token, urlPath) {
  const res = await fetch(srv.url + urlPath, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

async function auditActions(action) {
  const r = await srv.api('GET', '/api/v1/audit?limit=500', { token: adminToken });
  assertStatus(r, 200, 'audit');
  return r.json.entries.filter((e) => e.action === action);
}

before(async () => {
  srv = await startServer({ env: { CORDON_PUBLIC_URL: PUBLIC_URL } });
  adminToken = await srv.login(srv.adminUsername, srv.adminPassword);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-venues-'));
  const accounts = {
    provHanoi: ['province_admin', UNITS.hanoi],
    provHcm: ['province_admin', UNITS.hcm],
    distBaDinh: ['district_admin', UNITS.baDinh],
    distHoanKiem: ['district_admin', UNITS.hoanKiem],
    communePhucXa: ['commune_admin', UNITS.phucXa],
    communeTrucBach: ['commune_admin', UNITS.trucBach],
    owner: ['venue_owner', UNITS.phucXa],
    owner2: ['venue_owner', UNITS.phucXa],
    ownerDistrict: ['venue_owner', UNITS.baDinh],
    ownerHcm: ['venue_owner', UNITS.tanDinh],
  };
  for (const r of OPERATIONAL_ROLES) if (r !== 'venue_owner') accounts[r] = [r, UNITS.phucXa];
  tok.national = adminToken; // the national admin the harness made
  for (const [name, [role, unit]] of Object.entries(accounts)) {
    const username = uniqueName(name.toLowerCase());
    acct[name] = await createAccount(srv, adminToken, { username, role, unit_code: unit });
    tok[name] = await srv.login(username, PASSWORD);
  }
});

after(async () => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  if (srv) await srv.stop();
});

test('a venue owner registers a venue in its area: pending, with an 8-character code', async () => {
  const v = await register(tok.owner);
  assert.deepEqual(Object.keys(v).sort(), [...VENUE_KEYS].sort());
  assert.match(v.code, CODE_RE);
  assert.equal(v.status, 'pending');
  assert.equal(v.owner_account_id, acct.owner.id);
  assert.equal(v.name, 'Quán Phở Thìn');
  assert.equal(v.capacity, 60);
  assert.ok(Math.abs(v.created_at - Date.now() / 1000) < 120);
  const again = await srv.api('GET', `/api/v1/venues/${v.id}`, { token: tok.owner });
  assertStatus(again, 200);
  assert.deepEqual(again.json, v);
  // capacity bounds are inclusive
  assert.equal((await register(tok.owner, { capacity: 1 })).capacity, 1);
  assert.equal((await register(tok.owner, { capacity: 100000, type: 'market' })).capacity, 100000);
  // a district-level owner may register in any commune of its district
  const d = await register(tok.ownerDistrict, { commune_code: UNITS.trucBach, type: 'school' });
  assert.equal(d.commune_code, UNITS.trucBach);
});

test('a retried registration with the same client_id is not duplicated', async () => {
  const clientId = 'reg-7f3a9c1e-0001';
  const first = await srv.api('POST', '/api/v1/venues', { token: tok.owner, body: venueBody({ client_id: clientId }) });
  assertStatus(first, 201);
  const before = srv.dbStats().tables.venues.rows;
  const retry = await srv.api('POST', '/api/v1/venues', { token: tok.owner, body: venueBody({ client_id: clientId }) });
  assertStatus(retry, 200);
  assert.deepEqual(retry.json, first.json);
  assert.equal(srv.dbStats().tables.venues.rows, before);
  const other = await srv.api('POST', '/api/v1/venues', { token: tok.owner2, body: venueBody({ client_id: clientId }) });
  assertError(other, 409, 'conflict', 'client_id');
  assert.equal(srv.dbStats().tables.venues.rows, before);
});

test('area limits: a commune outside the owner\'s area is refused', async () => {
  const before = srv.dbStats().tables.venues.rows;
  assertError(await srv.api('POST', '/api/v1/venues', { token: tok.owner, body: venueBody({ commune_code: UNITS.trucBach }) }),
    403, 'forbidden', 'commune_code');
  assertError(await srv.api('POST', '/api/v1/venues', { token: tok.ownerHcm, body: venueBody() }),
    403, 'forbidden', 'commune_code');
  assert.equal(srv.dbStats().tables.venues.rows, before);
});

test('bad input: each case is a 400 naming the field, and nothing is written', async () => {
  const cases = [
    [{ name: undefined }, 'missing_field', 'name'],
    [{ name: '' }, 'invalid_field', 'name'],
    [{ name: '   ' }, 'invalid_field', 'name'],
    [{ name: 'Quán\nPhở' }, 'invalid_field', 'name'],
    [{ name: 'x'.repeat(201) }, 'invalid_field', 'name'],
    [{ name: 42 }, 'invalid_field', 'name'],
    [{ type: undefined }, 'missing_field', 'type'],
    [{ type: 'spa' }, 'invalid_field', 'type'],
    [{ type: 'Restaurant' }, 'invalid_field', 'type'],
    [{ commune_code: undefined }, 'missing_field', 'commune_code'],
    [{ commune_code: UNITS.baDinh }, 'invalid_field', 'commune_code'],
    [{ commune_code: UNITS.hanoi }, 'invalid_field', 'commune_code'],
    [{ commune_code: '99999' }, 'invalid_field', 'commune_code'],
    [{ commune_code: 'abcde' }, 'invalid_field', 'commune_code'],
    [{ street: undefined }, 'missing_field', 'street'],
    [{ street: '' }, 'invalid_field', 'street'],
    [{ street: 'a\tb' }, 'invalid_field', 'street'],
    [{ capacity: undefined }, 'missing_field', 'capacity'],
    [{ capacity: 0 }, 'invalid_field', 'capacity'],
    [{ capacity: -5 }, 'invalid_field', 'capacity'],
    [{ capacity: 100001 }, 'invalid_field', 'capacity'],
    [{ capacity: 12.5 }, 'invalid_field', 'capacity'],
    [{ capacity: '50' }, 'invalid_field', 'capacity'],
    [{ client_id: 'short' }, 'invalid_field', 'client_id'],
    [{ client_id: 'has space in it' }, 'invalid_field', 'client_id'],
    [{ client_id: 'x'.repeat(65) }, 'invalid_field', 'client_id'],
    [{ owner_account_id: 1 }, 'unknown_field', 'owner_account_id'],
    [{ status: 'approved' }, 'unknown_field', 'status'],
  ];
  const before = srv.dbStats().tables.venues.rows;
  for (const [over, code, field] of cases) {
    const body = venueBody(over);
    for (const k of Object.keys(over)) if (over[k] === undefined) delete body[k];
    const r = await srv.api('POST', '/api/v1/venues', { token: tok.owner, body });
    assertError(r, 400, code, field);
  }
  assertError(await srv.api('POST', '/api/v1/venues', { token: tok.owner, rawBody: '{"name":' }), 400, 'invalid_json');
  assertError(await srv.api('POST', '/api/v1/venues', { token: tok.owner, body: [] }), 400, 'invalid_json');
  assert.equal(srv.dbStats().tables.venues.rows, before);

  // path and query parameters
  const v = await register(tok.owner);
  assertError(await srv.api('GET', '/api/v1/venues/abc', { token: tok.owner }), 400, 'invalid_field', 'id');
  assertError(await srv.api('GET', '/api/v1/venues/0', { token: tok.owner }), 400, 'invalid_field', 'id');
  assertError(await srv.api('GET', '/api/v1/venues/999999', { token: tok.national }), 404, 'not_found', 'id');
  assertError(await srv.api('GET', '/api/v1/venues?status=open', { token: tok.national }), 400, 'invalid_field', 'status');
  assertError(await srv.api('GET', '/api/v1/venues?unit=123456', { token: tok.national }), 400, 'invalid_field', 'unit');
  assertError(await srv.api('GET', '/api/v1/venues?unit=99999', { token: tok.national }), 400, 'invalid_field', 'unit');
  assertError(await srv.api('GET', '/api/v1/venues?limit=0', { token: tok.national }), 400, 'invalid_field', 'limit');
  for (const date of ['2021-13-01', '2021-02-29', '20210901', 'today', '2021-9-1']) {
    assertError(await srv.api('GET', `/api/v1/venues/${v.id}/visitors?date=${date}`, { token: tok.owner }),
      400, 'invalid_field', 'date');
  }
  assertError(await srv.api('GET', `/api/v1/venues/${v.id}/visitors?format=xls`, { token: tok.owner }),
    400, 'invalid_field', 'format');
  assertError(await srv.api('POST', `/api/v1/venues/${v.id}/reject`, { token: tok.communePhucXa, body: { why: 'x' } }),
    400, 'unknown_field', 'why');
  assertError(await srv.api('POST', `/api/v1/venues/${v.id}/reject`, { token: tok.communePhucXa, body: { reason: 5 } }),
    400, 'invalid_field', 'reason');
  const still = await srv.api('GET', `/api/v1/venues/${v.id}`, { token: tok.owner });
  assert.equal(still.json.status, 'pending');
});

test('lists: officials see their area, owners their own venues', async () => {
  const mine = await register(tok.owner2, { name: 'Chợ Châu Long', type: 'market' });
  const own = await srv.api('GET', '/api/v1/venues', { token: tok.owner2 });
  assertStatus(own, 200);
  assert.deepEqual(own.json.venues.map((v) => v.id), [mine.id]);
  assert.equal(own.json.total, 1);
  const other = await srv.api('GET', '/api/v1/venues', { token: tok.owner });
  assert.ok(other.json.venues.length >= 3);
  assert.ok(other.json.venues.every((v) => v.owner_account_id === acct.owner.id));

  const phucXa = await srv.api('GET', '/api/v1/venues', { token: tok.communePhucXa });
  assertStatus(phucXa, 200);
  assert.ok(phucXa.json.venues.some((v) => v.id === mine.id));
  assert.ok(phucXa.json.venues.every((v) => v.commune_code === UNITS.phucXa));
  const trucBach = await srv.api('GET', '/api/v1/venues', { token: tok.communeTrucBach });
  assert.ok(trucBach.json.venues.every((v) => v.commune_code === UNITS.trucBach));
  assert.ok(!trucBach.json.venues.some((v) => v.id === mine.id));
  assertError(await srv.api('GET', `/api/v1/venues?unit=${UNITS.phucXa}`, { token: tok.communeTrucBach }),
    403, 'forbidden', 'unit');
  const hcm = await srv.api('GET', '/api/v1/venues', { token: tok.provHcm });
  assert.equal(hcm.json.total, 0);
  const district = await srv.api('GET', `/api/v1/venues?unit=${UNITS.phucXa}&status=pending`, { token: tok.distBaDinh });
  assert.ok(district.json.venues.some((v) => v.id === mine.id));
  assert.ok(district.json.venues.every((v) => v.status === 'pending' && v.commune_code === UNITS.phucXa));
  const approved = await srv.api('GET', '/api/v1/venues?status=approved', { token: tok.national });
  assert.ok(!approved.json.venues.some((v) => v.id === mine.id));
});

test('approval flow: officials in area approve or reject, audited', async () => {
  const v = await register(tok.owner, { name: 'Trường Tiểu học Phúc Xá', type: 'school' });
  assertError(await srv.api('POST', `/api/v1/venues/${v.id}/approve`, { token: tok.communeTrucBach }), 403, 'forbidden');
  assertError(await srv.api('POST', `/api/v1/venues/${v.id}/approve`, { token: tok.owner }), 403, 'forbidden');
  assert.equal((await srv.api('GET', `/api/v1/venues/${v.id}`, { token: tok.owner })).json.status, 'pending');
  const a = await approve(tok.communePhucXa, v.id);
  assert.equal(a.status, 'approved');
  assert.equal((await approve(tok.communePhucXa, v.id)).status, 'approved'); // a retry changes nothing
  const audits = await auditActions('venue.approve');
  assert.equal(audits.filter((e) => e.subject_id === String(v.id)).length, 1);
  assert.equal(audits[0].unit_code, UNITS.phucXa);

  const w = await register(tok.owner, { name: 'Quán cà phê Góc Phố', type: 'cafe' });
  const rj = await srv.api('POST', `/api/v1/venues/${w.id}/reject`, { token: tok.distBaDinh, body: { reason: 'Sai địa chỉ' } });
  assertStatus(rj, 200);
  assert.equal(rj.json.status, 'rejected');
  assert.ok((await auditActions('venue.reject')).some((e) => e.subject_id === String(w.id)));
  // an official may change its mind; a reject without a body is fine too
  assert.equal((await approve(tok.provHanoi, w.id)).status, 'approved');
  const rj2 = await srv.api('POST', `/api/v1/venues/${w.id}/reject`, { token: tok.national });
  assertStatus(rj2, 200);
  assert.equal(rj2.json.status, 'rejected');
});

test('posters only for approved venues (409 otherwise)', async () => {
  const v = await register(tok.owner, { name: 'Nhà thuốc An Khang' , type: 'clinic' });
  for (const ext of ['png', 'pdf']) {
    assertError(await srv.api('GET', `/api/v1/venues/${v.id}/poster.${ext}`, { token: tok.owner }), 409, 'conflict');
  }
  await srv.api('POST', `/api/v1/venues/${v.id}/reject`, { token: tok.communePhucXa });
  assertError(await srv.api('GET', `/api/v1/venues/${v.id}/poster.png`, { token: tok.communePhucXa }), 409, 'conflict');
});

async function verifyPosterUrl(url, code) {
  const m = /^https:\/\/cordon\.example\.vn\/c\/([0-9A-Z]{8})\?k=([A-Za-z0-9_-]+)&s=([A-Za-z0-9_-]+)$/.exec(url);
  assert.ok(m, `poster URL: ${JSON.stringify(url)}`);
  assert.equal(m[1], code);
  const ok = await srv.api('POST', '/api/v1/qr/verify', { body: { payload: url } });
  assertStatus(ok, 200, 'verify');
  assert.equal(ok.json.valid, true, ok.text);
  assert.equal(ok.json.type, 'venue');
  // one changed character of the signature no longer verifies
  const s = m[3];
  const bad = url.slice(0, -s.length) + (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
  const no = await srv.api('POST', '/api/v1/qr/verify', { body: { payload: bad } });
  assertStatus(no, 200, 'verify tampered');
  assert.equal(no.json.valid, false, no.text);
  return { kid: m[2], sig: m[3] };
}

test('poster PNG holds a QR code of the signed URL, readable by zbarimg', async () => {
  const v = await register(tok.owner, { name: 'Siêu thị Hapro Phúc Xá', type: 'supermarket' });
  await approve(tok.communePhucXa, v.id);
  const r = await getBinary(tok.owner, `/api/v1/venues/${v.id}/poster.png`);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'image/png');
  assert.deepEqual([...r.body.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const file = path.join(tmp, `poster-${v.id}.png`);
  fs.writeFileSync(file, r.body);
  const z = run('zbarimg', ['--raw', '-q', '-Sdisable', '-Sqrcode.enable', file]);
  assert.equal(z.status, 0, `zbarimg: ${z.stderr}`);
  const url = z.stdout.replace(/\n$/, '');
  assert.equal(url.split('\n').length, 1, 'exactly one code on the poster');
  const { kid, sig } = await verifyPosterUrl(url, v.code);
  // the URL's signature is what a check-in from the poster carries
  const ck = await srv.api('POST', '/api/v1/checkins', {
    body: { client_id: 'poster-png-check-1', venue_code: v.code, venue_sig: `${kid}.${sig}`,
      phone: '0987654321', full_name: 'Phạm Văn Đức' },
  });
  assertStatus(ck, 201, 'check-in with the poster signature');
  // officials in area get the same poster; others do not
  assert.equal((await getBinary(tok.distBaDinh, `/api/v1/venues/${v.id}/poster.png`)).status, 200);
  assert.equal((await getBinary(tok.distHoanKiem, `/api/v1/venues/${v.id}/poster.png`)).status, 403);
});

test('poster PDF, rendered by pdftoppm, holds the same QR code', async () => {
  const v = await register(tok.owner, { name: 'Nhà văn hoá phường "Phúc Xá" & hội trường', type: 'government' });
  await approve(tok.communePhucXa, v.id);
  const r = await getBinary(tok.owner, `/api/v1/venues/${v.id}/poster.pdf`);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'application/pdf');
  assert.equal(r.body.subarray(0, 5).toString('latin1'), '%PDF-');
  const pdf = path.join(tmp, `poster-${v.id}.pdf`);
  fs.writeFileSync(pdf, r.body);
  const prefix = path.join(tmp, `page-${v.id}`);
  const p = run('pdftoppm', ['-r', '150', '-png', '-singlefile', pdf, prefix]);
  assert.equal(p.status, 0, `pdftoppm: ${p.stderr}`);
  const z = run('zbarimg', ['--raw', '-q', '-Sdisable', '-Sqrcode.enable', `${prefix}.png`]);
  assert.equal(z.status, 0, `zbarimg: ${z.stderr}`);
  await verifyPosterUrl(z.stdout.replace(/\n$/, ''), v.code);
  // the page text holds the name, the address and the instructions
  const t = run('pdftotext', [pdf, '-']);
  if (t.status === 0) {
    const text = t.stdout.replace(/\s+/g, ' ');
    assert.ok(text.includes('Phúc Xá'), text);
    assert.ok(text.includes('Quận Ba Đình'), text);
    assert.ok(text.includes('không cần cài ứng dụng'), text);
    assert.ok(text.includes('CCCD/BHYT'), text);
  }
});

test('public view by code: minimal fields for anyone; 404 for an unknown code', async () => {
  const v = await register(tok.owner, { name: 'Bún chả Đắc Kim', street: '1 Hàng Mành' });
  const r = await srv.api('GET', `/api/v1/venues/by-code/${v.code}`);
  assertStatus(r, 200);
  assert.deepEqual(Object.keys(r.json).sort(), ['address', 'code', 'name', 'status', 'type']);
  assert.equal(r.json.code, v.code);
  assert.equal(r.json.name, 'Bún chả Đắc Kim');
  assert.equal(r.json.status, 'pending');
  assert.equal(r.json.address, '1 Hàng Mành, Phường Phúc Xá, Quận Ba Đình, Thành phố Hà Nội');
  for (const code of ['ZZZZZZZZ', 'abc', '0000000000000']) {
    assertError(await srv.api('GET', `/api/v1/venues/by-code/${code}`), 404, 'not_found');
  }
});

test('GET /c/{code} answers the check-in page as HTML', async () => {
  const v = await register(tok.owner);
  const res = await fetch(`${srv.url}/c/${v.code}?k=k1&s=abc`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/html/);
  const html = await res.text();
  const page = path.join(REPO_ROOT, 'web', 'checkin.html');
  if (fs.existsSync(page)) assert.equal(html, fs.readFileSync(page, 'utf8'));
  else assert.ok(html.includes(`/#/checkin/${v.code}`), html);
  const bad = await fetch(`${srv.url}/c/${encodeURIComponent('<script>')}`);
  assert.equal(bad.status, 404);
});

test('visitor log of a day in JSON, CSV and XLSX; phones masked for the owner; audited', async () => {
  const v = await register(tok.owner, { name: 'Nhà hàng Sen Tây Hồ' });
  await approve(tok.communePhucXa, v.id);
  const people = [
    ['0912345678', 'Nguyễn Văn An'],
    ['0398765432', 'Trần Thị Bích Ngọc'],
  ];
  // the signed link the owner shares is what the poster's QR holds
  const shared = new URL((await srv.api('GET', `/api/v1/venues/${v.id}`, { token: tok.owner })).json.poster_url);
  const venueSig = `${shared.searchParams.get('k')}.${shared.searchParams.get('s')}`;
  let i = 0;
  for (const [phone, name] of people) {
    i += 1;
    const r = await srv.api('POST', '/api/v1/checkins', {
      body: { client_id: `visit-${v.id}-${i}-abcdef`, venue_code: v.code, venue_sig: venueSig, phone, full_name: name },
    });
    assertStatus(r, 201, 'check-in');
  }
  const date = vnToday();
  const auditBefore = (await auditActions('checkin.list')).length;

  const own = await srv.api('GET', `/api/v1/venues/${v.id}/visitors?date=${date}`, { token: tok.owner });
  assertStatus(own, 200);
  assert.equal(own.json.date, date);
  assert.equal(own.json.visitors.length, 2);
  assert.deepEqual(own.json.visitors.map((x) => x.full_name), people.map((p) => p[1]));
  assert.deepEqual(own.json.visitors.map((x) => x.phone), ['0912***678', '0398***432']);
  assert.ok(own.json.visitors.every((x) => x.method === 'poster' && x.checked_out_at === null));
  const official = await srv.api('GET', `/api/v1/venues/${v.id}/visitors?date=${date}&format=json`,
    { token: tok.communePhucXa });
  assertStatus(official, 200);
  assert.deepEqual(official.json.visitors.map((x) => x.phone), ['0912345678', '0398765432']);
  const other = await srv.api('GET', `/api/v1/venues/${v.id}/visitors?date=2021-09-01`, { token: tok.owner });
  assert.equal(other.json.visitors.length, 0);
  assert.equal((await auditActions('checkin.list')).length, auditBefore + 3);

  const csv = await getBinary(tok.communePhucXa, `/api/v1/venues/${v.id}/visitors?date=${date}&format=csv`);
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-type'), /^text\/csv/);
  assert.match(csv.headers.get('content-disposition'), /attachment; filename="visitors-[0-9A-Z]{8}-\d{4}-\d\d-\d\d\.csv"/);
  assert.deepEqual([...csv.body.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  const lines = csv.body.subarray(3).toString('utf8').split('\r\n');
  assert.equal(lines[0], 'Giờ vào,Giờ ra,Họ tên,Điện thoại,Hình thức');
  assert.match(lines[1], /^\d{4}-\d\d-\d\d \d\d:\d\d,,Nguyễn Văn An,0912345678,poster$/);
  assert.match(lines[2], /^\d{4}-\d\d-\d\d \d\d:\d\d,,Trần Thị Bích Ngọc,0398765432,poster$/);
  assert.equal(lines[3], '');
  const csvOwner = await getBinary(tok.owner, `/api/v1/venues/${v.id}/visitors?date=${date}&format=csv`);
  assert.ok(csvOwner.body.toString('utf8').includes(',0912***678,'));

  const xlsx = await getBinary(tok.owner, `/api/v1/venues/${v.id}/visitors?date=${date}&format=xlsx`);
  assert.equal(xlsx.status, 200);
  assert.equal(xlsx.headers.get('content-type'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  const file = path.join(tmp, `visitors-${v.id}.xlsx`);
  fs.writeFileSync(file, xlsx.body);
  const list = run('unzip', ['-Z1', file]);
  assert.equal(list.status, 0, list.stderr);
  const parts = list.stdout.trim().split('\n');
  for (const part of ['[Content_Types].xml', '_rels/.rels', 'xl/_rels/workbook.xml.rels', 'xl/styles.xml',
    'xl/workbook.xml', 'xl/worksheets/sheet1.xml']) assert.ok(parts.includes(part), `${part} in ${parts}`);
  assert.equal(parts.filter((p) => p.startsWith('xl/worksheets/')).length, 1, 'one sheet');
  const sheet = run('unzip', ['-p', file, 'xl/worksheets/sheet1.xml']);
  assert.equal(sheet.status, 0, sheet.stderr);
  assert.ok(sheet.stdout.includes('>Nguyễn Văn An</t>'), sheet.stdout);
  assert.ok(sheet.stdout.includes('>Trần Thị Bích Ngọc</t>'), sheet.stdout);
  assert.ok(sheet.stdout.includes('>0912***678</t>'), sheet.stdout);
  assert.ok(sheet.stdout.includes('>Họ tên</t>'), sheet.stdout);
  assert.equal((sheet.stdout.match(/<row /g) || []).length, 3);
});

// ---- role matrix -------------------------------------------------------------------------

// Expected status per caller for a venue in Phường Phúc Xá owned by `owner`.
function expectFor(caller, kind) {
  const official = { national: 200, provHanoi: 200, distBaDinh: 200, communePhucXa: 200,
    provHcm: 403, distHoanKiem: 403, communeTrucBach: 403 };
  if (caller === 'anonymous') return 401;
  if (caller in official) return official[caller];
  if (caller === 'owner') return kind === 'approve' ? 403 : 200;
  return 403; // another owner, operational roles
}

test('role matrix: each role inside / outside the area / anonymous', async () => {
  const v = await register(tok.owner, { name: 'Khách sạn Hồng Hà', type: 'hotel' });
  await approve(tok.communePhucXa, v.id);
  const callers = ['anonymous', 'national', 'provHanoi', 'provHcm', 'distBaDinh', 'distHoanKiem', 'communePhucXa',
    'communeTrucBach', 'owner', 'owner2', 'ownerHcm', ...OPERATIONAL_ROLES.filter((r) => r !== 'venue_owner')];
  const routes = [
    ['GET', `/api/v1/venues/${v.id}`, 'read'],
    ['POST', `/api/v1/venues/${v.id}/approve`, 'approve'],
    ['GET', `/api/v1/venues/${v.id}/poster.png`, 'read'],
    ['GET', `/api/v1/venues/${v.id}/poster.pdf`, 'read'],
    ['GET', `/api/v1/venues/${v.id}/visitors`, 'read'],
  ];
  for (const [method, url, kind] of routes) {
    for (const caller of callers) {
      const token = caller === 'anonymous' ? undefined : tok[caller];
      const res = await fetch(srv.url + url, { method, headers: token ? { authorization: `Bearer ${token}` } : {} });
      await res.arrayBuffer();
      assert.equal(res.status, expectFor(caller, kind), `${caller} ${method} ${url}`);
    }
  }
  // rejecting: officials in area only
  for (const caller of callers) {
    const w = await register(tok.owner, { name: `Quán ${caller}` });
    const token = caller === 'anonymous' ? undefined : tok[caller];
    const r = await srv.api('POST', `/api/v1/venues/${w.id}/reject`, { token });
    assert.equal(r.status, expectFor(caller, 'approve'), `${caller} reject`);
  }
  // registering: venue owners whose area holds the commune
  for (const caller of callers) {
    const token = caller === 'anonymous' ? undefined : tok[caller];
    const r = await srv.api('POST', '/api/v1/venues', { token, body: venueBody({ name: `Cửa hàng ${caller}` }) });
    const want = caller === 'anonymous' ? 401 : ['owner', 'owner2'].includes(caller) ? 201 : 403;
    assert.equal(r.status, want, `${caller} register: ${r.text}`);
  }
  // listing: officials and venue owners; others 403; anonymous 401
  for (const caller of callers) {
    const token = caller === 'anonymous' ? undefined : tok[caller];
    const r = await srv.api('GET', '/api/v1/venues', { token });
    const want = caller === 'anonymous' ? 401
      : (caller.startsWith('owner') || ['national', 'provHanoi', 'provHcm', 'distBaDinh', 'distHoanKiem',
        'communePhucXa', 'communeTrucBach'].includes(caller)) ? 200 : 403;
    assert.equal(r.status, want, `${caller} list`);
    const scoped = await srv.api('GET', `/api/v1/venues?unit=${UNITS.phucXa}`, { token });
    const wantScoped = want !== 200 ? want
      : ['provHcm', 'distHoanKiem', 'communeTrucBach'].includes(caller) ? 403 : 200;
    assert.equal(scoped.status, wantScoped, `${caller} list unit=${UNITS.phucXa}`);
  }
  // the public view and the check-in page need no sign-in
  assertStatus(await srv.api('GET', `/api/v1/venues/by-code/${v.code}`), 200);
  assert.equal((await fetch(`${srv.url}/c/${v.code}`)).status, 200);
});
