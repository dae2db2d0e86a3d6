'use strict';
// A check-in allocates nothing on the request's thread outside its arena: the server runs with a
// preloaded allocation counter (tests/support/alloc_count.c), anonymous check-ins are posted one
// after another over one keep-alive connection, and the heap allocations of the request threads
// are counted over the second half of them.  What is left is microhttpd's own: the response object
// and its copy of each header.  The writer thread's allocations per check-in (SQLite's) are
// printed, not bounded.  Not on a sanitizer build, whose runtime replaces the allocator.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { startServer, BIN } = require('../lib/server');
const { UNITS } = require('../lib/fixtures');
const { freshPhone, clientId, venueOwner, venue, withSig } = require('../lib/checkin');

const buildDir = path.dirname(BIN);
const sanitizer = /CORDON_SANITIZE:BOOL=ON/.test(fs.readFileSync(path.join(buildDir, 'CMakeCache.txt'), 'utf8'));
const shim = path.join(buildDir, 'tests', 'support', 'liballoc_count.so');
// microhttpd 0.9 allocates the response object, and for each header the server adds an entry and
// copies of its name and value; the headers it writes itself (Date, Content-Length, Connection)
// go into the connection's own pool.
const MHD_OWN = new Set(['date', 'content-length', 'connection', 'keep-alive']);
const mhdPerAnswer = (rawHeaders) => {
  const added = new Set();
  for (let i = 0; i < rawHeaders.length; i += 2) if (!MHD_OWN.has(rawHeaders[i].toLowerCase())) added.add(rawHeaders[i].toLowerCase());
  return 1 + 3 * added.size;
};

let srv;
let tmp;
let countFile;
let code;

before(async () => {
  if (sanitizer) return;
  assert.ok(fs.existsSync(shim), `${shim} is built with the server`);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-alloc-'));
  countFile = path.join(tmp, 'counts');
  srv = await startServer({ env: { LD_PRELOAD: shim, ALLOC_COUNT_FILE: countFile } });
  const admin = await srv.login(srv.adminUsername, srv.adminPassword);
  const owner = await venueOwner(srv, admin, 'chu.quan.dem', UNITS.phucXa);
  code = (await venue(srv, owner.token, admin)).code; // the national admin approves it
});

after(async () => {
  if (srv) await srv.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** Allocations so far by thread name (threads of one name summed). */
async function counts() {
  fs.rmSync(countFile, { force: true });
  srv.proc.kill('SIGUSR2');
  // the counter writes the file under another name and renames it: once there, it is whole
  for (let i = 0; i < 100 && !fs.existsSync(countFile); i++) await new Promise((r) => setTimeout(r, 20));
  const by = {};
  for (const line of fs.readFileSync(countFile, 'utf8').trim().split('\n')) {
    const [name, n] = line.split(' ');
    by[name] = (by[name] || 0) + Number(n);
  }
  return by;
}

function post(agent, body) {
  const data = Buffer.from(JSON.stringify(body));
  const u = new URL(srv.url);
  return new Promise((resolve, reject) => {
    const req = http.request({ agent, host: u.hostname, port: u.port, path: '/api/v1/checkins', method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': data.length } }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode, text, rawHeaders: res.rawHeaders }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

test('a check-in allocates nothing on its request thread but microhttpd\'s answer', { skip: sanitizer && 'a sanitizer build replaces the allocator' }, async () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let mhd = 0;
  const checkIn = async () => {
    const r = await post(agent, withSig({ client_id: clientId(), venue_code: code, phone: freshPhone(), full_name: 'Trần Thị Đếm' }));
    assert.equal(r.status, 201, r.text);
    mhd = Math.max(mhd, mhdPerAnswer(r.rawHeaders));
  };
  for (let i = 0; i < 100; i++) await checkIn(); // the thread's spare request, the caches, the writer's statements
  const was = await counts();
  const N = 200;
  for (let i = 0; i < N; i++) await checkIn();
  const now = await counts();
  agent.destroy();
  const per = (name) => ((now[name] || 0) - (was[name] || 0)) / N;
  const requestThreads = Object.keys(now).filter((n) => /^MHD/.test(n));
  assert.ok(requestThreads.length > 0, `request threads among ${Object.keys(now).join(', ')}`);
  const onRequestThreads = requestThreads.reduce((sum, n) => sum + per(n), 0);
  console.log(`allocations per check-in: request threads ${onRequestThreads.toFixed(2)} (microhttpd's answer ${mhd}),` +
    ` writer ${per('checkin-writer').toFixed(2)} (one check-in a commit)`);
  assert.ok(mhd >= 4 && mhd <= 40, `microhttpd's share ${mhd}`);
  assert.ok(onRequestThreads <= mhd,
    `request threads allocate ${onRequestThreads.toFixed(2)} times per check-in; microhttpd's answer is ${mhd}`);
});
