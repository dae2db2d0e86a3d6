'use strict';
// Service endpoints: /healthz, /metrics, request ids, unknown routes and methods.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/server');
const { assertError, assertStatus } = require('../lib/fixtures');

let srv;
let token;

before(async () => {
  srv = await startServer();
  token = await srv.login(srv.adminUsername, srv.adminPassword);
});
after(async () => { if (srv) await srv.stop(); });

/**
 * Parses Prometheus text exposition format strictly: returns
 * {types: {family: type}, samples: [{name, labels, value}]}; throws on a malformed line.
 */
function parsePrometheus(text) {
  const types = {};
  const samples = [];
  const sampleRe = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+-?\d+)?$/;
  const labelRe = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"\s*(,|$)/y;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith('# TYPE ')) {
      const m = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
      if (!m) throw new Error(`bad TYPE line: ${line}`);
      types[m[1]] = m[2];
      continue;
    }
    if (line.startsWith('# HELP ')) {
      if (!/^# HELP [a-zA-Z_:][a-zA-Z0-9_:]*( .*)?$/.test(line)) throw new Error(`bad HELP line: ${line}`);
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = sampleRe.exec(line);
    if (!m) throw new Error(`bad sample line: ${line}`);
    const labels = {};
    if (m[3] !== undefined && m[3] !== '') {
      labelRe.lastIndex = 0;
      let pos = 0;
      const src = m[3];
      while (pos < src.length) {
        labelRe.lastIndex = pos;
        const lm = labelRe.exec(src);
        if (!lm) throw new Error(`bad labels in: ${line}`);
        labels[lm[1]] = lm[2].replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
        pos = labelRe.lastIndex;
      }
    }
    const v = m[4];
    if (!/^([-+]?(\d+\.?\d*([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?)|NaN|[-+]?Inf)$/.test(v)) {
      throw new Error(`bad value in: ${line}`);
    }
    const value = v === 'NaN' ? NaN : /Inf$/.test(v) ? (v.startsWith('-') ? -Infinity : Infinity) : Number(v);
    samples.push({ name: m[1], labels, value });
  }
  return { types, samples };
}

async function metrics() {
  const r = await srv.api('GET', '/metrics');
  assertStatus(r, 200, 'GET /metrics');
  assert.match(r.headers.get('content-type') || '', /^text\/plain/);
  return parsePrometheus(r.text);
}

/** The request counter family: a counter whose samples carry route and status labels. */
function requestCounter(m) {
  for (const [family, type] of Object.entries(m.types)) {
    if (type !== 'counter') continue;
    const s = m.samples.filter((x) => (x.name === family || x.name === `${family}_total`)
      && 'route' in x.labels && ('status' in x.labels || 'code' in x.labels));
    if (s.length) return s;
  }
  return null;
}
const statusOf = (s) => s.labels.status ?? s.labels.code;
const countFor = (samples, routeRe, status) => samples
  .filter((s) => routeRe.test(s.labels.route) && statusOf(s) === status)
  .reduce((a, s) => a + s.value, 0);
// The route label is the route's pattern, not the raw path (which would grow without bound).
const UNIT_ROUTE = /^\/api\/v1\/units\/(\{code\}|:code)$/;

test('GET /healthz answers ok with the store in use', async () => {
  const r = await srv.api('GET', '/healthz');
  assertStatus(r, 200);
  assert.match(r.headers.get('content-type') || '', /^application\/json; charset=utf-8$/i);
  assert.deepEqual(r.json, { status: 'ok', store: srv.store });
});

test('/metrics is Prometheus text with a request counter by route and status', async () => {
  for (const code of ['01', '79', '00001']) assertStatus(await srv.api('GET', `/api/v1/units/${code}`), 200);
  const m1 = await metrics();
  const c1 = requestCounter(m1);
  assert.ok(c1, `no counter with route and status labels in:\n${JSON.stringify(m1.types)}`);
  const n1 = countFor(c1, UNIT_ROUTE, '200');
  assert.ok(n1 >= 3, `GET /api/v1/units/{code} 200 count ${n1}: ${JSON.stringify(c1.map((s) => s.labels))}`);
  assert.ok(!c1.some((s) => s.labels.route === '/api/v1/units/01'), 'raw paths are not labels');

  assertStatus(await srv.api('GET', '/api/v1/units/66'), 200);
  assertError(await srv.api('GET', '/api/v1/units/99'), 404, 'not_found');
  const c2 = requestCounter(await metrics());
  assert.equal(countFor(c2, UNIT_ROUTE, '200'), n1 + 1, 'the counter grows by exactly the requests made');
  assert.ok(countFor(c2, UNIT_ROUTE, '404') >= 1, 'a 404 of a known route is counted under that route');
});

test('/healthz and /metrics are counted under their own routes', async () => {
  for (let i = 0; i < 3; i++) assertStatus(await srv.api('GET', '/healthz'), 200);
  const c = requestCounter(await metrics());
  assert.ok(countFor(c, /^\/healthz$/, '200') >= 3, `no route="/healthz" samples: ${JSON.stringify(c.map((s) => s.labels))}`);
  assert.ok(countFor(c, /^\/metrics$/, '200') >= 1, 'no route="/metrics" samples');
});

test('/metrics counts error statuses too', async () => {
  assertStatus(await srv.api('GET', '/api/v1/auth/me'), 401);
  const c = requestCounter(await metrics());
  assert.ok(c.some((s) => statusOf(s) === '401' && s.value >= 1),
    `no 401 sample: ${JSON.stringify(c.map((s) => s.labels))}`);
});

test('/metrics has a latency histogram with consistent buckets', async () => {
  const m = await metrics();
  const families = Object.entries(m.types).filter(([, t]) => t === 'histogram').map(([f]) => f);
  assert.ok(families.length >= 1, 'no histogram family');
  let checked = 0;
  for (const f of families) {
    const buckets = m.samples.filter((s) => s.name === `${f}_bucket`);
    const counts = m.samples.filter((s) => s.name === `${f}_count`);
    const sums = m.samples.filter((s) => s.name === `${f}_sum`);
    assert.ok(buckets.length >= 2, `${f}: buckets`);
    assert.ok(counts.length >= 1 && sums.length >= 1, `${f}: _count and _sum`);
    // Group buckets by their other labels and check each series.
    const series = new Map();
    for (const b of buckets) {
      assert.ok('le' in b.labels, `${f}_bucket without le`);
      const { le, ...rest } = b.labels;
      const key = JSON.stringify(Object.entries(rest).sort());
      if (!series.has(key)) series.set(key, []);
      series.get(key).push({ le: le === '+Inf' ? Infinity : Number(le), value: b.value });
    }
    for (const [key, bs] of series) {
      bs.sort((a, b) => a.le - b.le);
      assert.equal(bs[bs.length - 1].le, Infinity, `${f}${key}: no +Inf bucket`);
      for (let i = 1; i < bs.length; i++) {
        assert.ok(bs[i].value >= bs[i - 1].value, `${f}${key}: buckets not cumulative`);
      }
      const count = counts.find((c) => JSON.stringify(Object.entries(c.labels).sort()) === key);
      assert.ok(count, `${f}${key}: no _count`);
      assert.equal(count.value, bs[bs.length - 1].value, `${f}${key}: _count differs from +Inf bucket`);
      checked += 1;
    }
  }
  assert.ok(checked >= 1);
  const total = families.flatMap((f) => m.samples.filter((s) => s.name === `${f}_count`))
    .reduce((a, s) => a + s.value, 0);
  assert.ok(total >= 1, 'the latency histogram has observed requests');
});

test('/metrics has a database figure', async () => {
  const m = await metrics();
  const names = [...new Set(m.samples.map((s) => s.name))];
  assert.ok(names.some((n) => /(^|_)(db|store|database|sqlite|postgres|pg)(_|$)/.test(n)),
    `no database metric among: ${names.join(', ')}`);
});

test('X-Request-Id is generated when absent, unique per request', async () => {
  const a = await srv.api('GET', '/healthz');
  const b = await srv.api('GET', '/healthz');
  const ida = a.headers.get('x-request-id');
  const idb = b.headers.get('x-request-id');
  assert.match(ida || '', /^[A-Za-z0-9._-]{1,64}$/);
  assert.match(idb || '', /^[A-Za-z0-9._-]{1,64}$/);
  assert.notEqual(ida, idb);
});

test('X-Request-Id is echoed when safe', async () => {
  for (const id of ['req-1', 'abc.DEF_123-xyz', 'a'.repeat(64)]) {
    const r = await srv.api('GET', '/healthz', { headers: { 'x-request-id': id } });
    assert.equal(r.headers.get('x-request-id'), id);
  }
});

test('X-Request-Id is replaced when unsafe', async () => {
  for (const id of ['has space', 'semi;colon', 'a'.repeat(65), '<script>', 'x"y', '../../etc']) {
    const r = await srv.api('GET', '/healthz', { headers: { 'x-request-id': id } });
    const got = r.headers.get('x-request-id');
    assert.notEqual(got, id);
    assert.match(got || '', /^[A-Za-z0-9._-]{1,64}$/, `replacement for ${JSON.stringify(id)}`);
  }
});

test('X-Request-Id is on error answers too', async () => {
  const r404 = await srv.api('GET', '/api/v1/no-such-thing', { headers: { 'x-request-id': 'err-404' } });
  assert.equal(r404.headers.get('x-request-id'), 'err-404');
  const r401 = await srv.api('GET', '/api/v1/auth/me', { headers: { 'x-request-id': 'err-401' } });
  assert.equal(r401.headers.get('x-request-id'), 'err-401');
  const r400 = await srv.api('POST', '/api/v1/auth/login', { rawBody: '{', headers: { 'x-request-id': 'err-400' } });
  assert.equal(r400.headers.get('x-request-id'), 'err-400');
});

test('unknown routes answer 404 JSON', async () => {
  for (const p of ['/api/v1/no-such-thing', '/nope', '/api/v2/units', '/api/v1/accounts/1/extra']) {
    assertError(await srv.api('GET', p, { token }), 404, 'not_found');
  }
  assertError(await srv.api('GET', '/api/v1/no-such-thing'), 404, 'not_found');
});

test('a known route with a wrong method answers 405 JSON', async () => {
  assertError(await srv.api('POST', '/healthz', { body: {} }), 405, 'method_not_allowed');
  assertError(await srv.api('DELETE', '/api/v1/units'), 405, 'method_not_allowed');
  assertError(await srv.api('PUT', '/api/v1/units/01', { body: {} }), 405, 'method_not_allowed');
  assertError(await srv.api('GET', '/api/v1/auth/login'), 405, 'method_not_allowed');
  assertError(await srv.api('DELETE', '/api/v1/accounts/1', { token }), 405, 'method_not_allowed');
  assertError(await srv.api('PUT', '/api/v1/accounts', { token, body: {} }), 405, 'method_not_allowed');
});
