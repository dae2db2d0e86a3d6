'use strict';
// E-mail over SMTP (docs/api-notify.md): with smtp_url set, the outbox's e-mail channel goes to
// the mail server through libcurl, STARTTLS required, with AUTH. Against a local SMTP sink on
// Debian's python3-aiosmtpd with a throwaway certificate (tests/lib/smtp-sink.js): the message
// arrives over TLS, UTF-8 intact, its subject by kind; a refused recipient is retried then dead;
// a server that offers no STARTTLS gets nothing.

const { describe, test } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const { startServer, runBin } = require('../lib/server');
const { startSmtpSink } = require('../lib/smtp-sink');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(what, fn, ms = 15000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

function queueEmail(srv, to, kind, body) {
  const q = `INSERT INTO outbox (channel, recipient, kind, body, created_at, attempts) VALUES ('email', '${to}', '${kind}', '${body}', ${Math.floor(Date.now() / 1000)}, 0)`;
  const r = srv.store === 'sqlite'
    ? spawnSync('sqlite3', ['-cmd', '.timeout 10000', srv.dbUrl.slice(7), q], { encoding: 'utf8' })
    : spawnSync('psql', [srv.dbUrl, '-c', q], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
}

const env = (sink, more = {}) => ({
  CORDON_SMTP_URL: sink.url, CORDON_SMTP_CA_FILE: sink.caFile, CORDON_SMTP_USER: 'cordon',
  CORDON_SMTP_PASSWORD: 'mat-khau', CORDON_SMTP_FROM: 'khong-tra-loi@cordon.gov.vn',
  CORDON_NOTIFY_POLL_MS: '50', CORDON_NOTIFY_RETRY_BASE: '1', CORDON_NOTIFY_MAX_ATTEMPTS: '2', ...more,
});

describe('through a mail server with STARTTLS', () => {
  test('an account notice arrives over TLS with its Vietnamese intact; a refused address ends dead', async () => {
    const sink = await startSmtpSink();
    const srv = await startServer({ env: env(sink) });
    try {
      const admin = await srv.login(srv.adminUsername, srv.adminPassword);
      queueEmail(srv, 'can.bo@soyte.hanoi.gov.vn', 'account', 'Tài khoản của bạn đã được tạo: đăng nhập bằng tên ttyt.phucxa.');
      const m = await sink.until((e) => e.to.includes('can.bo@soyte.hanoi.gov.vn'));
      assert.equal(m.tls, true, 'STARTTLS before MAIL');
      assert.equal(m.auth, 'cordon');
      assert.equal(m.from, 'khong-tra-loi@cordon.gov.vn');
      assert.match(m.data, /^Subject: =\?UTF-8\?B\?/m);
      const subject = m.data.match(/^Subject: =\?UTF-8\?B\?([^?]+)\?=/m)[1];
      assert.equal(Buffer.from(subject, 'base64').toString('utf8'), 'Tài khoản Cordon của bạn');
      assert.match(m.data, /Content-Type: text\/plain; charset=UTF-8/);
      assert.match(m.data, /Tài khoản của bạn đã được tạo: đăng nhập bằng tên ttyt\.phucxa\./);
      const list = async (q) => (await srv.api('GET', `/api/v1/outbox?${q}`, { token: admin })).json.messages;
      const [sent] = await until('sent', async () => (await list('recipient=can.bo@soyte.hanoi.gov.vn&status=sent')).length
        && list('recipient=can.bo@soyte.hanoi.gov.vn'));
      assert.equal(sent.channel, 'email');

      queueEmail(srv, 'reject.me@example.vn', 'report', 'Báo cáo');
      const [dead] = await until('dead', async () => (await list('recipient=reject.me@example.vn&status=failed')).length
        && list('recipient=reject.me@example.vn'));
      assert.equal(dead.attempts, 2);
      assert.match(dead.last_error, /550/);
      queueEmail(srv, 'not an address', 'report', 'x');
      const [bad] = await until('refused', async () => { const l = await list('recipient=not%20an%20address'); return l[0].last_error && l; });
      assert.equal(bad.last_error, 'not an e-mail address');
    } finally {
      await srv.stop();
      await sink.stop();
    }
  });

  test('a server without STARTTLS gets nothing', async () => {
    const sink = await startSmtpSink({ tls: false });
    const srv = await startServer({ env: env(sink) });
    try {
      const admin = await srv.login(srv.adminUsername, srv.adminPassword);
      queueEmail(srv, 'plain@example.vn', 'report', 'Báo cáo');
      const [m] = await until('the failed try', async () => {
        const l = (await srv.api('GET', '/api/v1/outbox?recipient=plain@example.vn', { token: admin })).json.messages;
        return l[0].last_error && l;
      });
      assert.match(m.last_error, /STARTTLS|TLS|SSL/i);
      assert.equal(sink.messages().length, 0);
    } finally {
      await srv.stop();
      await sink.stop();
    }
  });

  test('smtp_url and smtp_from are checked at start', () => {
    for (const e of [{ CORDON_SMTP_URL: 'http://127.0.0.1:25', CORDON_SMTP_FROM: 'a@b.vn' },
      { CORDON_SMTP_URL: 'smtp://127.0.0.1:25' }]) {
      const r = runBin(['serve', '--db', 'sqlite:/nonexistent/x.db', '--listen', '127.0.0.1:1'], '', e);
      assert.equal(r.status, 2, JSON.stringify(e));
      assert.match(r.stderr, /smtp_/);
    }
  });
});
