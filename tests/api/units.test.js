'use strict';
// Administrative units: provinces, children, search without diacritics, one unit with its path.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/server');
const { assertError, assertStatus } = require('../lib/fixtures');

let srv;
before(async () => { srv = await startServer(); });
after(async () => { if (srv) await srv.stop(); });

const UNIT_KEYS = ['code', 'parent_code', 'level', 'type', 'name', 'name_with_type'];
const TYPES_BY_LEVEL = {
  1: ['tinh', 'thanh-pho'],
  2: ['quan', 'huyen', 'thi-xa', 'thanh-pho'],
  3: ['phuong', 'xa', 'thi-tran'],
};
const CODE_RE_BY_LEVEL = { 1: /^\d{2}$/, 2: /^\d{3}$/, 3: /^\d{5}$/ };

async function get(p) {
  const r = await srv.api('GET', p);
  assertStatus(r, 200, `GET ${p}`);
  assert.match(r.headers.get('content-type') || '', /^application\/json/);
  return r.json;
}

function checkUnit(u, level, parent) {
  for (const k of UNIT_KEYS) assert.ok(k in u, `${JSON.stringify(u)} lacks ${k}`);
  assert.equal(u.level, level, JSON.stringify(u));
  assert.match(u.code, CODE_RE_BY_LEVEL[level], JSON.stringify(u));
  if (parent !== undefined) assert.equal(u.parent_code, parent, JSON.stringify(u));
  assert.ok(TYPES_BY_LEVEL[level].includes(u.type), `type of ${JSON.stringify(u)}`);
  assert.ok(u.name.length > 0 && u.name_with_type.includes(u.name), JSON.stringify(u));
}

const pathCodes = (p) => p.map((x) => (typeof x === 'string' ? x : x.code));

test('GET /units lists the 63 provinces', async () => {
  const { units } = await get('/api/v1/units');
  assert.equal(units.length, 63);
  for (const u of units) checkUnit(u, 1, 'VN');
  assert.equal(new Set(units.map((u) => u.code)).size, 63, 'codes are unique');
  const hn = units.find((u) => u.code === '01');
  assert.deepEqual({ name: hn.name, type: hn.type, name_with_type: hn.name_with_type },
    { name: 'Hà Nội', type: 'thanh-pho', name_with_type: 'Thành phố Hà Nội' });
  const dl = units.find((u) => u.code === '66');
  assert.equal(dl.name, 'Đắk Lắk');
  assert.equal(dl.name_with_type, 'Tỉnh Đắk Lắk');
  assert.equal(units.filter((u) => u.type === 'thanh-pho').length, 5);
});

test('GET /units?parent=VN is the provinces too', async () => {
  const { units } = await get('/api/v1/units?parent=VN');
  assert.equal(units.length, 63);
  for (const u of units) checkUnit(u, 1, 'VN');
});

test('GET /units?parent=01 lists the 30 districts of Hà Nội', async () => {
  const { units } = await get('/api/v1/units?parent=01');
  assert.equal(units.length, 30);
  for (const u of units) checkUnit(u, 2, '01');
  const bd = units.find((u) => u.code === '001');
  assert.ok(bd, 'Ba Đình is there');
  assert.equal(bd.name, 'Ba Đình');
  assert.equal(bd.type, 'quan');
  assert.equal(bd.name_with_type, 'Quận Ba Đình');
  assert.ok(!units.some((u) => u.code === '760'), 'no district of another province');
});

test('GET /units?parent=001 lists the 14 communes of Ba Đình', async () => {
  const { units } = await get('/api/v1/units?parent=001');
  assert.equal(units.length, 14);
  for (const u of units) checkUnit(u, 3, '001');
  const px = units.find((u) => u.code === '00001');
  assert.ok(px, 'Phúc Xá is there');
  assert.equal(px.name, 'Phúc Xá');
  assert.equal(px.name_with_type, 'Phường Phúc Xá');
  assert.equal(px.type, 'phuong');
});

test('a commune has no children', async () => {
  const { units } = await get('/api/v1/units?parent=00001');
  assert.deepEqual(units, []);
});

