'use strict';
// Graceful shutdown and restart: SIGTERM lets in-flight requests finish and exits 0; a restart
// (after SIGTERM or even SIGKILL) finds every acknowledged write, sessions included.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const { startServer } = require('../lib/server');
const { UNITS, PASSWORD, createAccount } = require('../lib/fixtures');

let srv;
let adminToken;
let kept;          // an account created before the first shutdown
let keptToken;     // a session of it

before(async () => {
  srv = await startServer();
  adminToken = await srv.login(srv.adminUsername, srv.adminPassword);
  kept = await createAccount(srv, adminToken, { username: 'ben.vung', role: 'sampler', unit_code: UNITS.phucXa });
  keptToken = await srv.login('ben.vung', PASSWORD);
});
after(async () => { if (srv) await srv.stop(); });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Parses a raw HTTP/1.1 response (Content-Length, chunked or close-delimited). */
function parseRawResponse(buf) {
  const text = buf.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const head = text.slice(0, end).split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(head[0]);
  if (!m) return null;
  const headers = {};
  for (const h of head.slice(1)) {
    const i = h.indexOf(':');
    headers[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1).trim();
  }
  let body = buf.subarray(end + 4);
  if (/chunked/i.test(headers['transfer-encoding'] || '')) {
    const parts = [];
    let rest = body;
    for (;;) {
      const s = rest.toString('latin1');
      const le = s.indexOf('\r\n');
      if (le < 0) return null;
      const size = parseInt(s.slice(0, le), 16);
      if (Number.isNaN(size)) return null;
      if (size === 0) break;
      if (rest.length < le + 2 + size) return null;
      parts.push(rest.subarray(le + 2, le + 2 + size));
      rest = rest.subarray(le + 2 + size + 2);
    }
    body = Buffer.concat(parts);
  } else if (headers['content-length'] !== undefined) {
    const n = Number(headers['content-length']);
    if (body.length < n) return null;
    body = body.subarray(0, n);
  }
  return { status: Number(m[1]), headers, body: body.toString('utf8') };
}

/**
 * Sends the head and the first part of a POST, resolves `sent` once written; the caller then
 * calls finish() to send the rest. `done` resolves with the raw answer bytes when the server
 * closes the connection.
 */
function startSlowPost(port, urlPath, bodyText) {
  const sock = net.connect(port, '127.0.0.1');
  const chunks = [];
  const body = Buffer.from(bodyText, 'utf8');
  const half = Math.floor(body.length / 2);
  const done = new Promise((resolve) => {
    sock.on('data', (d) => chunks.push(d));
    sock.on('error', (e) => resolve({ error: e, data: Buffer.concat(chunks) }));
    sock.on('close', () => resolve({ data: Buffer.concat(chunks) }));
  });
  const sent = new Promise((resolve) => {
    sock.on('connect', () => {
      sock.write(`POST ${urlPath} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\n`
        + `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n`);
      sock.write(body.subarray(0, half), resolve);
    });
  });
  return { sent, done, finish: () => sock.write(body.subarray(half)) };
}

test('SIGTERM lets in-flight requests finish, then exits 0', async () => {
  const proc = srv.proc;
  const exit = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() })));

  // A request that is in flight (head and half the body received) when SIGTERM arrives.
  const slow = startSlowPost(srv.port, '/api/v1/auth/login', JSON.stringify({ username: 'ben.vung', password: PASSWORD }));
  await slow.sent;

  // A stream of requests over several connections, running across the signal.
  let stopStream = false;
  let termAt = Infinity;
  const outcomes = [];
  const worker = async (i) => {
    const paths = ['/api/v1/units?parent=01', '/api/v1/units/search?q=an&limit=100', '/api/v1/auth/me'];
    while (!stopStream) {
      const p = paths[(outcomes.length + i) % paths.length];
      const startedAt = Date.now();
      try {
        const r = await srv.api('GET', p, { token: keptToken });
        outcomes.push({ p, startedAt, status: r.status, json: r.json !== null });
      } catch (e) {
        outcomes.push({ p, startedAt, error: String(e.cause || e) });
        await sleep(20);
      }
    }
  };
  const workers = [0, 1, 2, 3].map(worker);
  await sleep(400);
  termAt = Date.now();
  proc.kill('SIGTERM');
  await sleep(300);
  slow.finish();

  const result = await Promise.race([exit, sleep(20000).then(() => null)]);
  stopStream = true;
  await Promise.all(workers);
  assert.ok(result, `the server did not exit within 20 s after SIGTERM; stderr:\n${srv.stderr()}`);
  assert.equal(result.signal, null, 'exited by itself, not killed by the signal');
  assert.equal(result.code, 0, `exit code; stderr:\n${srv.stderr()}`);

  const answer = await slow.done;
  const parsed = parseRawResponse(answer.data);
  assert.ok(parsed, `the in-flight request got a complete answer: ${JSON.stringify(answer.data.toString('latin1').slice(0, 300))} ${answer.error || ''}`);
  assert.equal(parsed.status, 200, parsed.body);
  assert.equal(typeof JSON.parse(parsed.body).token, 'string');

  const before = outcomes.filter((o) => o.startedAt < termAt);
  assert.ok(before.length >= 10, `requests served before SIGTERM: ${before.length}`);
  for (const o of outcomes) {
    if (o.error) {
      assert.ok(o.startedAt >= termAt - 50, `a request failed before SIGTERM: ${JSON.stringify(o)}`);
    } else {
      assert.equal(o.status, 200, `every answered request succeeded: ${JSON.stringify(o)}`);
      assert.ok(o.json, `complete JSON: ${JSON.stringify(o)}`);
    }
  }
  srv.proc = null;
});

test('after a restart the data and the sessions are still there', async () => {
  await srv.restart();
  const me = await srv.api('GET', '/api/v1/auth/me', { token: keptToken });
  assert.equal(me.status, 200, `a session made before the restart survives: ${me.text}`);
  assert.equal(me.json.username, 'ben.vung');
  const g = await srv.api('GET', `/api/v1/accounts/${kept.id}`, { token: adminToken });
  assert.equal(g.status, 200, g.text);
  assert.deepEqual(g.json, kept);
  assert.equal(typeof (await srv.login('ben.vung', PASSWORD)), 'string');
});

test('an acknowledged write survives SIGKILL', async () => {
  const made = await createAccount(srv, adminToken, { username: 'ben.vung.2', role: 'tracer', unit_code: UNITS.phucXa });
  const p = await srv.api('PATCH', `/api/v1/accounts/${kept.id}`, { token: adminToken, body: { full_name: 'Vũ Bền Vững' } });
  assert.equal(p.status, 200, p.text);
  const k = await srv.kill();
  assert.equal(k.signal, 'SIGKILL');
  await srv.restart();
  const g = await srv.api('GET', `/api/v1/accounts/${made.id}`, { token: adminToken });
  assert.equal(g.status, 200, g.text);
  assert.equal(g.json.username, 'ben.vung.2');
  const g2 = await srv.api('GET', `/api/v1/accounts/${kept.id}`, { token: adminToken });
  assert.equal(g2.json.full_name, 'Vũ Bền Vững');
});

test('SIGTERM on an idle server exits 0 promptly', async () => {
  const t0 = Date.now();
  const res = await srv.stop();
  srv = null;
  assert.equal(res.timedOut, undefined, 'exited before the stop timeout');
  assert.equal(res.signal, null);
  assert.equal(res.code, 0);
  assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
});
