'use strict';
// Helpers for the people and citizen API tests: citizen sign-in through the outbox, persons.

const assert = require('node:assert/strict');

let phoneSeq = 0;
/** A fresh valid mobile number (0 + 9 digits starting with 9), unique in this process. */
function uniquePhone(prefix = '93') {
  phoneSeq += 1;
  return `0${prefix}${String((process.pid * 1000 + phoneSeq) % 10000000).padStart(7, '0')}`;
}

let cccdSeq = 0;
/** A fresh valid CCCD (province 001, born in the 1900s, male). */
function uniqueCccd() {
  cccdSeq += 1;
  return `0010${String((process.pid * 10000 + cccdSeq) % 100000000).padStart(8, '0')}`;
}

/** The newest one-time code sent to phone, read from the outbox as the national admin. */
async function lastOtp(srv, adminToken, phone) {
  const r = await srv.api('GET', `/api/v1/outbox?recipient=${phone}&kind=otp`, { token: adminToken });
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.messages.length > 0, `no code for ${phone}`);
  const m = /(\d{6})/.exec(r.json.messages[0].text);
  assert.ok(m, r.json.messages[0].text);
  return m[1];
}

/** Asks for a code and signs in with it; answers the login body {token, expires_at, person, profile_complete}. */
async function citizenLogin(srv, adminToken, phone) {
  const o = await srv.api('POST', '/api/v1/citizen/otp', { body: { phone } });
  assert.equal(o.status, 202, o.text);
  const code = await lastOtp(srv, adminToken, phone);
  const r = await srv.api('POST', '/api/v1/citizen/login', { body: { phone, code } });
  assert.equal(r.status, 200, r.text);
  return r.json;
}

/** A citizen with a completed profile at the given commune. */
async function citizenWithProfile(srv, adminToken, phone, fields) {
  const login = await citizenLogin(srv, adminToken, phone);
  const r = await srv.api('PUT', '/api/v1/me', {
    token: login.token,
    body: { full_name: 'Lê Thị Hoa', date_of_birth: '1980-03-15', commune_code: '00001', ...fields },
  });
  assert.equal(r.status, 200, r.text);
  return { token: login.token, person: r.json };
}

/** Registers a person as staff; asserts the status (201 by default) and answers the body. */
async function createPerson(srv, token, fields, status = 201) {
  const body = { full_name: 'Phạm Văn Đức', date_of_birth: '1975-08-19', commune_code: '00001', ...fields };
  const r = await srv.api('POST', '/api/v1/people', { token, body });
  assert.equal(r.status, status, `${JSON.stringify(body)}: ${r.status} ${r.text}`);
  return r.json;
}

const PERSON_KEYS = ['id', 'code', 'full_name', 'date_of_birth', 'sex', 'phone', 'cccd', 'cmnd', 'bhyt',
  'commune_code', 'street', 'household_id', 'created_at'];

module.exports = { uniquePhone, uniqueCccd, lastOtp, citizenLogin, citizenWithProfile, createPerson, PERSON_KEYS };
