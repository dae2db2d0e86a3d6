'use strict';
// Test data for the tracing and quarantine browser tests, made through the API as the product
// is used: a tracer and a commune official at Phường Phúc Xá, venues where several people
// check in at the same time, a confirmed case entered by the tracer and a tracing run; a
// citizen with a home quarantine order at a known place. Also a camera video made from any
// PNG (the notes' recipe), and staff sign-in through the page.

const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const { createAccount, UNITS, PASSWORD } = require('./fixtures');
const { clientId, vnDate, venueOwner, venue } = require('./checkin');
const { uniqueCccd, uniquePhone, createPerson, citizenWithProfile } = require('./people');

const now = () => Math.floor(Date.now() / 1000);
const today = () => vnDate(now());

async function ok(r, status, what) {
  assert.ok(Array.isArray(status) ? status.includes(r.status) : r.status === status,
    `${what}: ${r.status} ${r.text.slice(0, 300)}`);
  return r.json;
}

/** A staff account at `unit` with `role`: { account, token }. */
async function staff(srv, adminToken, username, role, unit) {
  const account = await createAccount(srv, adminToken, { username, role, unit_code: unit, full_name: 'Lê Thị Truy Vết' });
  return { account, token: await srv.login(username, PASSWORD), username, password: PASSWORD };
}

/** A person registered by staff at Phúc Xá with a CCCD and a phone: the person with .cccd. */
async function person(srv, token, fullName, fields = {}) {
  const cccd = uniqueCccd();
  const res = await createPerson(srv, token, {
    full_name: fullName, cccd, commune_code: UNITS.phucXa, street: '15 Phó Đức Chính', phone: uniquePhone('91'), ...fields,
  });
  return { ...(res.person || res), cccd };
}

async function checkin(srv, ownerToken, venueId, cccd) {
  await ok(await srv.api('POST', `/api/v1/venues/${venueId}/checkins`, {
    token: ownerToken, body: { client_id: clientId(), cccd },
  }), [200, 201], 'venue check-in');
}

/**
 * A traced case: F0 and A check in at the noodle shop, A and B at the café, C at the noodle
 * shop too (all now, so their stays overlap); the tracer enters F0 as a confirmed case and
 * runs the tracing. F1 = A and C (the shop), F2 = B (through A at the café).
 * Answers { adminToken, tracer, official, people: {f0, a, b, c}, venues: {shop, cafe}, caseId, run }.
 */
async function tracedCase(srv, { suffix = '' } = {}) {
  const adminToken = await srv.login(srv.adminUsername, srv.adminPassword);
  const tracer = await staff(srv, adminToken, `truy.vet${suffix}`, 'tracer', UNITS.phucXa);
  const official = await staff(srv, adminToken, `tram.yte${suffix}`, 'commune_admin', UNITS.phucXa);
  const owner = await venueOwner(srv, adminToken, `chu.quan.tv${suffix}`, UNITS.phucXa);
  const shop = await venue(srv, owner.token, official.token, { name: 'Phở Lý Quốc Sư', type: 'restaurant' });
  const cafe = await venue(srv, owner.token, official.token, { name: 'Cà Phê Giảng', type: 'cafe' });
  const people = {
    f0: await person(srv, tracer.token, 'Nguyễn Văn Không'),
    a: await person(srv, tracer.token, 'Trần Thị Một'),
    b: await person(srv, tracer.token, 'Lê Văn Hai'),
    c: await person(srv, tracer.token, 'Phạm Thị Ba'),
  };
  await checkin(srv, owner.token, shop.id, people.f0.cccd);
  await checkin(srv, owner.token, shop.id, people.a.cccd);
  await checkin(srv, owner.token, shop.id, people.c.cccd);
  await checkin(srv, owner.token, cafe.id, people.a.cccd);
  await checkin(srv, owner.token, cafe.id, people.b.cccd);
  const kase = await ok(await srv.api('POST', '/api/v1/tracing/cases', {
    token: tracer.token, body: { client_id: clientId(), person_id: people.f0.id, test_date: today(), isolated_date: today() },
  }), 201, 'case');
  const run = await ok(await srv.api('POST', '/api/v1/tracing/runs', {
    token: tracer.token, body: { case_ids: [kase.id] },
  }), [200, 201], 'run');
  return { adminToken, tracer, official, people, venues: { shop, cafe }, caseId: kase.id, run: run.runs[0] };
}

// The quarantine place: Phúc Xá, Ba Đình.
const HOME = { latitude: 21.0455, longitude: 105.8470 };

