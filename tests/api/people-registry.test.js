'use strict';
// The people registry of the health workers' workspace (docs/api.md "People"): search by person
// code, editing a person (PATCH /api/v1/people/{id}), a person's timeline across the platforms
// (GET /api/v1/people/{id}/timeline) and the A4 sheet of cards (POST /api/v1/people/cards.pdf),
// with bad input and the area rule: a commune admin of another commune gets 403 or nothing.
// Search by name, phone, CCCD/CMND and BHYT, registration, revocation and single cards are in
// people.test.js; merges in identity.test.js.
//
// The timeline reads the demo data (`cordon demo`): Phúc Xá's people have cases, contacts,
// check-ins, test and quarantine orders and doses.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { startServer } = require('../lib/server');
const { UNITS, PASSWORD, createAccount, assertError, assertStatus } = require('../lib/fixtures');
const { uniqueCccd, uniquePhone, createPerson, citizenWithProfile } = require('../lib/people');

let srv;
let admin;        // national admin
let phucXa;       // commune admin of Phúc Xá (demo)
let trucBach;     // commune admin of Trúc Bạch (same district)
let demoPassword;

before(async () => {
  srv = await startServer();
  demoPassword = srv.demo();
  admin = await srv.login('admin', demoPassword);
  phucXa = await srv.login('phucxa.admin', demoPassword);
  await createAccount(srv, admin, { username: 'reg.trucbach', role: 'commune_admin', unit_code: UNITS.trucBach });
  trucBach = await srv.login('reg.trucbach', PASSWORD);
});
after(async () => { if (srv) await srv.stop(); });

async function auditOf(action, entity) {
  const r = await srv.api('GET', '/api/v1/audit?unit=VN&limit=500', { token: admin });
  assertStatus(r, 200);
  const list = r.json.entries || r.json.audit || r.json;
  return list.filter((e) => e.action === action && (entity === undefined || String(e.subject_id) === String(entity)));
}

async function searchOne(token, query) {
  const r = await srv.api('GET', `/api/v1/people/search?${query}`, { token });
  assertStatus(r, 200);
  return r.json.people;
}

describe('search by person code', () => {
  test('the code printed on the card finds the person, in any case; other communes find nothing', async () => {
    const p = (await createPerson(srv, phucXa, { full_name: 'Đặng Thị Liên', cccd: uniqueCccd() })).person;
    for (const code of [p.code, p.code.toLowerCase()]) {
      const found = await searchOne(phucXa, `code=${code}`);
      assert.deepEqual(found.map((x) => x.id), [p.id]);
    }
    assert.deepEqual(await searchOne(trucBach, `code=${p.code}`), []);
  });

  test('a bad code is 400 naming code; code with another criterion is 400', async () => {
    for (const bad of ['ABC', 'ABCDEFGHIJK', 'ABCDE-GHIJ', '']) {
      assertError(await srv.api('GET', `/api/v1/people/search?code=${encodeURIComponent(bad)}`, { token: phucXa }),
        400, 'invalid_field', 'code');
    }
    const r = await srv.api('GET', '/api/v1/people/search?q=an&code=ABCDEFGHJK', { token: phucXa });
    assertError(r, 400, 'invalid_field');
  });

  test('a 9-digit CMND is found through cccd=, as a 12-digit CCCD', async () => {
    const cmnd = String(100000000 + Math.floor(Math.random() * 899999999));
    const p = (await createPerson(srv, phucXa, { full_name: 'Vương Văn Khải', cmnd })).person;
    assert.deepEqual((await searchOne(phucXa, `cccd=${cmnd}`)).map((x) => x.id), [p.id]);
  });
});

