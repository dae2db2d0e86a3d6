#!/usr/bin/env node
'use strict';
// Writes the seed corpora of the fuzz targets, tests/fuzz/corpus/<target>/, from the
// project's own test data: the EU DCC test certificates (tests/data/dcc), the request
// bodies, paths and query strings of tests/api, and spreadsheets like those the import
// tests upload. Each seed is named by the SHA-1 of its bytes, as libFuzzer names its own.
// Deterministic: run it again after the test data changes and commit the result.
//
//   node tests/fuzz/seeds.js

const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const vm = require('vm');

const root = path.resolve(__dirname, '../..');
const { xlsx } = require(path.join(root, 'tests/lib/xlsx.js'));
const corpusDir = path.join(__dirname, 'corpus');
const PER_KIND = 24; // seeds of one kind per target: enough shapes, a small corpus

const seeds = {};
function add(target, data) {
  const buf = Buffer.isBuffer(data) ? data : Buffer.from(data, 'utf8');
  (seeds[target] = seeds[target] || new Map()).set(crypto.createHash('sha1').update(buf).digest('hex'), buf);
}
const read = (rel) => fs.readFileSync(path.join(root, rel), 'utf8');
const files = (rel, re) => fs.readdirSync(path.join(root, rel)).filter((f) => re.test(f)).sort().map((f) => path.join(rel, f));
// Every nth element, so a few seeds still span the whole list.
const spread = (list, n) => (list.length <= n ? list : list.filter((_, i) => i % Math.ceil(list.length / n) === 0));

// ---- DCC: base45 text, CBOR, COSE, HC1 strings and payloads ------------------------------
const dccFiles = ['IS', 'NL', 'PL/1.0.0', 'PL/1.2.1', 'PL/1.3.0'].flatMap((c) => files(`tests/data/dcc/${c}/2DCode/raw`, /\.json$/));
const certs = dccFiles.map((f) => {
  try {
    return JSON.parse(read(f));
  } catch {
    return null; // the test data holds deliberately broken files
  }
}).filter(Boolean);
const field = (name) => [...new Set(certs.map((c) => c[name]).filter((v) => typeof v === 'string' && v))];
const hex = (name) => field(name).filter((h) => /^([0-9a-fA-F]{2})+$/.test(h)).map((h) => Buffer.from(h, 'hex'));

for (const s of spread(field('BASE45'), PER_KIND)) add('base45', s);
for (const b of spread(hex('CBOR'), PER_KIND)) add('cbor', b);
for (const b of spread(hex('COSE'), PER_KIND)) { add('cbor', b); add('cose', b); }
for (const s of spread(field('PREFIX'), PER_KIND)) add('dcc', s);
for (const b of spread(hex('COSE'), PER_KIND / 2)) add('dcc', b);
const payloads = [...new Set(certs.map((c) => c.JSON).filter((j) => j && typeof j === 'object').map((j) => JSON.stringify(j)))];
for (const s of spread(payloads, PER_KIND)) add('dcc', s);

