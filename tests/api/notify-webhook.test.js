'use strict';
// The webhook channel (docs/api-notify.md): Zalo Official Account messages or any webhook, to
// webhook_url with a token in the header the service wants, a body made from webhook_template
// and an HMAC-SHA256 signature; tested against a local receiver (tests/lib/gateway.js).

const { describe, test } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const { startServer, runBin } = require('../lib/server');
const { startGateway } = require('../lib/gateway');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const SECRET = 'webhook-key';
// Zalo OA's message API shape.
const TEMPLATE = '{"recipient":{"user_id":"{{to}}"},"message":{"text":"{{text}}"},"tracking_id":"{{id}}","x":"{{other}}"}';

function queue(srv, to, body) {
  const q = `INSERT INTO outbox (channel, recipient, kind, body, created_at, attempts) VALUES ('webhook', '${to}', 'alert_f1', '${body.replace(/'/g, "''")}', ${Math.floor(Date.now() / 1000)}, 0)`;
  const r = srv.store === 'sqlite'
    ? spawnSync('sqlite3', ['-cmd', '.timeout 10000', srv.dbUrl.slice(7), q], { encoding: 'utf8' })
    : spawnSync('psql', [srv.dbUrl, '-c', q], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
}

describe('webhook channel', () => {
  test('the body follows the template, JSON-escaped; the token goes in its header; the body is signed', async () => {
    const gw = await startGateway({ secret: SECRET });
    // The receiver parses the default JSON; with a template it keeps the raw body.
    const srv = await startServer({
      env: {
        CORDON_WEBHOOK_URL: gw.url, CORDON_WEBHOOK_TOKEN: 'zalo-tok', CORDON_WEBHOOK_TOKEN_HEADER: 'access_token',
        CORDON_WEBHOOK_SECRET: SECRET, CORDON_WEBHOOK_TEMPLATE: TEMPLATE, CORDON_NOTIFY_POLL_MS: '50',
      },
    });
    try {
      const admin = await srv.login(srv.adminUsername, srv.adminPassword);
      const text = 'Tổ COVID cộng đồng: "F1" mới ở thôn Đông\nGọi 1900 9095.';
      queue(srv, '8841234567890', text);
      let got;
      for (let i = 0; i < 200 && !got; i++) { got = gw.received[0]; if (!got) await sleep(50); }
      assert.ok(got, 'nothing arrived');
      const body = JSON.parse(got.raw);
      assert.deepEqual(body.recipient, { user_id: '8841234567890' });
      assert.equal(body.message.text, text);
      assert.match(body.tracking_id, /^\d+$/);
      assert.equal(body.x, '{{other}}', 'an unknown placeholder stays as written');
      assert.equal(got.headers.access_token, 'zalo-tok');
      assert.equal(got.auth, undefined);
      assert.equal(got.signed, true);
      // The receiver has it; the sender records the outcome right after.
      let m;
      for (let i = 0; i < 200; i++) {
        [m] = (await srv.api('GET', '/api/v1/outbox?recipient=8841234567890', { token: admin })).json.messages;
        if (m.status !== 'sending') break;
        await sleep(50);
      }
      assert.equal(m.status, 'sent');
      assert.equal(m.channel, 'webhook');
    } finally {
      await srv.stop();
      await gw.stop();
    }
  });

  test('a refused post is tried again later; one refused every time ends failed', async () => {
    const gw = await startGateway();
    const srv = await startServer({
      env: { CORDON_WEBHOOK_URL: gw.url, CORDON_NOTIFY_POLL_MS: '50', CORDON_NOTIFY_RETRY_BASE: '1', CORDON_NOTIFY_MAX_ATTEMPTS: '3' },
    });
    try {
      const admin = await srv.login(srv.adminUsername, srv.adminPassword);
      gw.failFor.set('zalo-flaky', 2);
      gw.failFor.set('zalo-gone', Infinity);
      queue(srv, 'zalo-flaky', 'Thử lại');
      queue(srv, 'zalo-gone', 'Không tới');
      const status = async (to) => (await srv.api('GET', `/api/v1/outbox?recipient=${to}`, { token: admin })).json.messages[0];
      let flaky;
      let gone;
      for (let i = 0; i < 300; i++) {
        [flaky, gone] = [await status('zalo-flaky'), await status('zalo-gone')];
        if (flaky.status === 'sent' && gone.status === 'failed') break;
        await sleep(100);
      }
      assert.equal(flaky.status, 'sent', JSON.stringify(flaky));
      assert.equal(flaky.attempts, 3, 'two refusals, then taken');
      assert.equal(gone.status, 'failed', JSON.stringify(gone));
      assert.equal(gone.attempts, 3);
      assert.equal(gw.received.filter((m) => m.to === 'zalo-flaky').length, 1);
    } finally {
      await srv.stop();
      await gw.stop();
    }
  });

  test('webhook_url must be http(s)', () => {
    const r = runBin(['serve', '--db', 'sqlite:/nonexistent/x.db', '--listen', '127.0.0.1:1'], '', { CORDON_WEBHOOK_URL: 'ftp://x' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /webhook_url/);
  });
});
