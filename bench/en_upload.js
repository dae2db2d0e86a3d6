'use strict';
// Driver of bench/en_upload.sh: does an upload of 10,000 exposure keys a minute slow the
// check-in path?  A real server (SQLite, a temporary file, loopback), venues with signed posters
// (bench/checkins-setup.js), then twice for SECONDS: CONNECTIONS loops posting anonymous
// check-ins, first alone, then while phones upload keys at 10,000 a minute (30 keys an upload,
// each through verify, certificate and publish with a code a tracer issued beforehand).
// Prints check-ins per second, p50 and p99 of both runs and their ratio; fails when a request
// is refused or the keys stored are not the keys uploaded, never on a timing.
//
//   node bench/en_upload.js SECONDS CONNECTIONS
const crypto = require('node:crypto');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { startServer } = require('../tests/lib/server');

const [seconds, connections] = process.argv.slice(2).map(Number);
const KEYS_PER_UPLOAD = 30;
const KEYS_PER_MINUTE = 10000;

function pct(sorted, p) { return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] : 0; }

async function main() {
  const srv = await startServer({
    store: 'sqlite',
    env: { CORDON_CHECKIN_PHONE_LIMIT: '100000', CORDON_CHECKIN_VENUE_LIMIT: '1000000', CORDON_MAX_CONNECTIONS_PER_IP: '0' },
  });
  try {
    const setup = spawnSync('node', [path.join(__dirname, 'checkins-setup.js'), srv.url, srv.adminUsername, srv.adminPassword, '10'],
      { encoding: 'utf8' });
    if (setup.status !== 0) throw new Error(`venues: ${setup.stderr}`);
    const venues = setup.stdout.trim().split('\n').map((l) => l.split(' '));
    const admin = await srv.login(srv.adminUsername, srv.adminPassword);
    const must = async (what, status, p) => { const r = await p; if (r.status !== status) throw new Error(`${what}: ${r.status} ${r.text}`); return r.json; };
    await must('tracer', 201, srv.api('POST', '/api/v1/accounts', { token: admin, body: { username: 'bench.tracer', role: 'tracer', unit_code: '00001', full_name: 'Nguyễn Văn Đo', password: 'Mat-khau-Ban-Do-2021' } }));
    const tracer = await srv.login('bench.tracer', 'Mat-khau-Ban-Do-2021');
    const uploadsNeeded = Math.ceil((KEYS_PER_MINUTE / 60 / KEYS_PER_UPLOAD) * seconds) + 2;
    const codes = [];
    for (let i = 0; i < uploadsNeeded; i++) {
      const p = await must('person', 201, srv.api('POST', '/api/v1/people', { token: tracer, body: { full_name: 'Trần Văn Đo', date_of_birth: '1980-01-01', commune_code: '00001', street: '1 Phó Đức Chính' } }));
      const today = new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10);
      const c = await must('case', 201, srv.api('POST', '/api/v1/tracing/cases', { token: tracer, body: { client_id: `bench-case-${i}-${crypto.randomUUID()}`, person_id: (p.person || p).id, test_date: today } }));
      codes.push((await must('code', 201, srv.api('POST', '/api/v1/en/codes', { token: tracer, body: { case_id: c.id } }))).code);
    }

    let seq = 0;
    async function checkins(stopAt) {
      const lat = [];
      let bad = 0;
      await Promise.all(Array.from({ length: connections }, async (_, id) => {
        while (Date.now() < stopAt) {
          seq += 1;
          const v = venues[(seq + id) % venues.length];
          const body = { client_id: `e${id}-${seq}-${crypto.randomUUID().slice(0, 8)}`, venue_code: v[0], venue_sig: v[1], phone: `09${String(12000000 + (seq * 13) % 10000).padStart(8, '0')}`, full_name: 'Nguyen Van Do' };
          const t0 = performance.now();
          const r = await srv.api('POST', '/api/v1/checkins', { body });
          lat.push(performance.now() - t0);
          if (r.status !== 201 && r.status !== 200) { bad += 1; if (bad === 1) process.stderr.write(`check-in: ${r.status} ${r.text}\n`); }
        }
      }));
      lat.sort((a, b) => a - b);
      return { n: lat.length, rate: lat.length / seconds, p50: pct(lat, 0.5), p99: pct(lat, 0.99), bad };
    }

    function keysHmac(keys, secret) {
      const text = keys.map((k) => `${k.key}.${k.rollingStartNumber}.${k.rollingPeriod}.${k.transmissionRisk}`).sort().join(',');
      return crypto.createHmac('sha256', secret).update(text).digest('base64');
    }
    async function uploads(stopAt) {
      const interval = (KEYS_PER_UPLOAD / KEYS_PER_MINUTE) * 60000; // ms between uploads: 180
      let done = 0;
      let next = Date.now();
      const today = Math.floor(Date.now() / 600000 / 144) * 144;
      while (Date.now() < stopAt && done < codes.length) {
        const wait = next - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        next += interval;
        const keys = Array.from({ length: KEYS_PER_UPLOAD }, (_, i) => ({
          key: crypto.randomBytes(16).toString('base64'), rollingStartNumber: today - 144 * (1 + (i % 13)), rollingPeriod: 144, transmissionRisk: 0,
        }));
        const secret = crypto.randomBytes(32);
        const tok = await must('verify', 200, srv.api('POST', '/api/v1/en/verify', { body: { code: codes[done] } }));
        const cert = await must('certificate', 200, srv.api('POST', '/api/v1/en/certificate', { body: { token: tok.token, ekeyhmac: keysHmac(keys, secret) } }));
        const pub = await must('publish', 200, srv.api('POST', '/api/v1/en/publish', { body: { temporaryExposureKeys: keys, verificationPayload: cert.certificate, hmacKey: secret.toString('base64') } }));
        if (pub.insertedExposures !== KEYS_PER_UPLOAD) throw new Error(`publish stored ${pub.insertedExposures} keys`);
        done += 1;
      }
      return done;
    }

    const alone = await checkins(Date.now() + seconds * 1000);
    const stopAt = Date.now() + seconds * 1000;
    const [withUp, uploaded] = await Promise.all([checkins(stopAt), uploads(stopAt)]);
    const stored = srv.dbStats().tables.en_keys;
    const fmt = (r) => `${r.rate.toFixed(0)}/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms (${r.n} check-ins)`;
    console.log(`en_upload: check-ins alone: ${fmt(alone)}`);
    console.log(`en_upload: with ${uploaded} uploads of ${KEYS_PER_UPLOAD} keys (${((uploaded * KEYS_PER_UPLOAD) / seconds * 60).toFixed(0)} keys a minute): ${fmt(withUp)}`);
    console.log(`en_upload: rate ratio ${(withUp.rate / alone.rate).toFixed(2)}, p99 ratio ${(withUp.p99 / alone.p99).toFixed(2)}`);
    const storedKeys = stored && typeof stored === 'object' ? stored.rows : stored;
    if (alone.bad || withUp.bad) throw new Error(`${alone.bad + withUp.bad} check-ins refused`);
    if (Number(storedKeys) !== uploaded * KEYS_PER_UPLOAD) throw new Error(`en_keys holds ${storedKeys} keys, ${uploaded * KEYS_PER_UPLOAD} were uploaded`);
  } finally {
    await srv.stop();
  }
}

main().catch((e) => { process.stderr.write(`en_upload: FAILED: ${e.stack || e.message}\n`); process.exit(1); });