/**
 * A citizen with a completed profile at Phúc Xá and a home quarantine order (radius 100 m,
 * three check-ins a day) made by a tracer. Answers { adminToken, tracer, official, citizen:
 * {token, person, phone}, order }.
 */
async function quarantinedCitizen(srv, { suffix = '' } = {}) {
  const adminToken = await srv.login(srv.adminUsername, srv.adminPassword);
  const tracer = await staff(srv, adminToken, `qt.truy.vet${suffix}`, 'tracer', UNITS.phucXa);
  const official = await staff(srv, adminToken, `qt.tram.yte${suffix}`, 'commune_admin', UNITS.phucXa);
  const phone = uniquePhone('97');
  const c = await citizenWithProfile(srv, adminToken, phone, { full_name: 'Đỗ Thị Cách Ly', commune_code: UNITS.phucXa, street: '12 Phúc Xá' });
  const order = await ok(await srv.api('POST', '/api/v1/quarantine/orders', {
    token: tracer.token,
    body: {
      client_id: clientId(), person_id: c.person.id, kind: 'home', address: '12 Phúc Xá, Ba Đình',
      lat: HOME.latitude, lon: HOME.longitude, days: 14, checkins_per_day: 3, radius_m: 100, grace_minutes: 30,
    },
  }), 201, 'quarantine order');
  return { adminToken, tracer, official, citizen: { ...c, phone }, order };
}

/** A point `metres` north of `p` (one degree of latitude is about 111.2 km). */
function north(p, metres) {
  return { latitude: p.latitude + metres / 111195, longitude: p.longitude };
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'buffer', timeout: 60000 });
  if (r.error || r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.error ? r.error.message : r.stderr.toString()}`);
  return r.stdout;
}

/**
 * A camera video from a PNG, as the notes say: a PNG (ffmpeg's test card, standing in for a
 * face) padded to 640x480 and written as a one-frame 4:2:0 Y4M that Chromium loops.
 */
function cameraFromPng(pngFile, y4mFile) {
  run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=400x400:rate=1', '-frames:v', '1', pngFile]);
  run('ffmpeg', ['-v', 'error', '-y', '-i', pngFile, '-frames:v', '1', '-vf',
    'scale=400:400:flags=neighbor,pad=640:480:(ow-iw)/2:(oh-ih)/2:color=white,format=yuv420p', '-r', '10', y4mFile]);
  return y4mFile;
}

/** Signs a staff member in through the page. */
async function staffSignIn(page, baseUrl, username, password = PASSWORD) {
  await page.goto(`${baseUrl}/#/login`);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
}

/**
 * `cases` confirmed cases and `others` people of Phúc Xá, all checked in now at a venue of their
 * own, so that each case has every other one of them as F1: a batch whose writing takes far longer
 * than a request (some 200 contacts a run).  Answers the case ids.
 */
async function crowdedCases(srv, { admin, tracer, owner, official, name, cases = 100, others = 100 }) {
  const shop = await venue(srv, owner, official, { name: `Chợ ${name}`, type: 'restaurant' });
  const ids = [];
  for (let i = 0; i < cases + others; i++) {
    const cccd = uniqueCccd();
    const p = (await createPerson(srv, admin, {
      cccd, commune_code: UNITS.phucXa,
      full_name: `${name} Văn ${String.fromCharCode(65 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))}`,
    })).person;
    const r = await srv.api('POST', `/api/v1/venues/${shop.id}/checkins`, { token: owner, body: { client_id: clientId(), cccd } });
    assert.ok(r.status === 201 || r.status === 200, r.text);
    if (i >= cases) continue;
    const c = await srv.api('POST', '/api/v1/tracing/cases', {
      token: tracer, body: { client_id: clientId(), person_id: p.id, test_date: today() },
    });
    assert.equal(c.status, 201, c.text);
    ids.push(c.json.id);
  }
  return ids;
}

// A queued run as its writer left it.  GET /tracing/runs reads what runs write, so the server waits
// for its run writer first (and would say in Cordon-Runs-Behind that it could not).  call is
// srv.api or a function of the same arguments.
async function writtenRun(call, token, caseId, runId) {
  const r = await call('GET', `/api/v1/tracing/runs?case_id=${caseId}`, { token });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers.get('cordon-runs-behind'), null, 'the run writer is not behind');
  const run = r.json.runs.find((x) => x.id === runId);
  assert.ok(run && !run.pending, `run ${runId} written: ${r.text}`);
  return run;
}

module.exports = { staff, person, checkin, tracedCase, crowdedCases, writtenRun, quarantinedCitizen, cameraFromPng, staffSignIn, north, HOME, today, clientId };
