'use strict';
// The test SMTP sink (tests/lib/smtp_sink.py, on Debian's python3-aiosmtpd) with a throwaway
// TLS certificate made here by openssl for 127.0.0.1.
//
//   const sink = await startSmtpSink({ user: 'cordon', password: 'pw' });   // tls: false for none
//   sink.url, sink.caFile                     for smtp_url and smtp_ca_file
//   await sink.until((m) => m.to.includes('a@b.vn'))
//   await sink.stop()

const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

async function startSmtpSink({ user = 'cordon', password = 'mat-khau', tls = true } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-smtp-'));
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', key, '-out', cert], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl: ${r.stderr}`);
  const args = [path.join(__dirname, 'smtp_sink.py'), cert, key, user, password];
  if (!tls) args.push('--no-tls');
  const proc = spawn('/usr/bin/python3', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const sink = { events: [], stderr: '', caFile: cert };
  const waiters = new Set();
  let buf = '';
  proc.stdout.on('data', (d) => {
    buf += d.toString('utf8');
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (line.trim()) sink.events.push(JSON.parse(line));
      for (const w of waiters) w();
    }
  });
  proc.stderr.on('data', (d) => { sink.stderr += d.toString('utf8'); });
  const exited = new Promise((res) => proc.on('close', res));
  const until = (pred, ms = 15000) => new Promise((resolve, reject) => {
    const check = () => {
      const e = sink.events.find(pred);
      if (e) { waiters.delete(check); clearTimeout(timer); resolve(e); }
    };
    const timer = setTimeout(() => { waiters.delete(check); reject(new Error(`SMTP sink: timed out; ${sink.stderr.slice(-2000)}`)); }, ms);
    waiters.add(check);
    check();
  });
  sink.until = (pred, ms) => until((e) => e.event === 'message' && pred(e), ms);
  sink.messages = () => sink.events.filter((e) => e.event === 'message');
  sink.stop = async () => {
    proc.stdin.end();
    proc.kill('SIGTERM');
    await exited;
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const l = await until((e) => e.event === 'listening', 15000);
  sink.port = l.port;
  sink.url = `smtp://127.0.0.1:${l.port}`;
  return sink;
}

module.exports = { startSmtpSink };
