'use strict';
// `cordon en`: the exposure notification matching library from the command line.
// derive reproduces the specification's test vectors (tests/data/gaen/vectors.txt) and agrees with
// an independent HKDF + AES computation in node's crypto; export verify checks the reference export
// of the GAEN key server against its public key (and refuses it under another key); export dump
// prints the keys the export was made from (keys.json); misuse exits 2 naming the flag.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { BIN, REPO_ROOT } = require('../lib/server');

const DATA = path.join(REPO_ROOT, 'tests', 'data', 'gaen');
const TEK = '75c734c6dd1a782de7a965da5eb93125';
const ZIP = path.join(DATA, 'testExport-2-records-1-of-1.zip');

function en(...args) {
  const r = spawnSync(BIN, ['en', ...args], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

function vectors() {
  return fs.readFileSync(path.join(DATA, 'vectors.txt'), 'utf8').split('\n')
    .filter((l) => l && !l.startsWith('#'));
}

// RPI and AEM of one interval the long way, with node's crypto only.
function reference(tekHex, interval, metaHex) {
  const tek = Buffer.from(tekHex, 'hex');
  const rpik = Buffer.from(crypto.hkdfSync('sha256', tek, Buffer.alloc(0), 'EN-RPIK', 16));
  const aemk = Buffer.from(crypto.hkdfSync('sha256', tek, Buffer.alloc(0), 'EN-AEMK', 16));
  const padded = Buffer.alloc(16);
  padded.write('EN-RPI', 0, 'ascii');
  padded.writeUInt32LE(interval, 12);
  const ecb = crypto.createCipheriv('aes-128-ecb', rpik, null).setAutoPadding(false);
  const rpi = Buffer.concat([ecb.update(padded), ecb.final()]);
  const ctr = crypto.createCipheriv('aes-128-ctr', aemk, rpi);
  const aem = Buffer.concat([ctr.update(Buffer.from(metaHex, 'hex')), ctr.final()]);
  return `${interval} ${rpi.toString('hex')} ${aem.toString('hex')}`;
}

test('derive prints the 72 rows of the specification vectors', () => {
  const r = en('derive', '--tek', TEK, '--interval', '2642976', '--count', '72', '--metadata', '40080000');
  assert.equal(r.status, 0, r.err);
  assert.deepEqual(r.out.trim().split('\n'), vectors());
});

test('derive defaults to one interval and the vectors\' metadata; upper-case hex is accepted', () => {
  const r = en('derive', '--tek', TEK.toUpperCase(), '--interval', '2643000');
  assert.equal(r.status, 0, r.err);
  assert.equal(r.out, `${vectors()[24]}\n`);
});

test('derive agrees with node crypto for random keys, intervals and metadata', () => {
  for (let i = 0; i < 5; i++) {
    const tek = crypto.randomBytes(16).toString('hex');
    const meta = crypto.randomBytes(4).toString('hex');
    const first = crypto.randomInt(2600000, 3000000);
    const r = en('derive', '--tek', tek, '--interval', String(first), '--count', '144', '--metadata', meta);
    assert.equal(r.status, 0, r.err);
    const lines = r.out.trim().split('\n');
    assert.equal(lines.length, 144);
    for (const j of [0, 1, 77, 143]) assert.equal(lines[j], reference(tek, first + j, meta));
  }
});

test('derive refuses bad arguments with exit 2, naming the flag', () => {
  const cases = [
    [['--interval', '1'], '--tek'],
    [['--tek', 'abcd', '--interval', '1'], '--tek'],
    [['--tek', TEK.replace('7', 'x'), '--interval', '1'], '--tek'],
    [['--tek', TEK], '--interval'],
    [['--tek', TEK, '--interval', '-1'], '--interval'],
    [['--tek', TEK, '--interval', '4294967296'], '--interval'],
    [['--tek', TEK, '--interval', '1', '--count', '145'], '--count'],
    [['--tek', TEK, '--interval', '1', '--count', '0'], '--count'],
    [['--tek', TEK, '--interval', '4294967295', '--count', '2'], '--count'],
    [['--tek', TEK, '--interval', '1', '--metadata', '400800'], '--metadata'],
  ];
  for (const [args, flag] of cases) {
    const r = en('derive', ...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, new RegExp(flag), args.join(' '));
    assert.equal(r.out, '');
  }
});

test('export verify checks the reference export and prints its key count', () => {
  const pemFile = path.join(DATA, 'public.pem');
  let r = en('export', 'verify', '--public-key', pemFile, ZIP);
  assert.equal(r.status, 0, r.err);
  assert.equal(r.out, '2\n');
  // the PEM text itself works as well
  r = en('export', 'verify', '--public-key', fs.readFileSync(pemFile, 'utf8'), ZIP);
  assert.equal(r.status, 0, r.err);
  assert.equal(r.out, '2\n');
});

test('export verify refuses the export under another P-256 key, and a key that is not P-256', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-en-'));
  try {
    const other = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' });
    let r = en('export', 'verify', '--public-key', other, ZIP);
    assert.equal(r.status, 1);
    assert.match(r.err, /signature does not verify/);
    assert.equal(r.out, '');
    const p384 = crypto.generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ type: 'spki', format: 'pem' });
    r = en('export', 'verify', '--public-key', p384, ZIP);
    assert.equal(r.status, 2);
    assert.match(r.err, /--public-key/);
    const notZip = path.join(dir, 'x.zip');
    fs.writeFileSync(notZip, 'not a zip');
    r = en('export', 'verify', '--public-key', path.join(DATA, 'public.pem'), notZip);
    assert.equal(r.status, 1);
    assert.match(r.err, /not a readable zip/);
    r = en('export', 'verify', ZIP);
    assert.equal(r.status, 2);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('export dump prints the keys the export was made from', () => {
  const r = en('export', 'dump', ZIP);
  assert.equal(r.status, 0, r.err);
  const got = r.out.trim().split('\n').map((l) => JSON.parse(l));
  const want = JSON.parse(fs.readFileSync(path.join(DATA, 'keys.json'), 'utf8')).temporaryExposureKeys;
  assert.equal(got.length, want.length);
  got.forEach((k, i) => {
    assert.equal(k.key_data, want[i].key);
    assert.equal(k.rolling_start_interval_number, want[i].rollingStartNumber);
    assert.equal(k.rolling_period, want[i].rollingPeriod);
    assert.equal(k.transmission_risk_level, want[i].transmissionRisk);
    assert.equal(k.report_type, null);
    assert.equal(k.days_since_onset_of_symptoms, null);
  });
});
