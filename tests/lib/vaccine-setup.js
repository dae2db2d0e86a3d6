'use strict';
// Helpers for the vaccination tests: a site's day set up through the API (a commune official, a
// vaccinator, a site, a session, a registered person with a booked seat and a QR card), a whole
// visit (check-in, screening, dose) through the API, and the EU DCC pieces a test needs to make
// its own certificates: base45, a small CBOR encoder, COSE_Sign1 with ES256 from node:crypto.

const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const zlib = require('node:zlib');
const { UNITS, createAccount, uniqueName, PASSWORD } = require('./fixtures');
const { vnToday } = require('./vn-time');

let seq = 0;
const cid = (p = 'c') => `${p}-${process.pid}-${Date.now() % 100000}-${++seq}`;

const vnDay = vnToday;

function ok(r, status, what) {
  assert.equal(r.status, status, `${what}: ${r.status} ${r.text.slice(0, 400)}`);
  return r.json;
}

/**
 * A site's day in Phúc Xá: a commune official, a vaccinator, a site with Pfizer capacity, today's
 * session, and a person registered (priority group "general") with a confirmed seat.
 * Answers { official, officialToken, vaccinator, vaccinatorToken, password, site, session, person, appointment }.
 */
async function siteDay(srv, adminToken, { person: personFields = {}, capacity = 10 } = {}) {
  const official = await createAccount(srv, adminToken, { username: uniqueName('xa.tiem'), role: 'commune_admin', unit_code: UNITS.phucXa });
  const vaccinator = await createAccount(srv, adminToken, { username: uniqueName('tiem'), role: 'vaccinator', unit_code: UNITS.phucXa, full_name: 'Y sĩ Trần Thị Tiêm' });
  const officialToken = await srv.login(official.username, PASSWORD);
  const vaccinatorToken = await srv.login(vaccinator.username, PASSWORD);
  const site = ok(await srv.api('POST', '/api/v1/vaccine/sites', {
    token: officialToken,
    body: { client_id: cid('site'), name: 'Trạm Y tế phường Phúc Xá', address: '1 Phúc Xá', commune_code: UNITS.phucXa, capacity: { pfizer: 200 } },
  }), 201, 'site');
  const session = ok(await srv.api('POST', '/api/v1/vaccine/sessions', {
    token: officialToken,
    body: { client_id: cid('ses'), site_id: site.id, product: 'pfizer', date: vnDay(), start: '00:00', end: '23:30', capacity },
  }), 201, 'session');
  const created = ok(await srv.api('POST', '/api/v1/people', {
    token: officialToken,
    body: { full_name: 'Nguyễn Thị Hồng Nhung', date_of_birth: '1978-06-21', sex: 'female', commune_code: UNITS.phucXa, street: '12 Phúc Xá', ...personFields },
  }), 201, 'person');
  const person = created.person || created;
  ok(await srv.api('POST', '/api/v1/vaccine/registrations', {
    token: officialToken, body: { client_id: cid('reg'), person_id: person.id, priority_group: 'general' },
  }), 201, 'registration');
  const appointment = ok(await srv.api('POST', '/api/v1/vaccine/bookings', {
    token: officialToken, body: { client_id: cid('book'), person_id: person.id, session_id: session.id },
  }), 201, 'booking');
  return { official, officialToken, vaccinator, vaccinatorToken, password: PASSWORD, site, session, person, appointment };
}

/** Check-in by person id, screening all "no", one Pfizer dose: answers { visit, dose, certificate } (certificate with hc1). */
async function vaccinate(srv, day) {
  const visit = ok(await srv.api('POST', '/api/v1/vaccine/checkins', {
    token: day.vaccinatorToken, body: { client_id: cid('ck'), site_id: day.site.id, person_id: day.person.id },
  }), 201, 'check-in');
  const answers = Object.fromEntries(visit.checklist.map((c) => [c.code, false]));
  ok(await srv.api('POST', `/api/v1/vaccine/visits/${visit.id}/screening`, { token: day.vaccinatorToken, body: { answers } }), 200, 'screening');
  const dose = ok(await srv.api('POST', '/api/v1/vaccine/doses', {
    token: day.vaccinatorToken, body: { client_id: cid('dose'), visit_id: visit.id, product: 'pfizer', lot: 'FK0108' },
  }), 201, 'dose');
  const certificate = ok(await srv.api('GET', `/api/v1/vaccine/certificates/${dose.certificate_id}`, { token: day.vaccinatorToken }), 200, 'certificate');
  return { visit, dose, certificate };
}

/* ---------------------------------------------------------------- DCC pieces */

const B45 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';

