'use strict';
// Shared test data and assertions for the API tests.

const assert = require('node:assert/strict');

const ROLES = ['national_admin', 'province_admin', 'district_admin', 'commune_admin',
  'sampler', 'lab', 'vaccinator', 'tracer', 'checkpoint_officer', 'venue_owner'];
const ADMIN_ROLES = ROLES.slice(0, 4);
const OPERATIONAL_ROLES = ROLES.slice(4);

// Administrative units used by the tests (GSO codes, 2021 catalogue).
const UNITS = {
  nation: 'VN',
  hanoi: '01',            // Thành phố Hà Nội
  baDinh: '001',          // Quận Ba Đình, Hà Nội
  hoanKiem: '002',        // Quận Hoàn Kiếm, Hà Nội
  phucXa: '00001',        // Phường Phúc Xá, Ba Đình
  trucBach: '00004',      // Phường Trúc Bạch, Ba Đình
  hcm: '79',              // Thành phố Hồ Chí Minh
  quan1: '760',           // Quận 1, Hồ Chí Minh
  tanDinh: '26734',       // Phường Tân Định, Quận 1
};

// The unit where an account of each role sits in the Hà Nội tests.
const HANOI_UNIT_FOR_ROLE = {
  national_admin: UNITS.nation,
  province_admin: UNITS.hanoi,
  district_admin: UNITS.baDinh,
  commune_admin: UNITS.phucXa,
};
for (const r of OPERATIONAL_ROLES) HANOI_UNIT_FOR_ROLE[r] = UNITS.phucXa;

const PASSWORD = 'Mat-khau-Manh-2021';
const ACCOUNT_KEYS = ['id', 'username', 'full_name', 'role', 'unit_code', 'unit_name', 'phone', 'disabled', 'created_at'];

/** Creates an account through the API as `token`; asserts 201 and returns the account. */
async function createAccount(srv, token, fields) {
  const body = {
    password: PASSWORD,
    full_name: 'Nguyễn Văn Thử',
    ...fields,
  };
  const r = await srv.api('POST', '/api/v1/accounts', { token, body });
  assert.equal(r.status, 201, `create ${JSON.stringify(body)}: ${r.status} ${r.text}`);
  return r.json;
}

/** Asserts the contract's error shape: status, error.code and (when given) error.field. */
function assertError(r, status, code, field) {
  const what = `${r.status} ${r.text.slice(0, 300)}`;
  assert.equal(r.status, status, `status: ${what}`);
  assert.ok(r.json && typeof r.json === 'object' && r.json.error && typeof r.json.error === 'object',
    `error body: ${what}`);
  assert.equal(r.json.error.code, code, `error.code: ${what}`);
  assert.equal(typeof r.json.error.message, 'string', `error.message: ${what}`);
  if (field !== undefined) assert.equal(r.json.error.field, field, `error.field: ${what}`);
  const ct = r.headers.get('content-type') || '';
  assert.match(ct, /^application\/json/, `content-type of an error: ${ct}`);
}

/** Asserts that `r` has the given status, with the response in the message. */
function assertStatus(r, status, context = '') {
  assert.equal(r.status, status, `${context} ${r.status} ${r.text.slice(0, 300)}`.trim());
}

let seq = 0;
/** A fresh valid username with the given prefix. */
function uniqueName(prefix) {
  seq += 1;
  return `${prefix}.${process.pid % 10000}.${seq}`;
}

module.exports = {
  ROLES, ADMIN_ROLES, OPERATIONAL_ROLES, UNITS, HANOI_UNIT_FOR_ROLE, PASSWORD, ACCOUNT_KEYS,
  createAccount, assertError, assertStatus, uniqueName,
};
