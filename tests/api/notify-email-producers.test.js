'use strict';
// E-mail producers (README "Notifications"): staff accounts carry an e-mail address set by admins
// (validated, 400 naming `email`); account notices (created, password reset, disabled) go to it,
// never with a password; the morning report goes to officials by e-mail as well as by SMS, with
// the headline and the path of the full report; a broadcast reaches an account without a phone by
// e-mail. Against the local SMTP sink (python3-aiosmtpd, STARTTLS), as tests/api/notify-email.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/server');
const { startSmtpSink } = require('../lib/smtp-sink');
const { UNITS, PASSWORD, createAccount, assertError, assertStatus } = require('../lib/fixtures');
const { uniquePhone } = require('../lib/people');

let srv;
let sink;
let admin;

const subjectOf = (m) => Buffer.from(m.data.match(/^Subject: =\?UTF-8\?B\?([^?]+)\?=/m)[1], 'base64').toString('utf8');
const mails = (to) => sink.events.filter((e) => e.to && e.to.includes(to));
const queued = async (q) => (await srv.api('GET', `/api/v1/outbox?${q}`, { token: admin })).json.messages;

before(async () => {
  sink = await startSmtpSink();
  srv = await startServer({
    env: {
      CORDON_SMTP_URL: sink.url, CORDON_SMTP_CA_FILE: sink.caFile, CORDON_SMTP_USER: 'cordon',
      CORDON_SMTP_PASSWORD: 'mat-khau', CORDON_SMTP_FROM: 'khong-tra-loi@cordon.gov.vn', CORDON_NOTIFY_POLL_MS: '50',
    },
  });
  admin = await srv.login(srv.adminUsername, srv.adminPassword);
});
after(async () => {
  if (srv) await srv.stop();
  if (sink) await sink.stop();
});

test('an account\'s e-mail address is set by admins and checked', async () => {
  const base = { username: 'em.bad', password: PASSWORD, full_name: 'Cán Bộ Thử', role: 'tracer', unit_code: UNITS.phucXa };
  for (const email of ['khong-co-a-cong', 'a@b', 'hai@@x.vn', 'co dau cach@x.vn', '<a@x.vn>', 'a@-x.vn', `${'a'.repeat(65)}@x.vn`, '', 12]) {
    const r = await srv.api('POST', '/api/v1/accounts', { token: admin, body: { ...base, email } });
    assertError(r, 400, 'invalid_field', 'email');
  }
  const acc = await createAccount(srv, admin, { username: 'em.plain', role: 'tracer', unit_code: UNITS.phucXa });
  assert.equal(acc.email, null);
  let r = await srv.api('PATCH', `/api/v1/accounts/${acc.id}`, { token: admin, body: { email: 'sai@' } });
  assertError(r, 400, 'invalid_field', 'email');
  r = await srv.api('PATCH', `/api/v1/accounts/${acc.id}`, { token: admin, body: { email: 'truy.vet@phucxa.hanoi.gov.vn' } });
  assertStatus(r, 200);
  assert.equal(r.json.email, 'truy.vet@phucxa.hanoi.gov.vn');
  assert.equal((await srv.api('GET', `/api/v1/accounts/${acc.id}`, { token: admin })).json.email, 'truy.vet@phucxa.hanoi.gov.vn');
  r = await srv.api('PATCH', `/api/v1/accounts/${acc.id}`, { token: admin, body: { email: null } });
  assertStatus(r, 200);
  assert.equal(r.json.email, null);
});