function base45Encode(buf) {
  let out = '';
  for (let i = 0; i < buf.length; i += 2) {
    if (i + 1 < buf.length) {
      let x = buf[i] * 256 + buf[i + 1];
      const c = x % 45; x = (x - c) / 45;
      const d = x % 45; const e = (x - d) / 45;
      out += B45[c] + B45[d] + B45[e];
    } else {
      const x = buf[i];
      out += B45[x % 45] + B45[Math.floor(x / 45)];
    }
  }
  return out;
}

function base45Decode(s) {
  const out = [];
  for (let i = 0; i < s.length; i += 3) {
    const v = [...s.slice(i, i + 3)].map((ch) => B45.indexOf(ch));
    if (v.some((x) => x < 0) || v.length === 1) throw new Error('not base45'); // a lone last character is not base45
    if (v.length === 3) {
      const x = v[0] + v[1] * 45 + v[2] * 2025;
      if (x > 0xffff) throw new Error('not base45');
      out.push(x >> 8, x & 0xff);
    } else {
      if (v[0] + v[1] * 45 > 0xff) throw new Error('not base45');
      out.push(v[0] + v[1] * 45);
    }
  }
  return Buffer.from(out);
}

/** Minimal CBOR encoder: integers, strings, Buffers (bytes), arrays, Maps/objects, {tag, value}. */
function cbor(v) {
  const head = (major, n) => {
    if (n < 24) return Buffer.from([(major << 5) | n]);
    if (n < 0x100) return Buffer.from([(major << 5) | 24, n]);
    if (n < 0x10000) { const b = Buffer.alloc(3); b[0] = (major << 5) | 25; b.writeUInt16BE(n, 1); return b; }
    if (n < 0x100000000) { const b = Buffer.alloc(5); b[0] = (major << 5) | 26; b.writeUInt32BE(n, 1); return b; }
    const b = Buffer.alloc(9); b[0] = (major << 5) | 27; b.writeBigUInt64BE(BigInt(n), 1); return b;
  };
  if (typeof v === 'number' && Number.isInteger(v)) return v >= 0 ? head(0, v) : head(1, -1 - v);
  if (typeof v === 'string') { const b = Buffer.from(v, 'utf8'); return Buffer.concat([head(3, b.length), b]); }
  if (Buffer.isBuffer(v)) return Buffer.concat([head(2, v.length), v]);
  if (Array.isArray(v)) return Buffer.concat([head(4, v.length), ...v.map(cbor)]);
  if (v && typeof v === 'object' && 'tag' in v && 'value' in v) return Buffer.concat([head(6, v.tag), cbor(v.value)]);
  if (v instanceof Map) return Buffer.concat([head(5, v.size), ...[...v].flatMap(([k, x]) => [cbor(k), cbor(x)])]);
  if (v && typeof v === 'object') {
    const e = Object.entries(v);
    return Buffer.concat([head(5, e.length), ...e.flatMap(([k, x]) => [cbor(k), cbor(x)])]);
  }
  throw new Error(`cbor: cannot encode ${v}`);
}

/**
 * A signer of our own: a P-256 key; kid = first 8 bytes of SHA-256 of its SubjectPublicKeyInfo DER.
 * trustEntry() is its {kid base64: SPKI base64} line for a trust file.
 */
function makeSigner() {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const kid = crypto.createHash('sha256').update(spki).digest().subarray(0, 8);
  return { privateKey, spki, kid, trustEntry: () => ({ [kid.toString('base64')]: spki.toString('base64') }) };
}

/** "HC1:..." for a DCC payload signed by signer (ES256), with the claims given (iat/exp epoch seconds). */
function makeHc1(signer, payload, { iat, exp, iss = 'XA', kid = signer.kid, tamper = false } = {}) {
  const claims = new Map([[1, iss], [6, iat], [4, exp], [-260, new Map([[1, payload]])]]);
  const protectedHdr = cbor(new Map([[1, -7], [4, kid]]));
  const body = cbor(claims);
  const tbs = cbor(['Signature1', protectedHdr, Buffer.alloc(0), body]);
  const sig = crypto.sign('sha256', tbs, { key: signer.privateKey, dsaEncoding: 'ieee-p1363' });
  if (tamper) sig[5] ^= 0x40;
  const cose = cbor({ tag: 18, value: [protectedHdr, new Map(), body, sig] });
  return `HC1:${base45Encode(zlib.deflateSync(cose))}`;
}

/** The COSE bytes inside an HC1 string. */
function hc1ToCose(hc1) {
  return zlib.inflateSync(base45Decode(hc1.slice(4)));
}

/** An HC1 string for given COSE (or any) bytes. */
function coseToHc1(bytes) {
  return `HC1:${base45Encode(zlib.deflateSync(bytes))}`;
}

module.exports = {
  cid, vnDay, siteDay, vaccinate, base45Encode, base45Decode, cbor, makeSigner, makeHc1, hc1ToCose, coseToHc1,
};
