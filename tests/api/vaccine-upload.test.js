'use strict';
// Vaccination registration lists (docs/api-vaccine.md "Registration lists"): communes and employers
// upload CSV or XLSX; every row is checked first and each bad row reported with its line, field
// and reason; then all valid rows are applied in one transaction or nothing. Good CSV (Vietnamese
// headers, BOM, CRLF, DD/MM/YYYY) and XLSX (date serials, numbers that lost their leading zero),
// persons matched not duplicated, every kind of bad row, file faults (wrong columns, empty, bad
// encoding, 413, XLSX bombs), all-or-nothing when a row stops holding, concurrent applies, roles and areas.
//
// Places: lists name communes of Ba Đình (Phúc Xá 00001, Trúc Bạch 00004); "outside" is Tân Định
// (26734, Quận 1, Hồ Chí Minh).

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/server');
const { PASSWORD, createAccount, assertError, assertStatus } = require('../lib/fixtures');
const { citizenWithProfile, uniquePhone, uniqueCccd } = require('../lib/people');
const { xlsx, xlsxBomb } = require('../lib/xlsx');

const CHECK = '/api/v1/vaccine/registrations/upload/check';
const APPLY = '/api/v1/vaccine/registrations/upload/apply';
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const TABLES = ['persons', 'vaccine_registrations', 'vaccine_upload_batches', 'audit_log'];

let srv;
let admin;
const tok = {};

function snapshot(...skip) {
  const t = srv.dbStats().tables;
  return Object.fromEntries(TABLES.filter((n) => !skip.includes(n)).map((n) => [n, t[n]]));
}

function check(body, token = tok.commune, ct = 'text/csv') {
  const headers = ct === null ? { 'content-type': null } : { 'content-type': ct };
  return srv.api('POST', CHECK, { token, rawBody: body, headers });
}

function apply(token, body, who = tok.commune) {
  return srv.api('POST', APPLY, { token: who, body: { token, ...body } });
}