test('the whole catalogue is loaded: 705 districts and 10,599 communes', async () => {
  const { units: provinces } = await get('/api/v1/units');
  const districts = [];
  for (const p of provinces) {
    const { units } = await get(`/api/v1/units?parent=${p.code}`);
    for (const d of units) checkUnit(d, 2, p.code);
    districts.push(...units);
  }
  assert.equal(districts.length, 705);
  let communes = 0;
  const queue = districts.map((d) => d.code);
  const worker = async () => {
    while (queue.length) {
      const code = queue.pop();
      const { units } = await get(`/api/v1/units?parent=${code}`);
      for (const c of units) checkUnit(c, 3, code);
      communes += units.length;
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  assert.equal(communes, 10599);
});

test('search ignores diacritics and case', async () => {
  const cases = [
    ['dak lak', '66'], ['Đắk Lắk', '66'], ['DAK LAK', '66'],
    ['ha noi', '01'], ['Hà Nội', '01'],
    ['phuc xa', '00001'], ['Phúc Xá', '00001'],
    ['ba dinh', '001'],
    ["ia h' drai", '618'], ["m'drak", '652'],
  ];
  for (const [q, code] of cases) {
    const { units } = await get(`/api/v1/units/search?q=${encodeURIComponent(q)}`);
    assert.ok(Array.isArray(units), `units for ${q}`);
    const hit = units.find((u) => u.code === code);
    assert.ok(hit, `search ${q} finds ${code}: ${JSON.stringify(units.map((u) => u.code))}`);
    for (const k of UNIT_KEYS) assert.ok(k in hit, `${k} in search hit`);
  }
});

test('search answers only matching units', async () => {
  const { units } = await get(`/api/v1/units/search?q=${encodeURIComponent('dak lak')}`);
  assert.deepEqual(units.map((u) => u.code), ['66']);
  const none = await get('/api/v1/units/search?q=zzzqqq');
  assert.deepEqual(none.units, []);
});

test('search limit: default 20, honoured up to 100', async () => {
  assert.equal((await get('/api/v1/units/search?q=an')).units.length, 20);
  assert.equal((await get('/api/v1/units/search?q=an&limit=5')).units.length, 5);
  assert.equal((await get('/api/v1/units/search?q=an&limit=1')).units.length, 1);
  assert.equal((await get('/api/v1/units/search?q=an&limit=100')).units.length, 100);
});

test('GET /units/{code} answers the unit with its path, nation first', async () => {
  const px = await get('/api/v1/units/00001');
  checkUnit(px, 3, '001');
  assert.equal(px.name, 'Phúc Xá');
  assert.ok(Array.isArray(px.path), 'path is a list');
  assert.deepEqual(pathCodes(px.path), ['VN', '01', '001']);
  assert.equal(px.children, 0);

  const bd = await get('/api/v1/units/001');
  checkUnit(bd, 2, '01');
  assert.deepEqual(pathCodes(bd.path), ['VN', '01']);
  assert.equal(bd.children, 14);
  assert.equal((await get('/api/v1/units/01')).children, 30);

  const dl = await get('/api/v1/units/66');
  checkUnit(dl, 1, 'VN');
  assert.equal(dl.name, 'Đắk Lắk');
  assert.deepEqual(pathCodes(dl.path), ['VN']);

  const td = await get('/api/v1/units/26734');
  assert.equal(td.name, 'Tân Định');
  assert.deepEqual(pathCodes(td.path), ['VN', '79', '760']);
});

test('GET /units/VN is the nation', async () => {
  const vn = await get('/api/v1/units/VN');
  assert.equal(vn.code, 'VN');
  assert.equal(vn.level, 0);
  assert.deepEqual(vn.path, []);
  assert.equal(vn.children, 63);
});

test('an unknown well-formed code answers 404', async () => {
  for (const code of ['99', '00', '999', '99999']) {
    assertError(await srv.api('GET', `/api/v1/units/${code}`), 404, 'not_found');
  }
});

test('a malformed code answers 400 naming the parameter', async () => {
  for (const code of ['abc', '1', '0001', '123456', '01a', '%2001']) {
    assertError(await srv.api('GET', `/api/v1/units/${code}`), 400, 'invalid_field', 'code');
  }
});
