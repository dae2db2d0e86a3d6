'use strict';
// Every kind of message has a template (docs/api-notify.md, "Templates"): each is listed with its
// own fields and today's text as its default; a national admin's text is what the producer
// queues next (results, broadcast, the daily report, feedback answers, family link and exposure
// codes stay masked); a field another kind has, or none has, is a 400 naming the text and the
// field.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/server');
const { UNITS, PASSWORD, createAccount, assertError, assertStatus } = require('../lib/fixtures');
const { clientId } = require('../lib/checkin');
const { uniquePhone } = require('../lib/people');
const { testingSession } = require('../lib/testing-setup');

const FIELDS = {
  otp: ['code', 'minutes'],
  family: ['code', 'minutes'],
  en_code: ['code'],
  result: ['test', 'date', 'corrected', 'result'],
  result_member: ['name', 'test', 'date', 'corrected', 'result'],
  result_correction: [],
  result_correction_member: ['name'],
  quarantine_missed: ['order'],
  quarantine_missed_member: ['name', 'order'],
  quarantine_outside: ['order'],
  quarantine_outside_member: ['name', 'order'],
  vaccine_invitation: ['product', 'dose', 'date', 'from', 'to', 'site', 'appointment'],
  vaccine_rescheduled: ['product', 'dose', 'date', 'from', 'to', 'site', 'appointment'],
  vaccine_due: ['name', 'dose', 'product', 'date'],
  daily_report: ['date', 'unit', 'new_f0', 'new_f0_7d', 'level', 'path'],
  feedback_answered: ['ref', 'answer'],
  feedback_forwarded: ['ref', 'unit'],
  feedback_closed: ['ref', 'note'],
  broadcast: ['text'],
  account_created: ['full_name', 'username', 'unit'],
  account_password: ['full_name', 'username'],
  account_disabled: ['full_name', 'username'],
};

let srv;
let admin;

before(async () => {
  srv = await startServer();
  admin = await srv.login(srv.adminUsername, srv.adminPassword);
});
after(async () => { if (srv) await srv.stop(); });

const put = (kind, body_vi, body_en = body_vi) => srv.api('PUT', `/api/v1/notify/templates/${kind}`, { token: admin, body: { body_vi, body_en } });
const queued = async (recipient, kind) =>
  (await srv.api('GET', `/api/v1/outbox?recipient=${recipient}&kind=${kind}`, { token: admin })).json.messages;

test('every kind has a template with its own fields, and only those fields', async () => {
  const r = await srv.api('GET', '/api/v1/notify/templates', { token: admin });
  assertStatus(r, 200);
  assert.deepEqual(Object.fromEntries(r.json.templates.map((t) => [t.kind, t.fields])), FIELDS);
  for (const t of r.json.templates) {
    assert.equal(t.changed, false, t.kind);
    assert.equal(t.body_vi, t.default_vi, t.kind);
    for (const f of (t.body_vi.match(/\{[a-z_0-9]+\}/g) || [])) assert.ok(t.fields.includes(f.slice(1, -1)), `${t.kind} ${f}`);
  }
  for (const kind of Object.keys(FIELDS)) {
    const secret = FIELDS[kind][0] === 'code' ? '{code} ' : '';
    const e = await put(kind, `${secret}Cordon {lottery}`, `${secret}Cordon`);
    assertError(e, 400, 'invalid_field', 'body_vi');
    assert.match(e.json.error.message, /\{lottery\} is not a field/, kind);
    const en = await put(kind, `${secret}Cordon`, `${secret}Cordon {hospital_bed}`);
    assertError(en, 400, 'invalid_field', 'body_en');
    assert.match(en.json.error.message, /\{hospital_bed\}/, kind);
  }
  // a field of another kind is not one of this kind's
  assertError(await put('broadcast', 'Cordon: {text} ({unit})'), 400, 'invalid_field', 'body_vi');
  assertError(await put('en_code', 'Cordon: mã {code}, {minutes} phút'), 400, 'invalid_field', 'body_vi');
  assertError(await put('family', 'Cordon: không có mã'), 400, 'invalid_field', 'body_vi');
  assertError(await put('postcard', 'x'), 404, 'not_found', 'kind');
});

test('broadcast: the staff get the template with the official\'s text', async () => {
  const phone = uniquePhone();
  await createAccount(srv, admin, { username: 'tpl.tracer', role: 'tracer', unit_code: UNITS.phucXa, phone });
  assertStatus(await put('broadcast', 'Cordon - tin từ cấp trên: {text}', 'Cordon: {text}'), 200);
  assertStatus(await srv.api('POST', '/api/v1/notify/broadcast', {
    token: admin, body: { unit_code: UNITS.phucXa, role: 'tracer', text: 'Họp lúc 14 giờ; mang "sổ".' },
  }), 200);
  const [m] = await queued(phone, 'broadcast');
  assert.equal(m.body, 'Cordon - tin từ cấp trên: Họp lúc 14 giờ; mang "sổ".');
});

