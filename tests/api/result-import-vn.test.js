'use strict';
// A result file as Excel set to Vietnamese saves it (docs/api-testing.md "Files"): CSV UTF-8 with
// a BOM, ';' between cells, CRLF, Vietnamese headers, results in words ("Âm tính", "DƯƠNG
// TÍNH"), a decimal comma in Ct and dates DD/MM/YYYY. The date column is checked: a real day, not
// after today, not before the tube was sampled.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/server');
const { assertStatus } = require('../lib/fixtures');
const { testingSession, cid, todayVn } = require('../lib/testing-setup');
const { person } = require('../lib/tracing-setup');

let srv;
let t;

const api = (method, path, token, body, extra = {}) => srv.api(method, path, { token, body, ...extra });
const vnDay = (iso) => iso.split('-').reverse().join('/');

async function check(text) {
  const r = await srv.api('POST', '/api/v1/testing/results/import/check', {
    token: t.labToken, rawBody: Buffer.from(text, 'utf8'), headers: { 'content-type': 'text/csv' },
  });
  assertStatus(r, 200, 'check');
  return r.json;
}

before(async () => {
  srv = await startServer();
  t = await testingSession(srv, { poolSize: 1, tubes: 6 });
  for (let i = 0; i < 5; i++) {
    const p = await person(srv, t.officialToken, `Hoàng Văn ${['An', 'Bình', 'Chi', 'Dũng', 'Em'][i]}`);
    assertStatus(await api('POST', '/api/v1/testing/samples', t.samplerToken,
      { client_id: cid('smp'), session_id: t.session.id, tube_id: t.tubes[i], cccd: p.cccd }), 201, 'collect');
  }
});

after(async () => { if (srv) await srv.stop(); });

test('a Vietnamese Excel CSV: ";" separators, words for results, decimal commas, DD/MM/YYYY dates', async () => {
  const today = vnDay(todayVn());
  const tomorrow = vnDay(new Date(Date.parse(`${todayVn()}T00:00:00Z`) + 86400000).toISOString().slice(0, 10));
  const lines = [
    'STT;Mã ống;Họ và tên;Ngày xét nghiệm;Kết quả;Ct',
    `1;${t.tubes[0]};Hoàng Văn An;${today};Âm tính;`,
    `2;${t.tubes[1].toLowerCase()};Hoàng Văn Bình;${today};DƯƠNG TÍNH;32,5`,
    `3;${t.tubes[2]};Hoàng Văn Chi;31/02/2026;Âm tính;`,
    `4;${t.tubes[3]};Hoàng Văn Dũng;${tomorrow};Âm tính;`,
    `5;${t.tubes[4]};Hoàng Văn Em;01/01/2020;Không hợp lệ;`,
  ];
  const res = await check(`\ufeff${lines.join('\r\n')}\r\n`);
  assert.equal(res.format, 'csv');
  assert.equal(res.rows, 5);
  assert.equal(res.valid, 2, JSON.stringify(res.errors));
  assert.deepEqual(res.errors.map((e) => [e.line, e.field]), [[4, 'date'], [5, 'date'], [6, 'date']]);
  assert.match(res.errors[0].reason, /bad date "31\/02\/2026"/);
  assert.match(res.errors[1].reason, /after today/);
  assert.match(res.errors[2].reason, /before tube/);

  const applied = await api('POST', '/api/v1/testing/results/import/apply', t.labToken, { token: res.token, apply_valid_only: true });
  assertStatus(applied, 200, 'apply');
  assert.equal(applied.json.applied, 2);
  assert.equal(applied.json.cases, 1);
  const t1 = await api('GET', `/api/v1/testing/tubes/${t.tubes[1]}`, t.labToken);
  assert.equal(t1.json.result, 'positive');
  assert.equal(t1.json.ct, 32.5);
});

test('a date column is optional, and an empty date cell is allowed', async () => {
  const res = await check(`Mã ống;Kết quả;Ngày\n${t.tubes[2]};âm tính;\n`);
  assert.equal(res.valid, 1, JSON.stringify(res.errors));
  assert.equal(res.bad, 0);
});
