'use strict';
// Every kind of message has a template (docs/api-notify.md, "Templates"): each is listed with its
// own fields and today's text as its default; a national admin's text is what the producer
// queues next (broadcast, the daily report, results, feedback answered, forwarded and closed,
// family link and exposure notification codes, masked, a quarantine check-in outside the place,
// a vaccination invitation; the sign-in code in notify-templates, the account notices in
// notify-email-producers); a field another kind has, or none has, is a 400 naming the text and
// the field.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { vnDateText } = require('../lib/vn-time');
const { startServer } = require('../lib/server');
const { UNITS, PASSWORD, createAccount, assertError, assertStatus } = require('../lib/fixtures');
const { clientId } = require('../lib/checkin');
const { uniquePhone } = require('../lib/people');
const { testingSession } = require('../lib/testing-setup');
const { quarantinedCitizen } = require('../lib/tracing-setup');
const { siteDay } = require('../lib/vaccine-setup');
const { createPerson } = require('../lib/people');

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
  '1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082', 'hex');

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

test('feedback: answered, forwarded and closed each have their text', async () => {
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
  assertStatus(await put('feedback_forwarded', 'Cordon: {ref} đã chuyển tới {unit}, chờ trả lời.'), 200);
  const c = await send();
  assertStatus(await srv.api('POST', `/api/v1/feedback/${c}/forward`, { token: commune, body: { unit_code: UNITS.trucBach, note: 'Thuộc Trúc Bạch' } }), 200);
  const texts = (await queued(phone, 'feedback')).map((m) => m.body).sort();
  assert.deepEqual(texts, [`Cordon: PA-${a} có trả lời – Đã chuyển gạo.`, `Cordon: PA-${b} đã xong.`,
    `Cordon: PA-${c} đã chuyển tới Phường Trúc Bạch, chờ trả lời.`].sort());
});

test('family link code: the template\'s text, the code masked where stored', async () => {
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

test('quarantine: a check-in outside the place, and the exposure notification code', async () => {
  assertStatus(await put('quarantine_outside', 'Cordon: lệnh {order} – điểm danh ngoài nơi cách ly, trạm y tế sẽ gọi.'), 200);
  const q = await quarantinedCitizen(srv, { suffix: '.tpl' });
  const r = await srv.api('POST', `/api/v1/me/quarantine/${q.order.id}/checkins`, {
    token: q.citizen.token, body: { client_id: clientId(), photo: PNG.toString('base64'), lat: 10.79, lon: 106.69 },
  });
  assertStatus(r, 201);
  const [m] = await queued(q.citizen.phone, 'quarantine_reminder');
  assert.equal(m.body, `Cordon: lệnh ${q.order.id} – điểm danh ngoài nơi cách ly, trạm y tế sẽ gọi.`);

  assertStatus(await put('en_code', 'Cordon: mã phơi nhiễm {code}, nhập trong 1 giờ.'), 200);
  const phone = uniquePhone();
  const p = (await createPerson(srv, q.tracer.token, { full_name: 'Ca Bệnh Mẫu', phone, commune_code: UNITS.phucXa })).person;
  const kase = await srv.api('POST', '/api/v1/tracing/cases', { token: q.tracer.token, body: { client_id: clientId(), person_id: p.id, test_date: new Date(Date.now() + 7 * 3600e3).toISOString().slice(0, 10) } });
  assertStatus(kase, 201);
  assertStatus(await srv.api('POST', '/api/v1/en/codes', { token: q.tracer.token, body: { case_id: kase.json.id } }), 201);
  const [e] = await queued(phone, 'en_code');
  assert.equal(e.body, 'Cordon: mã phơi nhiễm ******, nhập trong 1 giờ.');
  assert.match(e.text, /^Cordon: mã phơi nhiễm \S+, nhập trong 1 giờ\.$/);
});

test('vaccination: the invitation follows its template', async () => {
  assertStatus(await put('vaccine_invitation', 'Mời tiêm {product} mũi {dose}: {date} {from}–{to}, {site} (lịch {appointment}).'), 200);
  const day = await siteDay(srv, admin);
  const phone = uniquePhone();
  const p = (await createPerson(srv, day.officialToken, { full_name: 'Người Được Mời', phone, commune_code: UNITS.phucXa })).person;
  const inv = await srv.api('POST', `/api/v1/vaccine/sessions/${day.session.id}/invitations`, {
    token: day.officialToken, body: { client_id: clientId(), person_ids: [p.id] },
  });
  assertStatus(inv, 201);
  const [m] = await queued(phone, 'vaccine_invitation');
  const dmy = vnDateText(day.session.date || day.session.day); // the message writes dd/mm/yyyy
  assert.equal(m.body.replace(/\d{2}:\d{2}–\d{2}:\d{2}/, 'HH'), `Mời tiêm pfizer mũi 1: ${dmy} HH, Trạm Y tế phường Phúc Xá (lịch ${inv.json.appointments[0].id}).`);
});

test('vaccination: the next-dose reminder follows its template', async () => {
  assertStatus(await put('vaccine_due', '{name} ơi, mũi {dose} {product} đến hạn từ {date}.'), 200);
  const { vaccinate } = require('../lib/vaccine-setup');
  const phone = uniquePhone();
  const day = await siteDay(srv, admin, { person: { full_name: 'Quách Thị Nhắc', date_of_birth: '1975-05-05', phone } });
  await vaccinate(srv, day);
  const in30 = new Date(Date.now() + 7 * 3600e3 + 30 * 86400e3).toISOString().slice(0, 10);
  assertStatus(await srv.api('POST', '/api/v1/vaccine/due/reminders', { token: day.officialToken, body: { date: in30 } }), 200);
  const [m] = await queued(phone, 'vaccine_due');
  assert.match(m.body, /^Quách Thị Nhắc ơi, mũi 2 pfizer đến hạn từ \d{2}\/\d{2}\/\d{4}\.$/);
});
