'use strict';
// A real `cordon serve` on a free loopback port with a fresh database, for the API tests.
//
//   const { startServer } = require('../lib/server');
//   const srv = await startServer();          // migrated store, national admin, server up
//   const token = await srv.login('admin', srv.adminPassword);
//   const r = await srv.api('GET', '/api/v1/auth/me', { token });   // {status, headers, json, text}
//   await srv.stop();                          // SIGTERM, wait, drop the database
//
// Every server and command runs with TEST_ENV: a key-encryption key made for this test process
// (CORDON_KEK) and development mode (CORDON_DEV=1), where GET /api/v1/outbox adds each message's
// rendered `text`, sign-in codes included; `body` stays masked as in production.
//
// Environment:
//   CORDON_BIN          the binary (default build/cordon, relative to the repository root)
//   CORDON_TEST_STORE   sqlite (default) or postgres
//   CORDON_TEST_PG_URL  postgres://user@host:port/db of a role that may CREATE DATABASE

const { spawn, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const dgram = require('node:dgram');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.resolve(REPO_ROOT, process.env.CORDON_BIN || 'build/cordon');
const STORE = process.env.CORDON_TEST_STORE || 'sqlite';
const ADMIN_USERNAME = 'admin';
const ADMIN_PASSWORD = 'Quan-tri-Quoc-gia-2021!';
const READY_TIMEOUT_MS = 15000;
// Reports of the sanitizer build (ASan, LSan, UBSan): any of these fails the test run.
const SANITIZER_RE = /ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|WARNING: ThreadSanitizer/;
const STOP_TIMEOUT_MS = 15000;
const TEST_KEK = crypto.randomBytes(32).toString('hex');
const TEST_ENV = { CORDON_KEK: TEST_KEK, CORDON_DEV: '1' };

/** A TCP port on 127.0.0.1 that was free a moment ago. */
/*
 * A port free on 127.0.0.1 for both TCP and UDP (SIP listens on both), taken below Linux's
 * ephemeral range (32768-60999): a port the kernel handed out for listening can be given at
 * once to another process's outgoing connection, and the stages that run side by side make
 * thousands of those.
 */
const PORT_LOW = 20000;
const PORT_HIGH = 32700;

function bindable(port, kind) {
  return new Promise((resolve) => {
    const s = kind === 'udp' ? dgram.createSocket('udp4') : net.createServer();
    s.once('error', () => resolve(false));
    const done = () => s.close(() => resolve(true));
    if (kind === 'udp') s.bind(port, '127.0.0.1', done);
    else s.listen(port, '127.0.0.1', done);
  });
}

async function freePort() {
  for (let i = 0; i < 200; i++) {
    const port = PORT_LOW + Math.floor(Math.random() * (PORT_HIGH - PORT_LOW));
    if (await bindable(port, 'tcp') && await bindable(port, 'udp')) return port;
  }
  throw new Error(`no free port between ${PORT_LOW} and ${PORT_HIGH} after 200 tries`);
}

/** Runs the binary synchronously (env: more environment variables): {status, signal, stdout, stderr}. */
function runBin(args, stdin, env) {
  const r = spawnSync(BIN, args, {
    env: { ...process.env, ...TEST_ENV, ...(env || {}) },
    input: stdin === undefined ? '' : stdin,
    encoding: 'utf8',
    timeout: 120000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw new Error(`cannot run ${BIN}: ${r.error.message}`);
  if (SANITIZER_RE.test(r.stderr)) throw new Error(`sanitizer report from cordon ${args.join(' ')}:\n${r.stderr}`);
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

function psql(sql) {
  const r = spawnSync('psql', [process.env.CORDON_TEST_PG_URL, '-v', 'ON_ERROR_STOP=1', '-q', '-c', sql],
    { encoding: 'utf8', timeout: 60000 });
  if (r.error || r.status !== 0) {
    throw new Error(`psql failed (${sql}): ${r.error ? r.error.message : r.stderr}`);
  }
}

/** Creates an empty database; returns {dbUrl, drop()}. */
async function createDatabase(store) {
  if (store === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-test-'));
    return {
      dbUrl: `sqlite:${path.join(dir, 'cordon.db')}`,
      drop() { fs.rmSync(dir, { recursive: true, force: true }); },
    };
  }
  if (store === 'postgres') {
    const base = process.env.CORDON_TEST_PG_URL;
    if (!base) throw new Error('CORDON_TEST_STORE=postgres needs CORDON_TEST_PG_URL');
    const name = `cordon_t_${crypto.randomBytes(6).toString('hex')}`;
    psql(`CREATE DATABASE ${name}`);
    const u = new URL(base);
    u.pathname = `/${name}`;
    return {
      dbUrl: u.toString(),
      drop() { psql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`); },
    };
  }
  throw new Error(`unknown CORDON_TEST_STORE ${store}`);
}

function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }

/**
 * One HTTP request. opts: token (bearer), cookie (raw Cookie header), body (an object or any
 * JSON value: sent as JSON with Content-Type application/json), rawBody (string or Buffer sent
 * byte for byte, Content-Type application/json unless headers say otherwise), headers (a value
 * of null removes a default header). Answers {status, headers, json, text}; json is null when
 * the body is not JSON.
 */
async function request(baseUrl, method, urlPath, opts = {}) {
  const headers = {};
  let body;
  if (opts.body !== undefined) {
    body = Buffer.from(JSON.stringify(opts.body), 'utf8');
    headers['content-type'] = 'application/json';
  } else if (opts.rawBody !== undefined) {
    body = Buffer.isBuffer(opts.rawBody) ? opts.rawBody : Buffer.from(opts.rawBody, 'utf8');
    headers['content-type'] = 'application/json';
  }
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.cookie) headers.cookie = opts.cookie;
  for (const [k, v] of Object.entries(opts.headers || {})) {
    if (v === null) delete headers[k.toLowerCase()];
    else headers[k.toLowerCase()] = v;
  }
  const res = await fetch(baseUrl + urlPath, { method, headers, body, redirect: 'manual' });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, headers: res.headers, json, text };
}

/**
 * Starts a server. opts.store overrides CORDON_TEST_STORE; opts.env adds environment variables
 * for `serve`. The answer's methods:
 *   stop()      SIGTERM, wait for exit, remove the database; resolves to {code, signal};
 *               throws if the server's stderr held a sanitizer report
 *   kill()      SIGKILL, wait for exit (the database stays until stop())
 *   restart()   stop the process if running, serve the same database on a new port
 *   cli(args, stdin, env)  run the binary with `--db URL` appended: {status, stdout, stderr}
 *   dbStats()   parsed `cordon db stats`
 *   demo(args)  load the demo data (`cordon demo ...args`); the demo accounts' password
 *   login(u, p) the bearer token (throws unless 200)
 *   api(method, path, opts)  see request()
 *   stderr()    what the server wrote to stderr so far
 *   memory()    {rss, peak, asan}: the server's resident memory now and at its peak, in bytes,
 *               and whether it runs under AddressSanitizer
 */
async function startServer(opts = {}) {
  if (!fs.existsSync(BIN)) throw new Error(`no binary at ${BIN} (set CORDON_BIN or build first)`);
  const store = opts.store || STORE;
  const db = await createDatabase(store);
  const srv = {
    store,
    dbUrl: db.dbUrl,
    url: null,
    port: null,
    proc: null,
    adminUsername: ADMIN_USERNAME,
    adminPassword: ADMIN_PASSWORD,
    _stderr: '',
    _exit: null,
  };

  srv.cli = (args, stdin, env) => runBin([...args, '--db', srv.dbUrl], stdin, env);
  srv.stderr = () => srv._stderr;
  // The server's resident memory now and at its peak, in bytes (Linux /proc); asan: the binary
  // runs under AddressSanitizer, which keeps freed memory in quarantine (256 MiB by default).
  srv.memory = () => {
    const status = fs.readFileSync(`/proc/${srv.proc.pid}/status`, 'utf8');
    const kib = (key) => Number((status.match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm')) || [0, NaN])[1]) * 1024;
    const asan = fs.readFileSync(`/proc/${srv.proc.pid}/maps`, 'utf8').includes('libasan');
    return { rss: kib('VmRSS'), peak: kib('VmHWM'), asan };
  };

  srv.dbStats = () => {
    const r = srv.cli(['db', 'stats']);
    if (r.status !== 0) throw new Error(`cordon db stats exited ${r.status}: ${r.stderr}`);
    return JSON.parse(r.stdout);
  };

  srv.demo = (args = []) => {
    const r = srv.cli(['demo', ...args]);
    if (r.status !== 0) throw new Error(`cordon demo exited ${r.status}: ${r.stderr}`);
    const m = /Admin login: admin \/ (\S+)/.exec(r.stdout);
    if (!m) throw new Error(`cordon demo printed no admin login: ${r.stdout}`);
    return m[1];
  };

  srv.api = (method, urlPath, o) => request(srv.url, method, urlPath, o);

  srv.login = async (username, password) => {
    const r = await srv.api('POST', '/api/v1/auth/login', { body: { username, password } });
    if (r.status !== 200 || !r.json || typeof r.json.token !== 'string') {
      throw new Error(`login ${username} failed: ${r.status} ${r.text}`);
    }
    return r.json.token;
  };

  srv._spawn = async () => {
    srv.port = await freePort();
    srv.url = `http://127.0.0.1:${srv.port}`;
    if (srv._stderr) srv._stderr += '\n--- restart ---\n';
    const proc = spawn(BIN, ['serve', '--db', srv.dbUrl, '--listen', `127.0.0.1:${srv.port}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...TEST_ENV, ...(opts.env || {}) },
    });
    srv.proc = proc;
    srv._exit = new Promise((resolve) => {
      proc.on('close', (code, signal) => resolve({ code, signal }));
    });
    proc.stdout.on('data', () => {});
    proc.stderr.on('data', (d) => {
      srv._stderr += d.toString('utf8');
      if (SANITIZER_RE.test(srv._stderr.slice(-(d.length + 64)))) srv._sanitized = true;
      if (srv._stderr.length > 256 * 1024) srv._stderr = srv._stderr.slice(-128 * 1024);
    });
    let exited = null;
    srv._exit.then((e) => { exited = e; });
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (exited) {
        // Test files run side by side: another server may have taken the port between
        // freePort() and the bind. Take another port.
        if (/could not listen/.test(srv._stderr) && (srv._bindRetries = (srv._bindRetries || 0) + 1) <= 5) {
          return srv._spawn();
        }
        throw new Error(`cordon serve exited early (${JSON.stringify(exited)}); stderr:\n${srv._stderr}`);
      }
      try {
        const r = await fetch(`${srv.url}/healthz`);
        await r.arrayBuffer();
        if (r.status === 200) return;
      } catch { /* not listening yet */ }
      if (Date.now() > deadline) {
        proc.kill('SIGKILL');
        await srv._exit;
        throw new Error(`cordon serve not ready within ${READY_TIMEOUT_MS} ms; stderr:\n${srv._stderr}`);
      }
      await sleep(50);
    }
  };

  srv._waitExit = async (signal) => {
    const proc = srv.proc;
    if (!proc) return null;
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    let timer;
    const timeout = new Promise((resolve) => { timer = setTimeout(() => resolve(null), STOP_TIMEOUT_MS); });
    let result = await Promise.race([srv._exit, timeout]);
    clearTimeout(timer);
    if (result === null) {
      proc.kill('SIGKILL');
      result = await srv._exit;
      result.timedOut = true;
    }
    srv.proc = null;
    return result;
  };

  srv.kill = () => srv._waitExit('SIGKILL');

  srv.restart = async () => {
    await srv._waitExit('SIGTERM');
    await srv._spawn();
  };

  srv.stop = async () => {
    let result = null;
    try {
      result = await srv._waitExit('SIGTERM');
    } finally {
      db.drop();
    }
    if (srv._sanitized) throw new Error(`sanitizer report from cordon serve; stderr:\n${srv._stderr}`);
    return result;
  };

  try {
    const m = srv.cli(['migrate']);
    if (m.status !== 0) throw new Error(`cordon migrate exited ${m.status}:\n${m.stdout}${m.stderr}`);
    const u = srv.cli(['user', 'add', '--username', ADMIN_USERNAME, '--role', 'national_admin', '--unit', 'VN',
      '--name', 'Quản trị Quốc gia', '--password-stdin'], `${ADMIN_PASSWORD}\n`);
    if (u.status !== 0) throw new Error(`cordon user add exited ${u.status}:\n${u.stdout}${u.stderr}`);
    await srv._spawn();
  } catch (e) {
    if (srv.proc) await srv.kill();
    db.drop();
    throw e;
  }
  return srv;
}

module.exports = {
  startServer, request, freePort, runBin, createDatabase, BIN, STORE, REPO_ROOT, ADMIN_USERNAME, ADMIN_PASSWORD,
  TEST_KEK,
};
