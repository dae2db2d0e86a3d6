'use strict';
// Server memory held by idle keep-alive connections: starts `cordon serve` on a fresh SQLite
// database, opens N connections to 127.0.0.1 (spread over loopback source addresses), sends
// one GET /healthz on each, keeps them open and idle, and prints the server's resident memory
// (VmRSS from /proc, and its anonymous part RssAnon) before and after. Prints figures; never
// fails on them.
//
//   node bench/connections.js [N]      N defaults to 10000; CORDON_BIN picks the binary
//   BENCH_SMOKE=1: 100 connections unless N is given, and a connection the server did not answer
//   with 200 fails the run (scripts/bench.sh --smoke runs it so)
const { spawn, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const SMOKE = process.env.BENCH_SMOKE === '1';
const N = Number(process.argv[2] || (SMOKE ? 100 : 10000));
const BIN = path.resolve(__dirname, '..', process.env.CORDON_BIN || 'build/cordon');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const kb = (pid, field) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;
const rss = (pid) => kb(pid, 'VmRSS');
const anon = (pid) => kb(pid, 'RssAnon'); // RSS less the mapped code of the binary and its libraries
const mib = (b) => (b / 1048576).toFixed(1);

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

function keepAlive(port, i) {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: '127.0.0.1', port, localAddress: `127.0.${10 + Math.floor(i / 250)}.${1 + (i % 250)}` });
    let got = '';
    sock.setTimeout(30000, () => reject(new Error('timeout')));
    sock.on('error', reject);
    sock.on('connect', () => sock.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'));
    sock.on('data', (d) => {
      got += d.toString('latin1');
      if (/\r\n\r\n[\s\S]*\}$/.test(got)) {
        sock.setTimeout(0);
        resolve({ sock, status: Number(got.split(' ')[1]) });
      }
    });
  });
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-bench-conn-'));
  const db = `sqlite:${path.join(dir, 'cordon.db')}`;
  const env = { ...process.env, CORDON_KEK: crypto.randomBytes(32).toString('hex') }; // serve needs one
  const m = spawnSync(BIN, ['migrate', '--db', db], { encoding: 'utf8', env });
  if (m.status !== 0) throw new Error(m.stderr);
  const port = await freePort();
  const srv = spawn(BIN, ['serve', '--db', db, '--listen', `127.0.0.1:${port}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...env, CORDON_MAX_CONNECTIONS: String(N + 100), CORDON_MAX_CONNECTIONS_PER_IP: '0', CORDON_IDLE_TIMEOUT: '300', CORDON_LOG_LEVEL: 'warn' },
  });
  let stderr = '';
  srv.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => srv.on('close', resolve));
  let gone = false;
  exited.then(() => { gone = true; });
  const socks = [];
  try {
    for (let i = 0; ; i++) {
      if (gone || i === 100) throw new Error(`cordon serve did not start:\n${stderr}`);
      try { await keepAlive(port, 0).then((c) => c.sock.destroy()); break; } catch { await sleep(100); }
    }
    // Warm every request thread (each opens its store connection) before the baseline.
    for (let i = 0; i < 64; i++) (await keepAlive(port, i)).sock.destroy();
    await sleep(500);
    const before = rss(srv.pid);
    const anonBefore = anon(srv.pid);
    const t0 = Date.now();
    let ok = 0;
    for (let i = 0; i < N; i += 500) {
      const batch = await Promise.all(Array.from({ length: Math.min(500, N - i) }, (_, k) => keepAlive(port, i + k)));
      for (const c of batch) { socks.push(c.sock); if (c.status === 200) ok++; }
    }
    await sleep(1000);
    const after = rss(srv.pid);
    const anonAfter = anon(srv.pid);
    console.log(`${N} idle keep-alive connections (${ok} answered 200) opened in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    console.log(`server RSS: ${mib(before)} MiB before, ${mib(after)} MiB with them open: +${mib(after - before)} MiB, ${Math.round((after - before) / N)} bytes each`);
    console.log(`of which anonymous memory: ${mib(anonBefore)} MiB before, ${mib(anonAfter)} MiB with them open`);
    if (SMOKE && ok !== N) {
      console.error(`bench/connections.js: ${N - ok} of ${N} connections were not answered 200`);
      process.exitCode = 1;
    }
  } finally {
    for (const s of socks) s.destroy();
    if (!gone) srv.kill('SIGTERM');
    await exited;
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