test('account notices: created, password reset, disabled, each to the account\'s address, never a password', async () => {
  const to = 'can.bo.moi@soyte.hanoi.gov.vn';
  const r = await srv.api('POST', '/api/v1/accounts', {
    token: admin, body: { username: 'em.moi', password: 'MatKhau-Rat-Kho-1', full_name: 'Trần Văn Mới', role: 'commune_admin', unit_code: UNITS.phucXa, email: to },
  });
  assertStatus(r, 201);
  assert.equal(r.json.email, to);
  const created = await sink.until((e) => e.to.includes(to));
  assert.equal(created.tls, true);
  assert.equal(subjectOf(created), 'Tài khoản Cordon của bạn');
  assert.match(created.data, /Chào Trần Văn Mới,/);
  assert.match(created.data, /Tên đăng nhập: em\.moi/);
  assert.match(created.data, /Phường Phúc Xá/);
  assert.ok(!created.data.includes('MatKhau-Rat-Kho-1'), 'the password in the mail');

  assertStatus(await srv.api('PATCH', `/api/v1/accounts/${r.json.id}`, { token: admin, body: { password: 'Mot-Mat-Khau-Moi-2' } }), 200);
  const reset = await sink.until((e) => e.to.includes(to) && /đặt lại/.test(e.data));
  assert.ok(!reset.data.includes('Mot-Mat-Khau-Moi-2'));
  assertStatus(await srv.api('PATCH', `/api/v1/accounts/${r.json.id}`, { token: admin, body: { disabled: true } }), 200);
  await sink.until((e) => e.to.includes(to) && /bị quản trị viên khoá/.test(e.data));
  // disabling a disabled account tells nobody again; a name change tells nobody
  assertStatus(await srv.api('PATCH', `/api/v1/accounts/${r.json.id}`, { token: admin, body: { disabled: true, full_name: 'Trần Văn Cũ' } }), 200);
  const list = await queued(`recipient=${to}`);
  assert.deepEqual(list.map((m) => [m.channel, m.kind]), [['email', 'account'], ['email', 'account'], ['email', 'account']]);
  // the notice follows its template
  assertStatus(await srv.api('PUT', '/api/v1/notify/templates/account_created', {
    token: admin, body: { body_vi: 'Cordon: tài khoản {username} ({full_name}, {unit}).', body_en: 'Cordon: account {username}.' },
  }), 200);
  const other = 'nguoi.khac@soyte.hanoi.gov.vn';
  await createAccount(srv, admin, { username: 'em.khac', role: 'tracer', unit_code: UNITS.phucXa, email: other });
  const [m] = await queued(`recipient=${other}`);
  assert.equal(m.body, 'Cordon: tài khoản em.khac (Nguyễn Văn Thử, Phường Phúc Xá).');
});

test('the morning report by e-mail to officials who have an address, with its headline and path', async () => {
  const to = 'quan.badinh@soyte.hanoi.gov.vn';
  const phone = uniquePhone();
  await createAccount(srv, admin, { username: 'em.dist', role: 'district_admin', unit_code: UNITS.baDinh, email: to });
  await createAccount(srv, admin, { username: 'em.dist2', role: 'district_admin', unit_code: UNITS.baDinh, phone, email: 'ca.hai@soyte.hanoi.gov.vn' });
  const vnMidnight = Math.floor((Date.now() / 1000 + 7 * 3600) / 86400) * 86400 - 7 * 3600 + 86400;
  const j = srv.cli(['jobs', 'run', '--force', '--job', 'situation_daily_report', '--now', String(vnMidnight + 7 * 3600 + 60)]);
  assert.equal(j.status, 0, j.stderr);
  const m = await sink.until((e) => e.to.includes(to) && /báo cáo ngày/.test(e.data));
  assert.equal(subjectOf(m), 'Báo cáo hằng ngày Cordon');
  assert.match(m.data, /Cordon: báo cáo ngày \d{2}\/\d{2}\/\d{4} của Quận Ba Đình: \d+ ca F0 mới/);
  assert.match(m.data, new RegExp(`/api/v1/reports/daily\\?unit=${UNITS.baDinh}&date=\\d{4}-\\d{2}-\\d{2}`));
  // an official with both gets both
  assert.equal((await queued(`recipient=${phone}&kind=daily_report`)).length, 1);
  await sink.until((e) => e.to.includes('ca.hai@soyte.hanoi.gov.vn') && /báo cáo ngày/.test(e.data));
});

test('a broadcast goes by SMS to a phone, else by e-mail; an account with neither is counted', async () => {
  const phone = uniquePhone();
  await createAccount(srv, admin, { username: 'em.tv1', role: 'tracer', unit_code: UNITS.trucBach, phone, email: 'co.ca.hai@x.vn' });
  await createAccount(srv, admin, { username: 'em.tv2', role: 'tracer', unit_code: UNITS.trucBach, email: 'chi.email@soyte.hanoi.gov.vn' });
  await createAccount(srv, admin, { username: 'em.tv3', role: 'tracer', unit_code: UNITS.trucBach });
  const r = await srv.api('POST', '/api/v1/notify/broadcast', { token: admin, body: { unit_code: UNITS.trucBach, role: 'tracer', text: 'Họp giao ban lúc 14 giờ.' } });
  assertStatus(r, 200);
  assert.deepEqual(r.json, { unit_code: UNITS.trucBach, role: 'tracer', queued: 2, without_phone: 2, by_email: 1, unreachable: 1 });
  const mail = await sink.until((e) => e.to.includes('chi.email@soyte.hanoi.gov.vn') && /Họp giao ban/.test(e.data));
  assert.match(mail.data, /Họp giao ban lúc 14 giờ\./);
  const [sms] = await queued(`recipient=${phone}&kind=broadcast`);
  assert.equal(sms.channel, 'sms');
  assert.equal((await queued('recipient=co.ca.hai@x.vn&kind=broadcast')).length, 0);
});