test('daily report: the officials\' morning message follows the template', async () => {
  const phone = uniquePhone();
  await createAccount(srv, admin, { username: 'tpl.dist', role: 'district_admin', unit_code: UNITS.baDinh, phone });
  assertStatus(await put('daily_report', 'BC {date} – {unit}: F0 {new_f0}/{new_f0_7d}, cấp {level}. {path} (xem \'ngay\')'), 200);
  const vnMidnight = Math.floor((Date.now() / 1000 + 7 * 3600) / 86400) * 86400 - 7 * 3600 + 86400;
  const j = srv.cli(['jobs', 'run', '--force', '--job', 'situation_daily_report', '--now', String(vnMidnight + 7 * 3600 + 60)]);
  assert.equal(j.status, 0, j.stderr);
  const [m] = await queued(phone, 'daily_report');
  assert.match(m.body, /^BC \d{2}\/\d{2}\/\d{4} – Quận Ba Đình: F0 0\/0, cấp (\d|chưa xác định)\. \/api\/v1\/reports\/daily\?unit=\d+&date=[\d-]+ \(xem 'ngay'\)$/);
});

test('results: the member\'s own text and a quote in the template, queued in one statement', async () => {
  const s = await testingSession(srv, { tubes: 1, suffix: '.tpl' });
  // a single quote and a question mark in the text must stay text in the SQL that writes the batch
  assertStatus(await put('result', 'KQ {test} {date}{corrected} – \'{result}\'? Hỏi trạm y tế.'), 200);
  const phone = uniquePhone();
  assertStatus(await srv.api('POST', '/api/v1/testing/samples', {
    token: s.samplerToken, body: { client_id: clientId(), session_id: s.session.id, tube_id: s.tubes[0], phone, full_name: 'Trần Thị Mẫu' },
  }), 201);
  assertStatus(await srv.api('POST', '/api/v1/testing/results', { token: s.labToken, body: { tube_id: s.tubes[0], result: 'negative' } }), 200);
  const [m] = await queued(phone, 'result');
  assert.match(m.body, /^KQ RT-PCR \d{2}\/\d{2}\/\d{4} – 'ÂM TÍNH \(negative\)'\? Hỏi trạm y tế\.$/);
});

test('feedback: answered and closed each have their text', async () => {
  const phone = uniquePhone();
  await createAccount(srv, admin, { username: 'tpl.xa', role: 'commune_admin', unit_code: UNITS.phucXa });
  const commune = await srv.login('tpl.xa', PASSWORD);
  const send = async () => {
    const r = await srv.api('POST', '/api/v1/feedback', {
      body: { client_id: clientId(), phone, category: 'need_help', text: 'Cần hỗ trợ lương thực', commune_code: UNITS.phucXa },
    });
    assert.ok(r.status === 201 || r.status === 200, r.text);
    return r.json.id;
  };
  assertStatus(await put('feedback_answered', 'Cordon: {ref} có trả lời – {answer}'), 200);
  assertStatus(await put('feedback_closed', 'Cordon: {ref} đã xong{note}'), 200);
  const a = await send();
  assertStatus(await srv.api('POST', `/api/v1/feedback/${a}/answer`, { token: commune, body: { answer: 'Đã chuyển gạo.' } }), 200);
  const b = await send();
  assertStatus(await srv.api('POST', `/api/v1/feedback/${b}/close`, { token: commune, body: {} }), 200);
  const texts = (await queued(phone, 'feedback')).map((m) => m.body).sort();
  assert.deepEqual(texts, [`Cordon: PA-${a} có trả lời – Đã chuyển gạo.`, `Cordon: PA-${b} đã xong.`].sort());
});

test('sign-in and family codes: the template\'s text, the code masked where stored', async () => {
  assertStatus(await put('family', 'Cordon: gia đình – mã {code} ({minutes} phút).'), 200);
  const owner = uniquePhone();
  const other = uniquePhone();
  const { citizenWithProfile } = require('../lib/people');
  const c = await citizenWithProfile(srv, admin, owner, { full_name: 'Chủ Hộ', commune_code: UNITS.phucXa });
  const b = await citizenWithProfile(srv, admin, other, { full_name: 'Người Thân', date_of_birth: '1960-01-02', commune_code: UNITS.phucXa });
  const r = await srv.api('POST', '/api/v1/me/family', {
    token: c.token, body: { full_name: b.person.full_name, date_of_birth: b.person.date_of_birth, phone: other },
  });
  assert.ok([200, 201, 202].includes(r.status), r.text);
  const msgs = await queued(other, 'family');
  assert.equal(msgs.length, 1, r.text);
  assert.equal(msgs[0].body, 'Cordon: gia đình – mã ****** (5 phút).');
  assert.match(msgs[0].text, /^Cordon: gia đình – mã \d{6} \(5 phút\)\.$/);
});
