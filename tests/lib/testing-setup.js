'use strict';
// Test data for the Platform 2 browser tests (sample collection, lab, results), made through
// the API as the product is used: the national admin creates a sampler and an official at
// Phường Phúc Xá and a lab account at Quận Ba Đình; the official opens a sampling site and a
// session sent to the Ba Đình lab with the sampler assigned; the sampler is issued tubes.
// Also: camera videos of several QR codes shown one after another (one browser launch).

const assert = require('node:assert/strict');
const { vnToday } = require('./vn-time');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { createAccount, UNITS, PASSWORD } = require('./fixtures');
const { qrPngToY4m, download } = require('./browser');

let seq = 0;
/** A client id the server accepts (8–64 of A-Z a-z 0-9 _ -), unique in this process. */
function cid(prefix = 'c') {
  seq += 1;
  return `${prefix}-${process.pid}-${seq}-${Date.now() % 100000}`;
}

let cccdSeq = 0;
/** A fresh valid CCCD (province 001, born in the 1900s). */
function uniqueCccd() {
  cccdSeq += 1;
  return `0011${String((process.pid * 1000 + cccdSeq) % 100000000).padStart(8, '0')}`;
}

async function ok(r, status, what) {
  assert.equal(r.status, status, `${what}: ${r.status} ${r.text.slice(0, 300)}`);
  return r.json;
}

/**
 * Accounts, a site and a session. opts: testType (rt_pcr), poolSize, tubes (how many to issue),
 * suffix (for usernames when called twice on one server).
 * Answers { adminToken, officialToken, samplerToken, labToken, sampler, official, lab, site,
 *           session, tubes: [codes], batchId }.
 */
async function testingSession(srv, opts = {}) {
  const sfx = opts.suffix || '';
  const adminToken = await srv.login(srv.adminUsername, srv.adminPassword);
  const mk = (username, role, unit, full_name) => createAccount(srv, adminToken, { username, role, unit_code: unit, full_name });
  const official = await mk(`xa.yte${sfx}`, 'commune_admin', UNITS.phucXa, 'Lê Thị Xã');
  const sampler = await mk(`lay.mau${sfx}`, 'sampler', UNITS.phucXa, 'Đỗ Văn Mẫu');
  const lab = await mk(`xet.nghiem${sfx}`, 'lab', UNITS.baDinh, 'Vũ Thị Lab');
  const officialToken = await srv.login(official.username, PASSWORD);
  const samplerToken = await srv.login(sampler.username, PASSWORD);
  const labToken = await srv.login(lab.username, PASSWORD);

  const site = await ok(await srv.api('POST', '/api/v1/testing/sites', {
    token: officialToken, body: { client_id: cid('site'), name: 'Nhà văn hoá tổ 5', address: '5 Hàng Bún', commune_code: UNITS.phucXa },
  }), 201, 'site');
  const body = {
    client_id: cid('sess'), site_id: site.id, date: opts.date || todayVn(), team: opts.team || 'Tổ 1',
    test_type: opts.testType || 'rt_pcr', lab_unit_code: UNITS.baDinh, samplers: [sampler.id],
  };
  if (opts.poolSize) body.pool_size = opts.poolSize;
  const session = await ok(await srv.api('POST', '/api/v1/testing/sessions', { token: officialToken, body }), 201, 'session');
  const issued = await ok(await srv.api('POST', `/api/v1/testing/sessions/${session.id}/tubes`, {
    token: samplerToken, body: { client_id: cid('tubes'), count: opts.tubes || 4 },
  }), 201, 'tubes');
  return {
    adminToken, officialToken, samplerToken, labToken, sampler, official, lab, site, session,
    tubes: issued.tubes, batchId: issued.batch_id, password: PASSWORD,
  };
}

const todayVn = () => vnToday();

/** Registers a person as staff (token); answers the person. */
async function newPerson(srv, token, fields = {}) {
  const r = await srv.api('POST', '/api/v1/people', {
    token,
    body: { full_name: 'Phạm Thị Khách', date_of_birth: '1985-02-03', sex: 'female', commune_code: UNITS.phucXa, street: '5 Hàng Bún', ...fields },
  });
  assert.ok(r.status === 201 || r.status === 200, `create person: ${r.status} ${r.text}`);
  return r.json.person || r.json;
}

/** The samples the server holds for a session, read through the manifest (as `token`). */
async function manifest(srv, token, sessionId) {
  return ok(await srv.api('GET', `/api/v1/testing/sessions/${sessionId}/manifest`, { token }), 200, 'manifest');
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'buffer', maxBuffer: 256 * 1024 * 1024, timeout: 60000 });
  if (r.error || r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.error ? r.error.message : r.stderr.toString()}`);
  return r.stdout;
}

/**
 * The first tube label of a session's label sheet as a PNG: the sheet's first page rendered at
 * 150 dpi, cropped to the top-left label's QR code (labels are 70 x 37 mm, the code 31 mm at
 * 3 mm from the corner). Answers the PNG file.
 */
async function firstLabelPng(srv, token, sessionId, dir, batchId) {
  const q = batchId ? `?batch=${batchId}` : '';
  const pdf = await download(srv, `/api/v1/testing/sessions/${sessionId}/labels.pdf${q}`, token, path.join(dir, 'labels.pdf'));
  const base = path.join(dir, 'label');
  run('pdftoppm', ['-png', '-r', '150', '-x', '0', '-y', '0', '-W', '210', '-H', '215', '-singlefile', pdf, base]);
  return `${base}.png`;
}

/**
 * A camera video that shows several QR codes in turn, each for `seconds` (Chromium loops the
 * file): each PNG becomes a one-frame Y4M, then the frames are repeated and joined.
 * Answers what each code says.
 */
function qrSequenceY4m(pngFiles, y4mFile, seconds = 2) {
  const dir = path.dirname(y4mFile);
  const parts = [];
  const texts = [];
  pngFiles.forEach((png, i) => {
    const one = path.join(dir, `seq-${i}.y4m`);
    texts.push(qrPngToY4m(png, one));
    parts.push(one);
  });
  // Each one-frame still is repeated to last `seconds` at 10 frames a second; 4:2:0 as Chromium wants.
  const inputs = [];
  const filters = [];
  parts.forEach((p, i) => {
    inputs.push('-stream_loop', String(Math.max(0, Math.round(seconds * 10) - 1)), '-i', p);
    filters.push(`[${i}:v]`);
  });
  run('ffmpeg', ['-v', 'error', '-y', ...inputs, '-filter_complex',
    `${filters.join('')}concat=n=${parts.length}:v=1:a=0,format=yuv420p[v]`, '-map', '[v]', '-r', '10', '-f', 'yuv4mpegpipe', y4mFile]);
  return texts;
}

module.exports = { testingSession, newPerson, manifest, firstLabelPng, qrSequenceY4m, cid, uniqueCccd, todayVn };