const csvLine = (cells) => cells.map((c) => (/[",\n]/.test(String(c)) ? `"${String(c).replace(/"/g, '""')}"` : c)).join(',');
const HEAD = ['full_name', 'date_of_birth', 'sex', 'cccd', 'bhyt', 'phone', 'commune_code', 'street', 'priority_group',
  'employer', 'conditions'];

/** A valid row; fields override by column name. */
function row(o = {}) {
  const r = { full_name: 'Nguyễn Thị Lan', date_of_birth: '1985-04-12', sex: 'female', cccd: uniqueCccd(), bhyt: '',
    phone: uniquePhone('97'), commune_code: '00001', street: 'Số 5 ngõ Hàng Bột', priority_group: 'general',
    employer: 'Công ty May 10', conditions: '', ...o };
  return HEAD.map((h) => r[h]);
}
const csv = (rows, head = HEAD) => [csvLine(head), ...rows.map(csvLine)].join('\n') + '\n';

async function registrationOf(personId) {
  const r = await srv.api('GET', '/api/v1/vaccine/registrations?unit=001&limit=1000', { token: tok.district });
  assertStatus(r, 200);
  return r.json.registrations.find((x) => x.person_id === personId);
}


before(async () => {
  srv = await startServer();
  admin = await srv.login(srv.adminUsername, srv.adminPassword);
  tok.national = admin;
  const defs = {
    province: ['province_admin', '01'], district: ['district_admin', '001'], commune: ['commune_admin', '00001'],
    communeOut: ['commune_admin', '26734'], vaccinator: ['vaccinator', '00001'], sampler: ['sampler', '00001'],
    lab: ['lab', '001'], tracer: ['tracer', '00001'], venue: ['venue_owner', '00001'],
    checkpoint: ['checkpoint_officer', '00001'],
  };
  for (const [name, [role, unit]] of Object.entries(defs)) {
    const username = `u.${name.toLowerCase()}.${process.pid % 10000}`;
    await createAccount(srv, admin, { username, role, unit_code: unit });
    tok[name] = await srv.login(username, PASSWORD);
  }
  tok.citizen = (await citizenWithProfile(srv, admin, uniquePhone('96'))).token;
});

after(async () => { if (srv) await srv.stop(); });

describe('good files', () => {
  test('CSV with Vietnamese headers: check writes nothing but the batch; apply registers all, matching a recorded person', async () => {
    // a person already recorded: the list must match them, not record them again
    const known = uniqueCccd();
    const p = await srv.api('POST', '/api/v1/people', { token: tok.commune,
      body: { full_name: 'Trần Văn Bình', date_of_birth: '1970-01-20', commune_code: '00001', cccd: known } });
    assertStatus(p, 201);
    const head = ['STT', 'Họ và tên', 'Ngày sinh', 'Giới tính', 'Số CCCD/CMND', 'Số thẻ BHYT', 'Số điện thoại',
      'Mã xã', 'Địa chỉ', 'Nhóm ưu tiên', 'Cơ quan', 'Bệnh nền'];
    const rows = [
      ['1', 'Trần Văn Bình', '20/01/1970', 'Nam', known, '', '', '00001', 'Số 1 Phúc Xá', 'workers', 'Công ty Điện lực', ''],
      ['2', 'Lê Thị Hoa', '1980-03-15', 'Nữ', uniqueCccd(), 'DN4010123456789', uniquePhone('97'), '00004', '', 'Người dân từ 18 tuổi trở lên', '', ''],
      ['3', 'Phạm Văn Cường', '05-06-1955', 'khác', '', '', uniquePhone('97'), '00001', '', 'elderly', '', ''],
      ['4', 'Đỗ Thị Mai', '1990-07-07', '', uniqueCccd(), '', '', '00001', 'Ngõ 2, "nhà B"', 'chronic_disease', 'Công ty May 10', 'chronic_disease; Đang mang thai'],
      ['5', 'Hoàng Minh', `${new Date().getUTCFullYear() - 14}-02-02`, 'male', '123456789', '', '', '00001', '', 'adolescents', '', ''],
    ];
    const body = '\uFEFF' + [csvLine(head), ...rows.map(csvLine)].join('\r\n') + '\r\n';
    const before_ = snapshot();
    const r = await check(Buffer.from(body, 'utf8'), tok.district); // Phúc Xá and Trúc Bạch
    assertStatus(r, 200);
    assert.equal(typeof r.json.token, 'string');
    assert.equal(r.json.format, 'csv');
    assert.deepEqual([r.json.rows, r.json.valid, r.json.bad, r.json.errors.length], [5, 5, 0, 0], JSON.stringify(r.json.errors));
    const mid = snapshot();
    assert.equal(mid.vaccine_upload_batches.rows, before_.vaccine_upload_batches.rows + 1);
    delete mid.vaccine_upload_batches; delete before_.vaccine_upload_batches;
    assert.deepEqual(mid, before_, 'the check records no person and no registration');

    const a = await apply(r.json.token, {}, tok.district);
    assertStatus(a, 200);
    assert.deepEqual(a.json, { token: r.json.token, registered: 5, people_created: 4, people_matched: 1, skipped: 0,
      already_applied: false });
    const st = srv.dbStats().tables;
    assert.equal(st.persons.rows, before_.persons.rows + 4);
    assert.equal(st.vaccine_registrations.rows, before_.vaccine_registrations.rows + 5);
    const reg = await registrationOf(p.json.person.id);
    assert.ok(reg, 'the recorded person is registered');
    assert.equal(reg.source, 'list');
    assert.equal(reg.priority_group, 'workers');
    const list = await srv.api('GET', '/api/v1/vaccine/registrations?unit=00001&priority_group=chronic_disease', { token: tok.commune });
    assert.ok(list.json.registrations.some((x) => x.conditions === 'chronic_disease,pregnant'));
    const teen = await srv.api('GET', '/api/v1/people/search?cccd=123456789', { token: tok.commune });
    assert.match(JSON.stringify(teen.json), /Hoàng Minh/);
    assertStatus(teen, 200);

    // applying twice: same figures, nothing written
    const snap = snapshot();
    const again = await apply(r.json.token, {}, tok.district);
    assertStatus(again, 200);
    assert.deepEqual(again.json, { ...a.json, already_applied: true });
    assert.deepEqual(snapshot(), snap);
    const audit = await srv.api('GET', '/api/v1/audit?unit=VN&limit=100', { token: admin });
    assert.ok(audit.json.entries.some((e) => e.action === 'vaccine_registration.upload' && e.subject_id === r.json.token));
  });

  test('XLSX with English headers, a date cell, numbers without their leading zero', async () => {
    const c1 = uniqueCccd();
    const c2 = uniqueCccd();
    const ph = uniquePhone('98');
    const book = xlsx([
      ['Full name', 'Date of birth', 'Sex', 'CCCD', 'Phone', 'Commune code', 'Priority group', 'Employer'],
      ['Vũ Thị Thu', 31048, 'F', Number(c1), '', '00001', 'health_workers', 'Bệnh viện Saint Paul'], // 1985-01-01
      ['Ngô Văn Nam', '1975-12-31', 'M', c2, Number(ph), 1, 'Teachers and education staff', 'Trường THCS Phúc Xá'],
    ]);
    const r = await check(book, tok.commune, XLSX_TYPE);
    assertStatus(r, 200);
    assert.equal(r.json.format, 'xlsx');
    assert.deepEqual([r.json.rows, r.json.valid, r.json.bad], [2, 2, 0], JSON.stringify(r.json.errors));
    const a = await apply(r.json.token);
    assertStatus(a, 200);
    assert.equal(a.json.registered, 2);
    assert.equal(a.json.people_created, 2);
    const s1 = await srv.api('GET', `/api/v1/people/search?cccd=${c1}`, { token: tok.commune });
    assertStatus(s1, 200);
    const found = JSON.stringify(s1.json);
    assert.match(found, /1985-01-01/);
    const s2 = await srv.api('GET', `/api/v1/people/search?phone=${ph}`, { token: tok.commune });
    assert.match(JSON.stringify(s2.json), /Ngô Văn Nam/);
  });
});

describe('bad rows', () => {
  test('each bad row is reported with its line, field and reason; the database is unchanged; apply is all or nothing', async () => {
    const dupCccd = uniqueCccd();
    // a person already registered
    const regC = uniqueCccd();
    const p = await srv.api('POST', '/api/v1/people', { token: tok.commune,
      body: { full_name: 'Bùi Văn Đã', date_of_birth: '1960-01-01', commune_code: '00001', cccd: regC } });
    assertStatus(p, 201);
    const reg = await srv.api('POST', '/api/v1/vaccine/registrations', { token: tok.commune,
      body: { client_id: `reg-${process.pid}-1`, person_id: p.json.person.id, priority_group: 'general' } });
    assertStatus(reg, 201);
    // a person recorded elsewhere
    const outC = uniqueCccd();
    const o = await srv.api('POST', '/api/v1/people', { token: admin,
      body: { full_name: 'Lý Văn Xa', date_of_birth: '1960-01-01', commune_code: '26734', cccd: outC } });
    assertStatus(o, 201);

    const lines = [
      csvLine([...HEAD, 'Ghi chú']), //                                               line 1 (notes are ignored)
      csvLine(row()), //                                                              2 valid
      csvLine(row({ full_name: 'Nguyễn 123' })), //                                    3
      csvLine(row({ date_of_birth: '31/02/1980' })), //                                4
      csvLine(row({ date_of_birth: 'hôm qua' })), //                                   5
      csvLine(row({ sex: 'x' })), //                                                   6
      csvLine(row({ cccd: '12345' })), //                                              7
      csvLine(row({ cccd: '', phone: '' })), //                                        8
      csvLine(row({ commune_code: '26734' })), //                                      9
      csvLine(row({ priority_group: 'astronauts' })), //                               10
      csvLine(row({ conditions: 'chronic_disease;flu' })), //                          11
      csvLine(row({ priority_group: 'elderly' })), //                                  12 too young for the group
      csvLine(row({ priority_group: 'chronic_disease' })), //                          13 needs a condition
      csvLine(row({ date_of_birth: '2015-05-05', priority_group: 'adolescents' })), // 14 under 12
      csvLine([...row({ cccd: dupCccd }), 'dòng một\ndòng hai']), //                  15-16 valid (quoted newline)
      csvLine(row({ cccd: dupCccd })), //                                              17 duplicate of 15
      csvLine(row({ cccd: regC, full_name: 'Bui Van Da', date_of_birth: '1960-01-01' })), // 18 already registered
      csvLine(row({ cccd: outC, full_name: 'Lý Văn Xa', date_of_birth: '1960-01-01' })), // 19 recorded in another area
      csvLine(row({ commune_code: '' })), //                                           20
      csvLine(row({ priority_group: '' })), //                                         21
    ];
    const text = Buffer.from(lines.join('\n') + '\n', 'utf8');
    const bad = Buffer.concat([text, Buffer.from('Ng\xe3 V\xe3n Sai,1980-01-01,,,,0912345678,00001,,general,,\n', 'latin1')]); // 22
    const before_ = snapshot('vaccine_upload_batches');
    const r = await check(bad);
    assertStatus(r, 200);
    assert.equal(r.json.rows, 20);
    assert.equal(r.json.valid, 2);
    assert.equal(r.json.bad, 18);
    assert.equal(r.json.errors_truncated, false);
    const by = Object.fromEntries(r.json.errors.map((e) => [e.line, e]));
    const expect = [
      [3, 'full_name', /full_name/], [4, 'date_of_birth', /date/], [5, 'date_of_birth', /not a date/],
      [6, 'sex', /male, female/], [7, 'cccd', /cccd|CCCD/], [8, 'cccd', /CCCD or CMND, a BHYT number or a phone/],
      [9, 'commune_code', /outside your area/], [10, 'priority_group', /unknown priority group/],
      [11, 'conditions', /unknown condition "flu"/], [12, 'priority_group', /not eligible: group elderly starts at age 65/],
      [13, 'conditions', /not eligible: group chronic_disease requires/], [14, 'priority_group', /not eligible: vaccination starts at age 12/],
      [17, 'cccd', /duplicate person in the file: same CCCD as line 15/], [18, null, /already registered/],
      [19, 'cccd', /another area/], [20, 'commune_code', /commune_code is required/],
      [21, 'priority_group', /priority_group is required/], [22, null, /encoding/],
    ];
    for (const [line, field, reason] of expect) {
      assert.ok(by[line], `line ${line} reported: ${JSON.stringify(r.json.errors)}`);
      assert.equal(by[line].field, field, `line ${line}: ${JSON.stringify(by[line])}`);
      assert.match(by[line].reason, reason, `line ${line}`);
    }
    assert.equal(r.json.errors.length, expect.length);
    assert.deepEqual(snapshot('vaccine_upload_batches'), before_, 'the check records nothing');

    // bad rows: refused unless apply_valid_only; nothing written
    const no = await apply(r.json.token);
    assertError(no, 409, 'conflict', 'apply_valid_only');
    assert.deepEqual(snapshot('vaccine_upload_batches'), before_);
    const yes = await apply(r.json.token, { apply_valid_only: true });
    assertStatus(yes, 200);
    assert.deepEqual([yes.json.registered, yes.json.people_created, yes.json.skipped], [2, 2, 18]);
    const st = snapshot('vaccine_upload_batches');
    assert.equal(st.vaccine_registrations.rows, before_.vaccine_registrations.rows + 2);
  });

  test('rows whose identifiers disagree with the records are bad rows naming what disagrees; a match adds the new CCCD', async () => {
    const bhyt = `DN40101${String(process.pid).padStart(8, '0').slice(-8)}`;
    const rec = await srv.api('POST', '/api/v1/people', { token: tok.commune,
      body: { full_name: 'Cao Bá Quát', date_of_birth: '1958-01-01', commune_code: '00001', bhyt } });
    assertStatus(rec, 201);
    const other = await srv.api('POST', '/api/v1/people', { token: tok.commune,
      body: { full_name: 'Cao Bá Quát', date_of_birth: '1958-01-01', commune_code: '00001', cccd: uniqueCccd() } });
    assertStatus(other, 201);
    const newCccd = uniqueCccd();
    const checkOne = async (o) => {
      const r = await check(Buffer.from(csv([row({ date_of_birth: '1958-01-01', bhyt, ...o })]), 'utf8'));
      assertStatus(r, 200);
      return r.json;
    };
    let r = await checkOne({ full_name: 'Người Khác', cccd: uniqueCccd() });
    assert.equal(r.errors[0].field, 'full_name', JSON.stringify(r.errors));
    assert.match(r.errors[0].reason, /bhyt/);
    r = await checkOne({ full_name: 'Cao Ba Quat', cccd: other.json.person.cccd });
    assert.equal(r.errors[0].field, 'bhyt', JSON.stringify(r.errors));
    r = await checkOne({ full_name: 'Cao Ba Quat', cccd: newCccd, phone: '' });
    assert.deepEqual(r.errors, []);
    assertStatus(await apply(r.token, {}), 200);
    const p = await srv.api('GET', `/api/v1/people/${rec.json.person.id}`, { token: tok.commune });
    assert.equal(p.json.cccd, newCccd, 'the registration added the CCCD it brought');
  });

  test('a row that stops holding between check and apply: nothing of the file is applied', async () => {
    const late = uniqueCccd();
    const r = await check(csv([row(), row(), row({ cccd: late, full_name: 'Đặng Văn Muộn', date_of_birth: '1977-07-07' })]));
    assertStatus(r, 200);
    assert.equal(r.json.valid, 3);
    // the third person is recorded and registered by someone else after the check
    const p = await srv.api('POST', '/api/v1/people', { token: tok.commune,
      body: { full_name: 'Đặng Văn Muộn', date_of_birth: '1977-07-07', commune_code: '00001', cccd: late } });
    assertStatus(p, 201);
    const reg = await srv.api('POST', '/api/v1/vaccine/registrations', { token: tok.commune,
      body: { client_id: `reg-${process.pid}-late`, person_id: p.json.person.id, priority_group: 'general' } });
    assertStatus(reg, 201);
    const before_ = snapshot();
    const a = await apply(r.json.token);
    assertError(a, 409, 'conflict', 'token');
    assert.match(a.json.error.message, /line 4/);
    assert.deepEqual(snapshot(), before_, 'rows 2 and 3 were not applied either');
    // still not applied: the same answer again
    const b = await apply(r.json.token, { apply_valid_only: true });
    assertError(b, 409, 'conflict', 'token');
    assert.deepEqual(snapshot(), before_);
  });

  test('two applies of one token at once: one writes, the other answers already_applied', async () => {
    const r = await check(csv([row(), row(), row()]));
    assertStatus(r, 200);
    const before_ = snapshot();
    const [a, b] = await Promise.all([apply(r.json.token), apply(r.json.token)]);
    assertStatus(a, 200);
    assertStatus(b, 200);
    assert.deepEqual([a.json.already_applied, b.json.already_applied].sort(), [false, true]);
    assert.equal(a.json.registered, 3);
    assert.equal(b.json.registered, 3);
    assert.equal(snapshot().vaccine_registrations.rows, before_.vaccine_registrations.rows + 3);
  });
});

describe('file faults', () => {
  test('wrong columns, empty, header only, bad encoding, broken XLSX, wrong type, oversized: 4xx naming file, nothing written', async () => {
    const before_ = snapshot();
    let r = await check('name,birthday,place\nAn,1980-01-01,00001\n');
    assertError(r, 400, 'invalid_field', 'file');
    assert.match(r.json.error.message, /line 1: wrong columns/);
    r = await check(csv([row()], HEAD.filter((h) => h !== 'priority_group')).replace(/,general/, ''));
    assertError(r, 400, 'invalid_field', 'file');
    r = await check(csv([row()], [...HEAD.slice(0, 3), 'CCCD', ...HEAD.slice(3)]).replace(/\n.*$/s, '\n'));
    assertError(r, 400, 'invalid_field', 'file');
    r = await check('');
    assertError(r, 400, 'invalid_field', 'file');
    r = await check('\n\n  \n');
    assertError(r, 400, 'invalid_field', 'file');
    r = await check(csvLine(HEAD) + '\n');
    assertError(r, 400, 'invalid_field', 'file');
    assert.match(r.json.error.message, /empty/);
    r = await check(Buffer.from('h\xf4_t\xean,ng\xe0y_sinh\n', 'latin1'));
    assertError(r, 400, 'invalid_field', 'file');
    assert.match(r.json.error.message, /UTF-8/);
    r = await check(Buffer.from('PK\x03\x04garbage'), tok.commune, XLSX_TYPE);
    assertError(r, 400, 'invalid_field', 'file');
    r = await check(csv([row()]), tok.commune, 'application/json');
    assertError(r, 415, 'unsupported_media_type', 'file');
    r = await check(Buffer.alloc(20 * 1024 * 1024 + 1, 0x41));
    assertError(r, 413, 'body_too_large');
    assertStatus(await srv.api('GET', '/healthz'), 200);
    assert.deepEqual(snapshot(), before_);
  });

  test('an XLSX whose sheet inflates past the limits: 413 file_too_complex, memory flat, nothing written', async () => {
    const MiB = 1024 * 1024;
    const before_ = snapshot();
    const start = srv.memory();
    let r = await check(xlsxBomb(40 * MiB), tok.commune, XLSX_TYPE);
    assertError(r, 413, 'file_too_complex', 'file');
    assert.match(r.json.error.message, /100 times its compressed size/);
    r = await check(xlsxBomb(40 * MiB, '<x>'), tok.commune, XLSX_TYPE);
    assertError(r, 413, 'file_too_complex', 'file');
    assert.match(r.json.error.message, /64 deep/);
    const end = srv.memory();
    assert.ok(end.rss - start.rss < (end.asan ? 384 : 64) * MiB, `resident memory grew by ${(end.rss - start.rss) / MiB} MiB`);
    assert.deepEqual(snapshot(), before_);
  });

  test('apply: unknown token 404, bad body 400 naming the field', async () => {
    const before_ = snapshot();
    assertError(await apply('0123456789abcdef0123456789abcdef'), 404, 'not_found', 'token');
    assertError(await srv.api('POST', APPLY, { token: tok.commune, body: {} }), 400, 'missing_field', 'token');
    assertError(await srv.api('POST', APPLY, { token: tok.commune, body: { token: 5 } }), 400, 'invalid_field', 'token');
    assertError(await apply('abc', { apply_valid_only: 'yes' }), 400, 'invalid_field', 'apply_valid_only');
    assertError(await apply('abc', { extra: 1 }), 400, 'unknown_field', 'extra');
    assert.deepEqual(snapshot(), before_);
  });
});

describe('roles and areas', () => {
  const OFFICIALS = ['national', 'province', 'district', 'commune'];
  const OTHERS = ['vaccinator', 'sampler', 'lab', 'tracer', 'venue', 'checkpoint', 'citizen'];

  test('check: officials 200 (rows outside their area are bad rows), other roles 403, anonymous 401', async () => {
    const file = csv([row({ commune_code: '00001' })]);
    for (const who of OFFICIALS) {
      const r = await check(file, tok[who]);
      assertStatus(r, 200, who);
      assert.equal(r.json.valid, 1, who);
    }
    const out = await check(file, tok.communeOut);
    assertStatus(out, 200);
    assert.deepEqual([out.json.valid, out.json.bad, out.json.errors[0].field], [0, 1, 'commune_code']);
    for (const who of OTHERS) assertStatus(await check(file, tok[who]), 403, who);
    assertStatus(await check(file, null), 401);
  });

  test('apply: the checking unit or above 200, another area 403, other roles 403, anonymous 401', async () => {
    const cases = [
      ['commune', 200], ['district', 200], ['province', 200], ['national', 200], ['communeOut', 403],
      ...OTHERS.map((w) => [w, 403]), [null, 401],
    ];
    for (const [who, status] of cases) {
      const c = await check(csv([row()]), tok.commune);
      assertStatus(c, 200);
      const before_ = snapshot();
      const r = await apply(c.json.token, {}, who ? tok[who] : null);
      assertStatus(r, status, String(who));
      if (status === 403 && who === 'communeOut') assert.equal(r.json.error.field, 'token');
      if (status !== 200) assert.deepEqual(snapshot(), before_, String(who));
    }
    // a file checked by the district may not be applied by one of its communes
    const c = await check(csv([row()]), tok.district);
    assertError(await apply(c.json.token, {}, tok.commune), 403, 'forbidden', 'token');
  });
});