describe('PATCH /api/v1/people/{id}', () => {
  test('changes the given fields only, answers the person, and is audited', async () => {
    const p = (await createPerson(srv, phucXa, { full_name: 'Phan Văn Tú', sex: 'male', street: '1 Hàng Đậu' })).person;
    const cccd = uniqueCccd();
    const r = await srv.api('PATCH', `/api/v1/people/${p.id}`, {
      token: phucXa, body: { full_name: 'Phan Văn Tuấn', street: '2 Hàng Đậu', phone: '+84912345678', cccd },
    });
    assertStatus(r, 200);
    assert.equal(r.json.full_name, 'Phan Văn Tuấn');
    assert.equal(r.json.street, '2 Hàng Đậu');
    assert.equal(r.json.phone, '0912345678');
    assert.equal(r.json.cccd, cccd);
    assert.equal(r.json.sex, 'male');
    assert.equal(r.json.date_of_birth, p.date_of_birth);
    // the new name is found without diacritics
    assert.ok((await searchOne(phucXa, 'q=phan%20van%20tuan')).some((x) => x.id === p.id));
    assert.equal((await auditOf('person.update', p.id)).length, 1);
  });

  test('moving a person to a commune outside the caller\'s area is 403 naming commune_code', async () => {
    const p = (await createPerson(srv, phucXa, { full_name: 'Mai Văn Bình' })).person;
    assertError(await srv.api('PATCH', `/api/v1/people/${p.id}`, { token: phucXa, body: { commune_code: UNITS.trucBach } }),
      403, 'forbidden', 'commune_code');
  });

  test('bad input is 400 naming the field, and nothing changes', async () => {
    const p = (await createPerson(srv, phucXa, { full_name: 'Lý Thị Nga', cccd: uniqueCccd() })).person;
    const cases = [
      [{ date_of_birth: '2999-01-01' }, 'date_of_birth'],
      [{ date_of_birth: '12/01/1990' }, 'date_of_birth'],
      [{ sex: 'x' }, 'sex'],
      [{ phone: '12' }, 'phone'],
      [{ cccd: '123' }, 'cccd'],
      [{ cmnd: '012345678' }, 'cmnd'],           // holds a CCCD already
      [{ bhyt: 'XX' }, 'bhyt'],
      [{ full_name: '' }, 'full_name'],
      [{ commune_code: '99999' }, 'commune_code'],
      [{ nickname: 'Nga' }, 'nickname'],
    ];
    for (const [body, field] of cases) {
      const r = await srv.api('PATCH', `/api/v1/people/${p.id}`, { token: phucXa, body });
      assert.ok(r.status === 400, `${JSON.stringify(body)}: ${r.status} ${r.text}`);
      assert.equal(r.json.error.field, field, JSON.stringify(body));
    }
    assertError(await srv.api('PATCH', `/api/v1/people/${p.id}`, { token: phucXa, body: {} }), 400, 'missing_field');
    assertError(await srv.api('PATCH', `/api/v1/people/${p.id}`, { token: phucXa, rawBody: '{"full_name":' }), 400, 'invalid_json');
    assertError(await srv.api('PATCH', '/api/v1/people/abc', { token: phucXa, body: { street: 'x' } }), 400, 'invalid_field', 'id');
    const g = await srv.api('GET', `/api/v1/people/${p.id}`, { token: phucXa });
    assert.deepEqual(g.json, p);
  });

  test('another person\'s CCCD is 409 naming cccd; a citizen\'s sign-in phone cannot change', async () => {
    const cccd = uniqueCccd();
    await createPerson(srv, phucXa, { full_name: 'Tạ Văn Cường', cccd });
    const p = (await createPerson(srv, phucXa, { full_name: 'Tạ Văn Dũng' })).person;
    assertError(await srv.api('PATCH', `/api/v1/people/${p.id}`, { token: phucXa, body: { cccd } }), 409, 'conflict', 'cccd');
    const citizen = await citizenWithProfile(srv, admin, uniquePhone(), { full_name: 'Hà Thị Yến' });
    assertError(await srv.api('PATCH', `/api/v1/people/${citizen.person.id}`, { token: phucXa, body: { phone: '0987000111' } }),
      400, 'invalid_field', 'phone');
  });

  test('a commune admin of another commune gets 403; an unknown id 404', async () => {
    const p = (await createPerson(srv, phucXa, { full_name: 'Kiều Văn Lâm' })).person;
    assertError(await srv.api('PATCH', `/api/v1/people/${p.id}`, { token: trucBach, body: { street: 'x' } }), 403, 'forbidden');
    assertError(await srv.api('PATCH', '/api/v1/people/999999', { token: phucXa, body: { street: 'x' } }), 404, 'not_found');
  });
});

