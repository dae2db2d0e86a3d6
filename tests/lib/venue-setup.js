'use strict';
// Test data for the check-in browser tests, made through the API as the product is used:
// the national admin creates a venue owner at Phường Phúc Xá, the owner registers a venue,
// a commune official approves it.

const assert = require('node:assert/strict');
const { createAccount, UNITS } = require('./fixtures');

const PASSWORD = 'Mat-khau-Manh-2021';

async function loginAs(srv, username) {
  return srv.login(username, PASSWORD);
}

/** Answers { adminToken, ownerToken, officialToken, owner, venue } with the venue approved. */
async function approvedVenue(srv, { name = 'Quán Phở Phúc Xá', suffix = '' } = {}) {
  const adminToken = await srv.login(srv.adminUsername, srv.adminPassword);
  const owner = await createAccount(srv, adminToken, {
    username: `chu.quan${suffix}`, role: 'venue_owner', unit_code: UNITS.phucXa, full_name: 'Trần Văn Chủ',
  });
  await createAccount(srv, adminToken, {
    username: `xa.phuc.xa${suffix}`, role: 'commune_admin', unit_code: UNITS.phucXa, full_name: 'Lê Thị Xã',
  });
  const ownerToken = await loginAs(srv, owner.username);
  const officialToken = await loginAs(srv, `xa.phuc.xa${suffix}`);
  const created = await srv.api('POST', '/api/v1/venues', {
    token: ownerToken,
    body: { name, type: 'restaurant', commune_code: UNITS.phucXa, street: '12 Phó Đức Chính', capacity: 40 },
  });
  assert.equal(created.status, 201, `create venue: ${created.status} ${created.text}`);
  const id = created.json.id ?? created.json.venue?.id;
  const ok = await srv.api('POST', `/api/v1/venues/${id}/approve`, { token: officialToken });
  assert.equal(ok.status, 200, `approve: ${ok.status} ${ok.text}`);
  const got = await srv.api('GET', `/api/v1/venues/${id}`, { token: ownerToken });
  assert.equal(got.status, 200);
  const venue = got.json.venue || got.json;
  assert.equal(venue.status, 'approved');
  return { adminToken, ownerToken, officialToken, owner, venue };
}

module.exports = { approvedVenue, PASSWORD };
