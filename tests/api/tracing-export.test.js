'use strict';
// The tracing export's columns: each contact's reasons (venue and time, interview, household)
// and the person it was found through ("Qua ai"), named only inside the caller's area; a contact
// without a phone (a child added by a parent) shows the managing parent's phone and name, in the
// CSV, the XLSX and the work list's JSON; his mother, of his household, is an F2 through him. The export is audited; bad input names its field.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startServer } = require('../lib/server');
const { UNITS, PASSWORD, createAccount, assertError } = require('../lib/fixtures');
const { clientId, vnDate, venueOwner, venue } = require('../lib/checkin');
const { uniqueCccd, uniquePhone, createPerson, citizenWithProfile } = require('../lib/people');

let srv;
const tok = {};
const p = {};
let caseId;
let parent;
const NAMES = {
  f0: 'Nguyễn Văn Không', a: 'Trần Thị An', b: 'Lê Văn Bình', c: 'Phạm Thị Cúc', d: 'Đỗ Văn Dũng',
  parent: 'Vũ Thị Mẹ', child: 'Vũ Minh Con',
};
const now = () => Math.floor(Date.now() / 1000);

/** RFC 4180 CSV (with the byte-order mark the server writes) as rows of cells. */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = '';
  let quoted = false;
  const s = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (quoted) {
      if (ch === '"' && s[i + 1] === '"') { cell += '"'; i++; } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(cell); cell = ''; } else if (ch === '\r' && s[i + 1] === '\n') {
      row.push(cell); rows.push(row); row = []; cell = ''; i++;
    } else cell += ch;
  }
  if (cell || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

/** The export as objects keyed by the header's column names. */
async function exportRows(token, query = '') {
  const r = await srv.api('GET', `/api/v1/tracing/contacts/export?unit=${UNITS.phucXa}&format=csv${query}`, { token });
  assert.equal(r.status, 200, r.text);
  const [head, ...rows] = parseCsv(r.text);
  return { head, rows: rows.map((cells) => Object.fromEntries(head.map((k, i) => [k, cells[i]]))) };
}

before(async () => {
  srv = await startServer();
  tok.admin = await srv.login(srv.adminUsername, srv.adminPassword);
  await createAccount(srv, tok.admin, { username: 'xk.tracer', role: 'tracer', unit_code: UNITS.phucXa });
  tok.tracer = await srv.login('xk.tracer', PASSWORD);
  await createAccount(srv, tok.admin, { username: 'xk.official', role: 'commune_admin', unit_code: UNITS.phucXa });
  tok.official = await srv.login('xk.official', PASSWORD);
  await createAccount(srv, tok.admin, { username: 'xk.sampler', role: 'sampler', unit_code: UNITS.phucXa });
  tok.sampler = await srv.login('xk.sampler', PASSWORD);
  const owner = await venueOwner(srv, tok.admin, 'xk.owner', UNITS.phucXa);

  for (const [name, commune] of [['f0', UNITS.phucXa], ['a', UNITS.phucXa], ['b', UNITS.phucXa],
    ['c', UNITS.tanDinh], ['d', UNITS.phucXa]]) {
    const cccd = uniqueCccd();
    p[name] = (await createPerson(srv, tok.admin, {
      cccd, commune_code: commune, full_name: NAMES[name], phone: uniquePhone('94'),
    })).person;
    p[name].cccd = cccd;
  }
  // A mother registered by phone adds her son, who has no phone of his own.
  parent = await citizenWithProfile(srv, tok.admin, uniquePhone('95'), { full_name: NAMES.parent, commune_code: UNITS.phucXa, street: '8 Phúc Xá' });
  let r = await srv.api('POST', '/api/v1/me/family', { token: parent.token, body: { full_name: NAMES.child, date_of_birth: '2016-04-02' } });
  assert.equal(r.status, 201, r.text);
  p.child = r.json.person || r.json;
  assert.ok(!p.child.phone, 'the child has no phone');

  const shop = await venue(srv, owner.token, tok.official, { name: 'Phở Lý Quốc Sư' });
  const cafe = await venue(srv, owner.token, tok.official, { name: 'Cà Phê Giảng' });
  const bar = await venue(srv, owner.token, tok.official, { name: 'Bia Hơi Hải Xồm', type: 'restaurant' });
  const checkin = async (v, who) => {
    const res = await srv.api('POST', `/api/v1/venues/${v.id}/checkins`, { token: owner.token, body: { client_id: clientId(), cccd: who.cccd } });
    assert.ok(res.status === 200 || res.status === 201, res.text);
  };
  await checkin(shop, p.f0);
  await checkin(shop, p.a);
  await checkin(shop, p.c);
  await checkin(cafe, p.a);
  await checkin(cafe, p.b);
  await checkin(bar, p.c);   // C lives in Tân Định: D is found through someone outside Phúc Xá
  await checkin(bar, p.d);

  r = await srv.api('POST', '/api/v1/tracing/cases', { token: tok.tracer, body: { client_id: clientId(), person_id: p.f0.id, test_date: vnDate(now()), isolated_date: vnDate(now()) } });
  assert.equal(r.status, 201, r.text);
  caseId = r.json.id;
  r = await srv.api('POST', '/api/v1/tracing/interviews', { token: tok.tracer, body: {
    client_id: clientId(), case_id: caseId, contact_person_id: p.child.id, contacted_at: now() - 1800, minutes: 40,
  } });
  assert.equal(r.status, 201, r.text);
  r = await srv.api('POST', '/api/v1/tracing/runs', { token: tok.tracer, body: { case_ids: [caseId] } });
  assert.equal(r.status, 201, r.text);
});
after(async () => { if (srv) await srv.stop(); });

test('the CSV names each contact\'s reasons and through whom, in words', async () => {
  const { head, rows } = await exportRows(tok.tracer);
  for (const col of ['Điện thoại', 'Chủ số điện thoại (người thân quản lý)', 'Lý do', 'Qua ai', 'Trạng thái']) {
    assert.ok(head.includes(col), `column ${col} in ${head}`);
  }
  const by = new Map(rows.map((row) => [row['Họ tên'], row]));
  assert.deepEqual([...by.keys()].sort(), [NAMES.a, NAMES.b, NAMES.d, NAMES.child, NAMES.parent].sort(), 'C lives elsewhere');

  const a = by.get(NAMES.a);
  assert.equal(a['Loại'], 'F1');
  assert.match(a['Lý do'], /^Phở Lý Quốc Sư, \d{4}-\d\d-\d\d \d\d:\d\d, \d+ phút$/);
  assert.equal(a['Qua ai'], NAMES.f0, 'an F1 is found through the case');
  assert.equal(a['Điện thoại'], p.a.phone);
  assert.equal(a['Chủ số điện thoại (người thân quản lý)'], '', 'A has her own phone');
  assert.equal(a['Trạng thái'], 'Chưa liên hệ được', 'the status in words, not its code');

  const b = by.get(NAMES.b);
  assert.equal(b['Loại'], 'F2');
  assert.match(b['Lý do'], /^Cà Phê Giảng, \d{4}-\d\d-\d\d \d\d:\d\d, \d+ phút$/);
  assert.equal(b['Qua ai'], NAMES.a, 'an F2 is found through the F1 it met');

  const d = by.get(NAMES.d);
  assert.match(d['Lý do'], /^Bia Hơi Hải Xồm, /);
  assert.equal(d['Qua ai'], '(ngoài địa bàn)', 'the F1 living outside Phúc Xá is not named');
  assert.ok(!rows.some((row) => Object.values(row).includes(NAMES.c)), 'C\'s name is nowhere in the export');

  const child = by.get(NAMES.child);
  assert.equal(child['Loại'], 'F1');
  assert.match(child['Lý do'], /^Phỏng vấn, \d{4}-\d\d-\d\d \d\d:\d\d, 40 phút$/);
  assert.equal(child['Điện thoại'], parent.person.phone, 'no phone of his own: his mother\'s');
  assert.equal(child['Chủ số điện thoại (người thân quản lý)'], NAMES.parent);

  // His mother shares his household: an F2 through him.
  const mother = by.get(NAMES.parent);
  assert.equal(mother['Loại'], 'F2');
  assert.equal(mother['Lý do'], 'Cùng hộ gia đình');
  assert.equal(mother['Qua ai'], NAMES.child);
  assert.equal(mother['Điện thoại'], parent.person.phone);
  assert.equal(mother['Chủ số điện thoại (người thân quản lý)'], '');
});

test('the work list JSON carries the managing relative\'s phone and the F1 an F2 came through', async () => {
  const r = await srv.api('GET', `/api/v1/tracing/contacts?unit=${UNITS.phucXa}`, { token: tok.tracer });
  assert.equal(r.status, 200, r.text);
  const by = new Map(r.json.contacts.map((c) => [c.person_id, c]));
  const child = by.get(p.child.id);
  assert.equal(child.phone, null);
  assert.equal(child.manager_phone, parent.person.phone);
  assert.equal(child.manager_name, NAMES.parent);
  assert.equal(by.get(p.b.id).through_name, NAMES.a);
  assert.equal(by.get(p.d.id).through_name, null, 'outside the area: no name');
  assert.equal(by.get(p.a.id).manager_phone, null);
});

test('the XLSX has the same columns; the export is audited', async () => {
  const r = await fetch(`${srv.url}/api/v1/tracing/contacts/export?unit=${UNITS.phucXa}&format=xlsx`, { headers: { authorization: `Bearer ${tok.tracer}` } });
  assert.equal(r.status, 200);
  const buf = Buffer.from(await r.arrayBuffer());
  assert.deepEqual([...buf.subarray(0, 2)], [0x50, 0x4b], 'a zip');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xk-'));
  try {
    const file = path.join(dir, 'x.xlsx');
    fs.writeFileSync(file, buf);
    const u = spawnSync('python3', ['-c', 'import sys,zipfile;z=zipfile.ZipFile(sys.argv[1]);print(z.read("xl/worksheets/sheet1.xml").decode())', file], { encoding: 'utf8' });
    assert.equal(u.status, 0, u.stderr);
    for (const s of ['Lý do', 'Qua ai', 'Chủ số điện thoại (người thân quản lý)', NAMES.parent, 'Phỏng vấn, ']) {
      assert.ok(u.stdout.includes(s), `${s} in the sheet`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const audit = await srv.api('GET', '/api/v1/audit?action=tracing.contacts.export', { token: tok.admin });
  assert.equal(audit.status, 200, audit.text);
  const entries = audit.json.entries || audit.json.events || audit.json.items || [];
  assert.ok(entries.length >= 2, `audited: ${audit.text.slice(0, 300)}`);
});

test('who may export, and bad input names its field', async () => {
  assertError(await srv.api('GET', `/api/v1/tracing/contacts/export?unit=${UNITS.phucXa}&format=pdf`, { token: tok.tracer }), 400, 'invalid_field', 'format');
  assertError(await srv.api('GET', `/api/v1/tracing/contacts/export?unit=${UNITS.phucXa}&degree=3`, { token: tok.tracer }), 400, 'invalid_field', 'degree');
  assertError(await srv.api('GET', `/api/v1/tracing/contacts/export?unit=${UNITS.phucXa}&status=lost`, { token: tok.tracer }), 400, 'invalid_field', 'status');
  assertError(await srv.api('GET', `/api/v1/tracing/contacts/export?unit=${UNITS.phucXa}`, { token: tok.sampler }), 403, 'forbidden');
  assertError(await srv.api('GET', `/api/v1/tracing/contacts/export?unit=${UNITS.phucXa}`, { token: parent.token }), 403, 'forbidden');
  // The commune official sees the same columns.
  const { rows } = await exportRows(tok.official, '&degree=1');
  assert.deepEqual(rows.map((row) => row['Loại']), ['F1', 'F1']);
});