describe('GET /api/v1/people/{id}/timeline', () => {
  async function demoPerson(name) {
    const list = await searchOne(phucXa, `q=${encodeURIComponent(name)}`);
    assert.ok(list.length >= 1, name);
    return list[0];
  }

  test('the demo citizen\'s case, contacts and check-ins, newest first, each with what its page needs', async () => {
    const an = await demoPerson('Nguyễn Văn An');
    const r = await srv.api('GET', `/api/v1/people/${an.id}/timeline`, { token: phucXa });
    assertStatus(r, 200);
    assert.equal(r.json.person.id, an.id);
    const kinds = new Set(r.json.entries.map((e) => e.kind));
    for (const k of ['case', 'contact', 'checkin']) assert.ok(kinds.has(k), `${k} in ${[...kinds]}`);
    const ats = r.json.entries.map((e) => e.at);
    assert.deepEqual(ats, [...ats].sort((a, b) => b - a));
    for (const e of r.json.entries) {
      assert.equal(typeof e.at, 'number');
      if (e.kind === 'case' || e.kind === 'contact') assert.equal(typeof e.case_id, 'number');
      if (e.kind === 'checkin') { assert.equal(typeof e.venue_id, 'number'); assert.equal(typeof e.venue_name, 'string'); }
    }
    // the case is on the tracing platform under the same id
    const c = r.json.entries.find((e) => e.kind === 'case');
    assertStatus(await srv.api('GET', `/api/v1/tracing/cases/${c.case_id}`, { token: phucXa }), 200);
    assert.ok((await auditOf('person.timeline', an.id)).length >= 1);
  });

  test('orders, declarations and doses appear for the people who have them', async () => {
    const mai = await demoPerson('Lê Thị Thu');
    const r = await srv.api('GET', `/api/v1/people/${mai.id}/timeline`, { token: phucXa });
    assertStatus(r, 200);
    const kinds = new Set(r.json.entries.map((e) => e.kind));
    assert.ok(kinds.has('quarantine_order') && kinds.has('test_order'), [...kinds].join());
    const order = r.json.entries.find((e) => e.kind === 'quarantine_order');
    assertStatus(await srv.api('GET', `/api/v1/quarantine/orders/${order.id}`, { token: phucXa }), 200);

    const hoa = await demoPerson('Trần Thị Hoa');
    const d = (await srv.api('GET', `/api/v1/people/${hoa.id}/timeline`, { token: phucXa })).json.entries
      .find((e) => e.kind === 'declaration');
    assert.ok(d && d.reference && d.declaration_kind, JSON.stringify(d));

    const vaccinated = (await searchOne(phucXa, 'q=nguyen%20thi%20mai')).map((p) => p.id);
    let doses = 0;
    for (const id of vaccinated) {
      const t = await srv.api('GET', `/api/v1/people/${id}/timeline`, { token: phucXa });
      doses += t.json.entries.filter((e) => e.kind === 'dose' && e.dose_number >= 1 && e.product).length;
    }
    assert.ok(doses >= 1);
  });

  test('samples and their results: the demo walk-ins (no commune yet) are the national admin\'s', async () => {
    const walkIn = (await searchOne(admin, 'q=tran%20thi%20an')).find((p) => !p.commune_code);
    assert.ok(walkIn, 'a demo walk-in');
    const r = await srv.api('GET', `/api/v1/people/${walkIn.id}/timeline`, { token: admin });
    assertStatus(r, 200);
    const s = r.json.entries.find((e) => e.kind === 'sample');
    assert.ok(s && s.status === 'negative' && s.tube_code && s.resulted_at >= s.at, JSON.stringify(r.json.entries));
    assertStatus(await srv.api('GET', `/api/v1/testing/sessions/${s.session_id}`, { token: admin }), 200);
    assertError(await srv.api('GET', `/api/v1/people/${walkIn.id}/timeline`, { token: phucXa }), 403, 'forbidden');
  });

  test('a person with no records has an empty timeline', async () => {
    const p = (await createPerson(srv, phucXa, { full_name: 'Âu Văn Mới' })).person;
    const r = await srv.api('GET', `/api/v1/people/${p.id}/timeline`, { token: phucXa });
    assertStatus(r, 200);
    assert.deepEqual(r.json.entries, []);
  });

  test('a commune admin of another commune gets 403; unknown and bad ids 404 and 400', async () => {
    const an = await demoPerson('Nguyễn Văn An');
    assertError(await srv.api('GET', `/api/v1/people/${an.id}/timeline`, { token: trucBach }), 403, 'forbidden');
    assertError(await srv.api('GET', '/api/v1/people/999999/timeline', { token: phucXa }), 404, 'not_found');
    assertError(await srv.api('GET', '/api/v1/people/0x1/timeline', { token: phucXa }), 400, 'invalid_field', 'id');
  });
});