// ---- CSV and XLSX: the DCC known-issues table and the administrative units ------------------
function csvRows(text) { // enough of RFC 4180 for these files
  const rows = [];
  let row = [], cell = '', q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') q = false; else cell += c;
    } else if (c === '"') q = true;
    else if (c === ',') { row.push(cell); cell = ''; } else if (c === '\n') { row.push(cell.replace(/\r$/, '')); rows.push(row); row = []; cell = ''; } else cell += c;
  }
  if (cell || row.length) { row.push(cell); rows.push(row); }
  return rows;
}
const issues = read('tests/data/dcc/tests/known_issues.csv');
const units = read('data/admin_units.csv').split('\n');
const csvs = [
  issues,
  units.slice(0, 12).join('\n') + '\n',
  units.slice(0, 8).join('\r\n') + '\r\n',
  '\ufeff' + units.slice(100, 106).join('\n'),
  units.slice(0, 150).join('\n') + '\n', // a longer file: inputs may then grow past IMPORT_MAX_CELL
];
for (const c of csvs) add('csv', c);
// Entries of a stored ZIP (what tests/lib/xlsx.js writes): name -> bytes.
function unzipStored(buf) {
  const out = {};
  for (let p = 0; buf.readUInt32LE(p) === 0x04034b50;) {
    const size = buf.readUInt32LE(p + 18), nlen = buf.readUInt16LE(p + 26), xlen = buf.readUInt16LE(p + 28);
    out[buf.toString('utf8', p + 30, p + 30 + nlen)] = buf.subarray(p + 30 + nlen + xlen, p + 30 + nlen + xlen + size);
    p += 30 + nlen + xlen + size;
  }
  return out;
}
for (const c of csvs.slice(0, 3)) {
  const rows = csvRows(c.replace(/^\ufeff/, '')).slice(0, 12);
  for (const book of [xlsx(rows), xlsx(rows, { inline: true })]) {
    add('xlsx', book);
    // The form tests/fuzz/xlsx.c packs itself: sheet XML, NUL, shared strings.
    const parts = unzipStored(book);
    add('xlsx', Buffer.concat([parts['xl/worksheets/data.xml'], Buffer.from([0]), parts['xl/sharedStrings.xml']]));
  }
}

// ---- tests/api: request bodies, routes and query strings ------------------------------------
const apiText = files('tests/api', /\.test\.js$/).map(read).join('\n');
const bodies = new Set();
for (const m of apiText.matchAll(/body: \{/g)) { // literal bodies only; those naming variables are skipped
  let depth = 0, j = m.index + 6;
  for (; j < apiText.length; j++) {
    if (apiText[j] === '{') depth++;
    else if (apiText[j] === '}' && --depth === 0) break;
  }
  try {
    const v = vm.runInNewContext(`(${apiText.slice(m.index + 6, j + 1)})`, {}, { timeout: 50 });
    bodies.add(JSON.stringify(v));
  } catch {
    /* not a literal */
  }
}
for (const b of spread([...bodies].sort(), 3 * PER_KIND)) add('jsonin', b);
for (const c of certs.slice(0, 3)) add('jsonin', JSON.stringify(c.JSON)); // nested objects and arrays

const calls = [...apiText.matchAll(/\b(GET|POST|PUT|PATCH|DELETE)', [`']([^`']+)[`']/g)].map((m) => [m[1], m[2].replace(/\$\{[^}]*\}/g, '1')]);
for (const line of spread([...new Set(calls.map(([m, u]) => `${m} ${u.split('?')[0]}`))].sort(), 3 * PER_KIND)) add('router', line);
const queries = [...new Set(calls.map(([, u]) => u.split('?')[1]).filter(Boolean))].sort();
for (const q of spread(queries, 2 * PER_KIND)) add('query', q);

// ---- QR payloads, signed with the key tests/fuzz/qr.c derives (seed bytes 1..32) ---------------
const qrKey = crypto.createPrivateKey({
  key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from([...Array(32).keys()].map((i) => i + 1))]),
  format: 'der',
  type: 'pkcs8',
});
const signed = (msg) => `${msg}.${crypto.sign(null, Buffer.from(msg), qrKey).toString('base64url')}`;
for (const msg of ['CDN1.P.K7M2QX9A4T.3.k1', 'CDN1.D.TK-20210801-ABCDEF.k1', 'CDN1.V.VN7QX2M9.k1']) add('qr', signed(msg));
for (const bad of read('tests/unit/qr/test_qr.c').matchAll(/^\s+"(CDN1[^"]*)",$/gm)) add('qr', bad[1]);

// ---- write ----------------------------------------------------------------------------------
fs.rmSync(corpusDir, { recursive: true, force: true });
for (const [target, map] of Object.entries(seeds).sort()) {
  fs.mkdirSync(path.join(corpusDir, target), { recursive: true });
  let bytes = 0;
  for (const [name, buf] of map) {
    fs.writeFileSync(path.join(corpusDir, target, name), buf);
    bytes += buf.length;
  }
  console.log(`seeds: ${target}: ${map.size} files, ${bytes} bytes`);
}
