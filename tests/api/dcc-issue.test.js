'use strict';
// Issuing vaccination certificates that every verifier reads: the payload is the ordinary zlib
// stream (header byte 0x78, 32 KiB window), which a standard inflate reads whole; no dose (and so
// no certificate) for a person whose record lacks the full name or the date of birth the
// certificate carries — a 409 naming the field, nothing written, and the same dose recorded once
// the record is complete; the printable PDF gives the date of vaccination.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const zlib = require('node:zlib');
const { spawnSync } = require('node:child_process');
const { startServer } = require('../lib/server');
const { assertError, assertStatus } = require('../lib/fixtures');
const { lastOtp, uniquePhone } = require('../lib/people');
const { siteDay, vaccinate, hc1ToCose } = require('../lib/vaccine-setup');
const { vnToday } = require('../lib/vn-time');

let srv;
let adminToken;
let day;
let tmp;
let seq = 0;
const cid = (p) => `${p}-${process.pid}-${++seq}`;

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-dcc-issue-'));
  srv = await startServer();
  adminToken = await srv.login('admin', srv.adminPassword);
  day = await siteDay(srv, adminToken, { person: { full_name: 'Đặng Thị Ngọc Ánh', date_of_birth: '1990-12-01' } });
});

after(async () => {
  if (srv) await srv.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const B45 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
/** The bytes after "HC1:", base45-decoded (RFC 9285). */
function unbase45(hc1) {
  const s = hc1.slice(4);
  const out = [];
  for (let i = 0; i < s.length; i += 3) {
    const v = [...s.slice(i, i + 3)].map((c) => B45.indexOf(c));
    assert.ok(v.every((x) => x >= 0) && v.length > 1, 'base45');
    const x = v.reduce((acc, d, k) => acc + d * 45 ** k, 0);
    if (v.length === 3) out.push(x >> 8, x & 0xff); else out.push(x);
  }
  return Buffer.from(out);
}

/** A citizen signed in by phone (the sign-in form's name when given, nothing else), checked in at the day's site by the card's QR and screened. */
async function screenedVisit(fullName) {
  const phone = uniquePhone('94');
  assertStatus(await srv.api('POST', '/api/v1/citizen/otp', { body: { phone } }), 202, 'otp');
  const code = await lastOtp(srv, adminToken, phone);
  const login = await srv.api('POST', '/api/v1/citizen/login', { body: { phone, code, ...(fullName ? { full_name: fullName } : {}) } });
  assertStatus(login, 200, 'sign-in');
  const { token, person } = login.json;
  const qr = await srv.api('GET', '/api/v1/me/qr', { token });
  assertStatus(qr, 200, 'qr');
  const visit = await srv.api('POST', '/api/v1/vaccine/checkins', {
    token: day.vaccinatorToken, body: { client_id: cid('ck'), site_id: day.site.id, qr: qr.json.payload },
  });
  assertStatus(visit, 201, 'check-in');
  const answers = Object.fromEntries(visit.json.checklist.map((c) => [c.code, false]));
  assertStatus(await srv.api('POST', `/api/v1/vaccine/visits/${visit.json.id}/screening`, { token: day.vaccinatorToken, body: { answers } }), 200, 'screening');
  return { token, person, visit: visit.json };
}

const dose = (visit, clientId) => srv.api('POST', '/api/v1/vaccine/doses', {
  token: day.vaccinatorToken, body: { client_id: clientId, visit_id: visit.id, product: 'pfizer', lot: 'FK0108' },
});

test('an issued certificate is the ordinary zlib stream: 0x78 first, read by a standard inflate', async () => {
  const { certificate } = await vaccinate(srv, day);
  const z = unbase45(certificate.hc1);
  assert.equal(z[0], 0x78, `first byte 0x${z[0].toString(16)}`);
  assert.equal(((z[0] << 8) | z[1]) % 31, 0, 'zlib header check');
  const cose = zlib.inflateSync(z, { windowBits: 15 }); // exactly a 32 KiB window, as verifiers set it
  assert.equal(cose[0], 0xd2, 'a tagged COSE_Sign1');
  assert.deepEqual(cose, hc1ToCose(certificate.hc1));
  // and the server's own verifier agrees
  const v = await srv.api('POST', '/api/v1/certificates/verify', { body: { payload: certificate.hc1 } });
  assertStatus(v, 200, 'verify');
  assert.equal(v.json.status, 'ok', v.text);
});

test('no dose and no certificate without a full name or a date of birth: 409 naming the field, nothing written', async () => {
  // Signed in by phone only: no name, no date of birth. The name is asked first.
  const nameless = await screenedVisit(null);
  const clientA = cid('dose');
  const a = await dose(nameless.visit, clientA);
  assertError(a, 409, 'conflict', 'full_name');
  assert.match(a.json.error.message, /full_name/);

  // A name but no date of birth.
  const named = await screenedVisit('Bùi Văn Thành');
  const clientB = cid('dose');
  const b = await dose(named.visit, clientB);
  assertError(b, 409, 'conflict', 'date_of_birth');
  assert.match(b.json.error.message, /date_of_birth/);

  // Nothing was recorded: the person has no dose, the visit is still waiting for one.
  const me = await srv.api('GET', '/api/v1/me/vaccinations', { token: named.token });
  assertStatus(me, 200, 'my vaccinations');
  const rec = me.json.people.find((x) => x.person.id === named.person.id);
  assert.ok(rec, me.text);
  assert.equal(rec.doses_given, 0, me.text);
  assert.deepEqual(rec.doses, []);
  assert.deepEqual(rec.certificates, []);

  // With the date of birth recorded, the same request records the dose and issues its certificate.
  const put = await srv.api('PUT', '/api/v1/me', {
    token: named.token, body: { full_name: 'Bùi Văn Thành', date_of_birth: '1966-04-30', commune_code: '00001' },
  });
  assertStatus(put, 200, 'profile');
  const ok = await dose(named.visit, clientB);
  assertStatus(ok, 201, 'dose once the record is complete');
  const cert = await srv.api('GET', `/api/v1/vaccine/certificates/${ok.json.certificate_id}`, { token: day.vaccinatorToken });
  assertStatus(cert, 200, 'certificate');
  const v = await srv.api('POST', '/api/v1/certificates/verify', { body: { payload: cert.json.hc1 } });
  assert.equal(v.json.status, 'ok', v.text);
  assert.equal(v.json.certificate.date_of_birth, '1966-04-30');
  assert.equal(v.json.certificate.full_name, 'Bùi Văn Thành');
});

test('the certificate PDF prints the date of vaccination', async (t) => {
  if (spawnSync('pdftotext', ['-v']).error) { t.skip('pdftotext (poppler-utils) is not installed'); return; }
  const other = await siteDay(srv, adminToken, { person: { full_name: 'Lý Thị Thu Trang', date_of_birth: '2000-02-29' } });
  const { dose: d, certificate } = await vaccinate(srv, other);
  assert.equal(certificate.vaccination_date, vnToday());
  const res = await fetch(`${srv.url}/api/v1/vaccine/certificates/${d.certificate_id}/certificate.pdf`, {
    headers: { authorization: `Bearer ${other.vaccinatorToken}` },
  });
  assert.equal(res.status, 200);
  const file = path.join(tmp, `certificate-${d.certificate_id}.pdf`);
  fs.writeFileSync(file, Buffer.from(await res.arrayBuffer()));
  const p = spawnSync('pdftotext', [file, '-'], { encoding: 'utf8' });
  assert.equal(p.status, 0, p.stderr);
  const text = p.stdout.replace(/\s+/g, ' ');
  assert.ok(text.includes(`Ngày tiêm / Date of vaccination: ${vnToday()}`), text);
  assert.ok(text.includes('Ngày sinh / Date of birth: 2000-02-29'), text);
  assert.ok(text.includes('Mũi / Dose: 1'), text);
});
