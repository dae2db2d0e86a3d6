'use strict';
// Delivery of the outbox (docs/api-notify.md): a sender per channel posts each message to the SMS
// gateway (sms_http_url), sign-in codes first, within sms_rate per minute; failures are retried
// with exponential backoff and end as dead (failed) letters an admin may queue again; the
// gateway's signed receipts mark messages delivered. On PostgreSQL, two servers over one
// database send every message exactly once (FOR UPDATE SKIP LOCKED).

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn, spawnSync } = require('node:child_process');
const { startServer, freePort, BIN, TEST_KEK } = require('../lib/server');
const { assertError, assertStatus } = require('../lib/fixtures');
const { uniquePhone } = require('../lib/people');
const { startGateway, sign } = require('../lib/gateway');

const SECRET = 'gateway-shared-key';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Rows of a query straight from the database, columns joined by '|'. */
function sql(srv, query) {
  const r = srv.store === 'sqlite'
    ? spawnSync('sqlite3', ['-cmd', '.timeout 10000', srv.dbUrl.slice('sqlite:'.length), query], { encoding: 'utf8' })
    : spawnSync('psql', [srv.dbUrl, '-A', '-t', '-c', query], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter((l) => l.length);
}

/** Queues n messages of kind for recipients to+i in one statement (one transaction). */
function queueRows(srv, rows) {
  const values = rows.map(([to, kind]) => `('sms', '${to}', '${kind}', 'Tin nhắn thử ${kind}', ${Math.floor(Date.now() / 1000)}, 0)`).join(', ');
  sql(srv, `INSERT INTO outbox (channel, recipient, kind, body, created_at, attempts) VALUES ${values}`);
}

async function until(what, fn, ms = 15000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function messages(srv, admin, query) {
  const r = await srv.api('GET', `/api/v1/outbox?${query}`, { token: admin });
  assertStatus(r, 200, 'outbox');
  return r.json.messages;
}

describe('with no channel configured', () => {
  test('messages stay queued, as in development', async () => {
    const srv = await startServer({ env: { CORDON_NOTIFY_POLL_MS: '50' } });
    try {
      const admin = await srv.login(srv.adminUsername, srv.adminPassword);
      const phone = uniquePhone();
      assertStatus(await srv.api('POST', '/api/v1/citizen/otp', { body: { phone } }), 202);
      await sleep(300);
      const [m] = await messages(srv, admin, `recipient=${phone}`);
      assert.equal(m.status, 'queued');
      assert.equal(m.attempts, 0);
      assert.match(srv.stderr(), /outbox \(dev\)/);
    } finally {
      await srv.stop();
    }
  });
});

describe('through the SMS gateway', () => {
  let srv;
  let gw;
  let admin;
  before(async () => {
    gw = await startGateway({ secret: SECRET });
    srv = await startServer({
      env: {
        CORDON_SMS_HTTP_URL: gw.url, CORDON_SMS_HTTP_SECRET: SECRET, CORDON_SMS_HTTP_TOKEN: 'tok-1',
        CORDON_NOTIFY_POLL_MS: '50', CORDON_NOTIFY_RETRY_BASE: '1', CORDON_NOTIFY_MAX_ATTEMPTS: '3',
      },
    });
    admin = await srv.login(srv.adminUsername, srv.adminPassword);
  });
  after(async () => {
    if (srv) await srv.stop();
    if (gw) await gw.stop();
  });

  test('a sign-in code reaches the gateway signed, and it signs the citizen in', async () => {
    const phone = uniquePhone();
    assertStatus(await srv.api('POST', '/api/v1/citizen/otp', { body: { phone } }), 202);
    const got = await until('the code at the gateway', () => gw.received.find((m) => m.to === phone));
    assert.equal(got.kind, 'otp');
    assert.equal(got.channel, 'sms');
    assert.equal(got.signed, true);
    assert.equal(got.auth, 'Bearer tok-1');
    const code = got.text.match(/(\d{6})/)[1];
    const l = await srv.api('POST', '/api/v1/citizen/login', { body: { phone, code } });
    assertStatus(l, 200, 'login with the code from the gateway');
    // The gateway has it; the sender records the outcome right after.
    const [m] = await until('recorded', async () => {
      const l = await messages(srv, admin, `recipient=${phone}`);
      return l[0].status !== 'sending' && l;
    });
    assert.equal(m.status, 'sent');
    assert.equal(m.attempts, 1);
    assert.ok(m.sent_at > 0);
    // The code is in no column of the database in the clear.
    const dump = sql(srv, `SELECT * FROM outbox WHERE recipient = '${phone}'`).join('\n');
    assert.ok(!dump.includes(code), 'code stored readable');
  });

  test('a signed receipt marks the message delivered; unsigned or unknown ones are refused', async () => {
    const phone = uniquePhone();
    queueRows(srv, [[phone, 'result']]);
    const got = await until('the message at the gateway', () => gw.received.find((m) => m.to === phone));
    await until('sent', async () => (await messages(srv, admin, `recipient=${phone}`))[0].status === 'sent');
    const post = (body, sig) => srv.api('POST', '/api/v1/outbox/receipts', {
      rawBody: body, headers: sig === undefined ? {} : { 'x-cordon-signature': sig },
    });
    const body = JSON.stringify({ ref: got.ref, status: 'delivered' });
    assertError(await post(body), 403, 'forbidden', 'X-Cordon-Signature');
    assertError(await post(body, sign('wrong-key', body)), 403, 'forbidden', 'X-Cordon-Signature');
    const other = JSON.stringify({ ref: 'gw-none', status: 'delivered' });
    assertError(await post(other, sign(SECRET, other)), 404, 'not_found', 'ref');
    const bad = JSON.stringify({ ref: got.ref, status: 'read' });
    assertError(await post(bad, sign(SECRET, bad)), 400, 'invalid_field', 'status');
    const missing = JSON.stringify({ status: 'delivered' });
    assertError(await post(missing, sign(SECRET, missing)), 400, 'missing_field', 'ref');
    const r = await post(body, sign(SECRET, body));
    assertStatus(r, 200, 'receipt');
    const [m] = await messages(srv, admin, `recipient=${phone}&status=delivered`);
    assert.equal(m.status, 'delivered');
    assert.ok(m.delivered_at >= m.sent_at);
  });

  test('failures are retried with growing waits, then the message is dead until an admin queues it again', async () => {
    const flaky = uniquePhone();
    const dead = uniquePhone();
    gw.failFor.set(flaky, 2);
    gw.failFor.set(dead, Infinity);
    const t0 = Date.now();
    queueRows(srv, [[flaky, 'reminder'], [dead, 'reminder']]);
    await until('the flaky one sent', async () => (await messages(srv, admin, `recipient=${flaky}`))[0].status === 'sent');
    let [m] = await messages(srv, admin, `recipient=${flaky}`);
    // Waits of 1 s then 2 s (whole seconds of the clock) between its three tries.
    const times = gw.attempts.filter((a) => a.id === m.id).map((a) => a.at);
    assert.equal(times.length, 3);
    assert.ok(times[1] - times[0] <= 1100 && times[2] - times[1] > 1000, `tries at ${times.map((x) => x - t0)}`);
    assert.ok(times[2] - times[1] > times[1] - times[0]);
    assert.equal(m.attempts, 3);
    [m] = await until('the dead letter', async () => messages(srv, admin, `recipient=${dead}&status=failed`)
      .then((l) => l.length && l));
    assert.equal(m.attempts, 3);
    assert.equal(m.last_error, 'gateway answered HTTP 500');
    assert.ok(m.failed_at > 0);
    await sleep(1500);
    assert.equal(gw.attempts.filter((a) => a.id === m.id).length, 3, 'no try after the last');
    // Only a failed message can be queued again.
    const again = await srv.api('POST', `/api/v1/outbox/${m.id}/retry`, { token: admin });
    assertStatus(again, 200, 'retry of the dead one');
    gw.failFor.delete(dead);
    await until('sent at last', async () => (await messages(srv, admin, `recipient=${dead}`))[0].status === 'sent');
  });

  test('an admin queues a dead message again; it goes out once the gateway takes it', async () => {
    const phone = uniquePhone();
    gw.failFor.set(phone, Infinity);
    queueRows(srv, [[phone, 'reminder']]);
    const [m] = await until('dead', async () => messages(srv, admin, `recipient=${phone}&status=failed`)
      .then((l) => l.length && l));
    gw.failFor.delete(phone);
    assertError(await srv.api('POST', '/api/v1/outbox/99999999/retry', { token: admin }), 404, 'not_found', 'id');
    assertError(await srv.api('POST', '/api/v1/outbox/abc/retry', { token: admin }), 400, 'invalid_field', 'id');
    const r = await srv.api('POST', `/api/v1/outbox/${m.id}/retry`, { token: admin });
    assertStatus(r, 200, 'retry');
    assert.deepEqual(r.json, { id: m.id, status: 'queued' });
    await until('sent', async () => (await messages(srv, admin, `recipient=${phone}`))[0].status === 'sent');
    assertError(await srv.api('POST', `/api/v1/outbox/${m.id}/retry`, { token: admin }), 409, 'conflict', 'id');
    assertError(await srv.api('GET', '/api/v1/outbox?status=lost', { token: admin }), 400, 'invalid_field', 'status');
  });
});

describe('order and rate', () => {
  test('sign-in codes go first, and no more than sms_rate a minute leave', async () => {
    const gw = await startGateway();
    const srv = await startServer({
      env: { CORDON_SMS_HTTP_URL: gw.url, CORDON_SMS_RATE: '2', CORDON_NOTIFY_POLL_MS: '50' },
    });
    try {
      const to = uniquePhone();
      queueRows(srv, [[`${to}`, 'vaccine_invitation'], [to, 'quarantine_reminder'], [to, 'result'],
        [to, 'reminder'], [to, 'otp']]);
      await until('two sent', () => gw.received.length >= 2);
      await sleep(1500);
      assert.equal(gw.received.length, 2, 'the rate limit holds');
      assert.deepEqual(gw.received.map((m) => m.kind), ['otp', 'result']);
    } finally {
      await srv.stop();
      await gw.stop();
    }
  });
});

describe('a full batch', () => {
  test('is followed by the next at once, not after the poll interval', async () => {
    const gw = await startGateway();
    // a minute between polls: only going on straight after a full batch sends 12 in 5s in time
    const srv = await startServer({ env: { CORDON_SMS_HTTP_URL: gw.url, CORDON_NOTIFY_POLL_MS: '60000', CORDON_NOTIFY_BATCH: '5' } });
    try {
      await srv.kill(); // the database stays: queue while no sender runs
      const to = uniquePhone();
      queueRows(srv, Array.from({ length: 12 }, (_, i) => [`${to.slice(0, -2)}${String(i).padStart(2, '0')}`, 'reminder']));
      await srv.restart();
      await until('12 sent', () => gw.received.length >= 12, 15000);
    } finally {
      await srv.stop();
      await gw.stop();
    }
  });
});

describe('several servers over one database', () => {
  test('each message is sent exactly once', async (t) => {
    const gw = await startGateway();
    gw.delayMs = 20;
    const env = { CORDON_SMS_HTTP_URL: gw.url, CORDON_NOTIFY_POLL_MS: '20', CORDON_NOTIFY_BATCH: '1' };
    const srv = await startServer({ env });
    let second = null;
    try {
      if (srv.store === 'postgres') {
        // A second server on the same database, as a nation runs them.
        const port = await freePort();
        second = spawn(BIN, ['serve', '--db', srv.dbUrl, '--listen', `127.0.0.1:${port}`], {
          stdio: ['ignore', 'ignore', 'ignore'],
          env: { ...process.env, CORDON_KEK: TEST_KEK, CORDON_DEV: '1', ...env },
        });
        await until('the second server', async () => {
          try { return (await fetch(`http://127.0.0.1:${port}/healthz`)).status === 200; } catch { return false; }
        });
      } else {
        t.diagnostic('SQLite: one server (run with CORDON_TEST_STORE=postgres for two)');
      }
      const to = uniquePhone();
      const rows = Array.from({ length: 40 }, (_, i) => [to, i % 3 ? 'reminder' : 'result']);
      queueRows(srv, rows);
      await until('all sent', () => gw.received.length >= 40, 30000);
      await sleep(300);
      const ids = gw.received.map((m) => m.id);
      assert.equal(ids.length, 40);
      assert.equal(new Set(ids).size, 40, 'a message was sent twice');
      if (second) {
        const agents = new Set(gw.received.map((m) => m.agent));
        assert.equal(agents.size, 2, `both servers sent: ${[...agents]}`);
      }
    } finally {
      if (second) {
        second.kill('SIGTERM');
        await new Promise((r) => second.on('close', r));
      }
      await srv.stop();
      await gw.stop();
    }
  });
});
