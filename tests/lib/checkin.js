'use strict';
// Helpers for the check-in tests: citizens signed in by one-time code, approved venues,
// client ids, local dates in Vietnam (UTC+7).

const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { PASSWORD, createAccount, assertStatus } = require('./fixtures');
const { vnDate } = require('./vn-time');

let phoneSeq = 0;
/** A fresh Vietnamese mobile number, different in every call of this process. */
function freshPhone() {
  phoneSeq += 1;
  const n = (process.pid % 1000) * 100000 + phoneSeq;
  return `09${String(n).padStart(8, '0')}`;
}

/** A client-generated id, as the phone app makes one. */
function clientId() {
  return crypto.randomUUID();
}


/** Signs a citizen in by one-time code (read from the outbox as the national admin): {token, person}. */
async function citizenLogin(srv, adminToken, phone = freshPhone()) {
  let r = await srv.api('POST', '/api/v1/citizen/otp', { body: { phone } });
  assertStatus(r, 202, 'otp');
  r = await srv.api('GET', `/api/v1/outbox?recipient=${phone}&kind=otp&limit=1`, { token: adminToken });
  assertStatus(r, 200, 'outbox');
  const m = /\b(\d{6})\b/.exec(r.json.messages[0].text);
  assert.ok(m, `no code in ${r.json.messages[0].text}`);
  r = await srv.api('POST', '/api/v1/citizen/login', { body: { phone, code: m[1] } });
  assertStatus(r, 200, 'citizen login');
  return { token: r.json.token, person: r.json.person, phone };
}

/** Adds a family member the citizen manages; returns the person. */
async function addFamily(srv, token, fullName, dateOfBirth = '2015-06-01') {
  const r = await srv.api('POST', '/api/v1/me/family', {
    token, body: { full_name: fullName, date_of_birth: dateOfBirth },
  });
  assertStatus(r, 201, 'family');
  return r.json.person || r.json;
}

/** A venue owner account at `unit` and its token. */
async function venueOwner(srv, adminToken, username, unit) {
  const account = await createAccount(srv, adminToken, { username, role: 'venue_owner', unit_code: unit });
  return { account, token: await srv.login(username, PASSWORD) };
}

/** Registers a venue as `ownerToken`, approves it as `officialToken` unless approve is false. */
async function venue(srv, ownerToken, officialToken, over = {}, approve = true) {
  let r = await srv.api('POST', '/api/v1/venues', {
    token: ownerToken,
    body: {
      name: 'Quán Cà Phê Giảng', type: 'cafe', commune_code: '00001', street: '39 Nguyễn Hữu Huân',
      capacity: 40, ...over,
    },
  });
  assertStatus(r, 201, 'venue');
  const v = r.json;
  if (approve) {
    r = await srv.api('POST', `/api/v1/venues/${v.id}/approve`, { token: officialToken });
    assertStatus(r, 200, 'approve');
    const approved = r.json.id ? r.json : { ...v, status: 'approved' };
    approved.ownerToken = ownerToken;
    r = await srv.api('GET', `/api/v1/venues/${v.id}`, { token: ownerToken });
    assertStatus(r, 200, 'venue poster url');
    approved.sig = posterSig(r.json.poster_url);
    venueSigs.set(approved.code, approved.sig);
    return approved;
  }
  return v;
}

/** The venue_sig a poster URL carries (.../c/CODE?k=KID&s=SIG -> "KID.SIG"). */
function posterSig(url) {
  const u = new URL(url);
  return `${u.searchParams.get('k')}.${u.searchParams.get('s')}`;
}

// Signatures of the venues made here, by code: what a phone reads from the poster.
const venueSigs = new Map();

/** body with the poster's venue_sig added, unless body says venue_sig itself (even undefined). */
function withSig(body) {
  if (!body || typeof body !== 'object' || 'venue_sig' in body || !venueSigs.has(body.venue_code)) return body;
  return { ...body, venue_sig: venueSigs.get(body.venue_code) };
}

/** Row count of a table through `cordon db stats`. */
function rows(srv, table) {
  const t = srv.dbStats().tables[table];
  assert.ok(t, `no table ${table} in db stats`);
  return t.rows;
}

module.exports = { freshPhone, clientId, vnDate, citizenLogin, addFamily, venueOwner, venue, rows, posterSig, withSig };