describe('POST /api/v1/people/cards.pdf', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-cards-'));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  async function sheet(token, body) {
    const res = await fetch(`${srv.url}/api/v1/people/cards.pdf`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, type: res.headers.get('content-type'), buf: Buffer.from(await res.arrayBuffer()) };
  }

  /** Pages and page size of a PDF, and the QR payloads zbarimg reads on each page at 150 dpi. */
  function inspect(buf, name) {
    const file = path.join(tmp, `${name}.pdf`);
    fs.writeFileSync(file, buf);
    const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
    const pages = Number(/Pages:\s+(\d+)/.exec(info)[1]);
    const size = /Page size:\s+([\d.]+) x ([\d.]+) pts/.exec(info);
    // 300 dpi, a card printer's least: at 150 zbarimg once missed one of ten cards' codes (4.5 px a module)
    execFileSync('pdftoppm', ['-r', '300', '-png', file, path.join(tmp, name)]);
    const codes = [];
    for (const f of fs.readdirSync(tmp).filter((x) => x.startsWith(`${name}-`) && x.endsWith('.png')).sort()) {
      const out = execFileSync('zbarimg', ['-q', '--raw', path.join(tmp, f)], { encoding: 'utf8' });
      codes.push(out.split('\n').filter(Boolean));
    }
    return { pages, width: Number(size[1]), height: Number(size[2]), codes };
  }

  test('twelve people: two A4 pages, ten cards then two, every QR the person\'s current payload', async () => {
    const people = [];
    const names = ['An', 'Bình', 'Chi', 'Dũng', 'Giang', 'Hà', 'Khánh', 'Linh', 'Minh', 'Nga', 'Phúc', 'Quân'];
    for (const n of names) people.push((await createPerson(srv, phucXa, { full_name: `Thẻ Thử ${n}`, cccd: uniqueCccd() })).person);
    const r = await sheet(phucXa, { ids: people.map((p) => p.id) });
    assert.equal(r.status, 200);
    assert.equal(r.type, 'application/pdf');
    const s = inspect(r.buf, 'twelve');
    assert.equal(s.pages, 2);
    assert.ok(Math.abs(s.width - 595.28) < 1 && Math.abs(s.height - 841.89) < 1, `${s.width} x ${s.height}`);
    assert.deepEqual(s.codes.map((c) => c.length), [10, 2]);
    const all = s.codes.flat();
    for (const p of people) assert.ok(all.some((c) => c.startsWith(`CDN1.P.${p.code}.1.`)), p.code);
    for (const payload of all) {
      const v = await srv.api('POST', '/api/v1/qr/verify', { body: { payload } });
      assert.equal(v.json.valid, true, payload);
    }
    assert.ok((await auditOf('person.card', people[0].id)).length >= 1);
  });

  test('a household prints its members in the caller\'s area; an id twice prints one card', async () => {
    const an = (await searchOne(phucXa, 'q=nguyen%20van%20an'))[0];
    assert.ok(an.household_id);
    const h = await sheet(phucXa, { household_id: an.household_id });
    assert.equal(h.status, 200);
    const s = inspect(h.buf, 'household');
    assert.equal(s.pages, 1);
    assert.ok(s.codes[0].length >= 2 && s.codes[0].some((c) => c.startsWith(`CDN1.P.${an.code}.`)));
    const twice = inspect((await sheet(phucXa, { ids: [an.id, an.id] })).buf, 'twice');
    assert.equal(twice.codes[0].length, 1);
  });

  test('a person of another commune in the list is 403 naming ids, and no sheet', async () => {
    const mine = (await createPerson(srv, phucXa, { full_name: 'Thẻ Của Tôi' })).person;
    const theirs = (await createPerson(srv, trucBach, { full_name: 'Thẻ Của Họ', commune_code: UNITS.trucBach })).person;
    assertError(await srv.api('POST', '/api/v1/people/cards.pdf', { token: phucXa, body: { ids: [mine.id, theirs.id] } }),
      403, 'forbidden', 'ids');
    const an = (await searchOne(phucXa, 'q=nguyen%20van%20an'))[0];
    assertError(await srv.api('POST', '/api/v1/people/cards.pdf', { token: trucBach, body: { household_id: an.household_id } }),
      404, 'not_found', 'household_id');
  });

  test('bad input is 400 naming the field', async () => {
    const cases = [
      [{}, 'ids'],
      [{ ids: [] }, 'ids'],
      [{ ids: 'a' }, 'ids'],
      [{ ids: [1, 'x'] }, 'ids'],
      [{ ids: [0] }, 'ids'],
      [{ ids: Array.from({ length: 201 }, (_, i) => i + 1) }, 'ids'],
      [{ ids: [1], household_id: 1 }, 'ids'],
      [{ household_id: 'x' }, 'household_id'],
      [{ household_id: 0 }, 'household_id'],
      [{ ids: [1], extra: 1 }, 'extra'],
    ];
    for (const [body, field] of cases) {
      const r = await srv.api('POST', '/api/v1/people/cards.pdf', { token: phucXa, body });
      assert.equal(r.status, 400, `${JSON.stringify(body).slice(0, 80)}: ${r.status} ${r.text}`);
      assert.equal(r.json.error.field, field, JSON.stringify(body).slice(0, 80));
    }
    assertError(await srv.api('POST', '/api/v1/people/cards.pdf', { token: phucXa, body: { ids: [999999] } }), 404, 'not_found', 'ids');
  });
});
