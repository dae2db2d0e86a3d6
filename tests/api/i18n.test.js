'use strict';
// The UI's two languages hold the same keys with the same {parameters}, and everything the server
// can answer that the UI translates has a translation: every error code (src/core/err.c, the one
// table the JSON error replies come from) gives a message of its own through web/js/errors.js,
// and every field the server names in an error (http_fail / fault_set in src/) has field.<name>.
// Reads the sources; starts no server.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..', '..');
const web = (p) => path.join(root, 'web', 'js', p);

// The UI is plain ES modules; load them as the browser does.
const load = (p) => import(web(p));

function cSources(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...cSources(p));
    else if (e.name.endsWith('.c')) out.push(p);
  }
  return out;
}

/** [code, status] of every error the server can send, from err_table in src/core/err.c. */
function serverErrorCodes() {
  const src = fs.readFileSync(path.join(root, 'src', 'core', 'err.c'), 'utf8');
  const rows = [...src.matchAll(/\[ERR_\w+\]\s*=\s*\{\s*"([a-z_]+)",\s*(\d{3})\s*\}/g)].map((m) => [m[1], Number(m[2])]);
  return rows.filter(([, status]) => status >= 400);
}

/** Every field named literally in an error: http_fail(r, ERR_X, "field", ...) or fault_set(f, ERR_X, "field", ...). */
function serverErrorFields() {
  const fields = new Map();
  const re = /\b(?:http_fail|fault_set)\(\s*[\w>&.-]+,\s*ERR_\w+,\s*"([a-z_0-9.]+)"/g;
  for (const file of cSources(path.join(root, 'src'))) {
    for (const m of fs.readFileSync(file, 'utf8').matchAll(re)) {
      if (!fields.has(m[1])) fields.set(m[1], path.relative(root, file));
    }
  }
  return fields;
}

const params = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test('vi and en hold the same keys, each a non-empty string with the same {parameters}', async () => {
  const vi = (await load('i18n/vi.js')).default;
  const en = (await load('i18n/en.js')).default;
  const onlyVi = Object.keys(vi).filter((k) => !(k in en));
  const onlyEn = Object.keys(en).filter((k) => !(k in vi));
  assert.deepEqual(onlyVi, [], 'keys in vi.js missing from en.js');
  assert.deepEqual(onlyEn, [], 'keys in en.js missing from vi.js');
  for (const k of Object.keys(vi)) {
    assert.ok(typeof vi[k] === 'string' && vi[k].trim(), `vi ${k} is empty`);
    assert.ok(typeof en[k] === 'string' && en[k].trim(), `en ${k} is empty`);
    assert.deepEqual(params(vi[k]), params(en[k]), `${k}: vi and en take different parameters`);
  }
});

test('the error table is read (the checks below are not vacuous)', () => {
  const codes = serverErrorCodes().map(([c]) => c);
  for (const c of ['invalid_field', 'not_found', 'conflict', 'body_too_large', 'internal']) assert.ok(codes.includes(c), c);
  assert.ok(serverErrorFields().size > 50, 'fields named in errors');
});

test('every error code the server sends gets a message of its own in both languages', async () => {
  const vi = (await load('i18n/vi.js')).default;
  const en = (await load('i18n/en.js')).default;
  const { describe } = await load('errors.js');
  // The fallbacks only echo the raw code: a code landing there has no translation.
  const FALLBACKS = new Set(['error.rejected', 'error.unknown']);
  const untranslated = [];
  for (const [code, status] of serverErrorCodes()) {
    for (const field of [undefined, 'phone']) {
      const { key } = describe({ status, code, field, message: 'x' }, 'other');
      if (FALLBACKS.has(key) || !(key in vi) || !(key in en)) untranslated.push(`${code} (${status}) -> ${key}`);
    }
  }
  assert.deepEqual(untranslated, [], 'error codes without a translation');
});

test('every field the server names in an error has a name in both languages', async () => {
  const vi = (await load('i18n/vi.js')).default;
  const en = (await load('i18n/en.js')).default;
  const missing = [];
  for (const [field, file] of serverErrorFields()) {
    if (!(`field.${field}` in vi) || !(`field.${field}` in en)) missing.push(`${field} (${file})`);
  }
  assert.deepEqual(missing, [], 'fields without field.<name> in vi.js and en.js');
});

test('indexed and nested fields fall back to their base name', async () => {
  const { describe } = await load('errors.js');
  const { args } = describe({ status: 400, code: 'invalid_field', field: 'person_ids[1]' });
  assert.deepEqual(args.field, { t: 'field.person_ids' });
  const nested = describe({ status: 400, code: 'missing_field', field: 'answers.anaphylaxis_previous_dose' });
  assert.deepEqual(nested.args.field, { t: 'field.answers' });
});

test('no key is written twice in a dictionary (the second would silently win)', () => {
  for (const lang of ['vi', 'en']) {
    const src = fs.readFileSync(web(`i18n/${lang}.js`), 'utf8');
    const seen = new Set();
    const twice = [];
    for (const m of src.matchAll(/^\s*'([^']+)':/gm)) {
      if (seen.has(m[1])) twice.push(m[1]);
      seen.add(m[1]);
    }
    assert.deepEqual(twice, [], `${lang}.js`);
  }
});
