'use strict';
// A verifier that is not Cordon reads Cordon's certificates: a vaccination certificate issued
// through the API is unpacked and its signature verified by the @pathcheck/dcc-sdk (npm), offline,
// with Cordon's signer certificate (from `cordon dcc keys`) as the only trusted key. The SDK
// inflates only a payload that starts with the zlib header byte 0x78, so it also checks that the
// stream is the ordinary one. Tampered certificates and an unknown signer are refused.
//
// The SDK's published modules are ES modules without file extensions in their imports (written
// for bundlers; its CommonJS entry needs the `esm` loader, which Node 20 no longer runs), so this
// test loads lib/main.js through Node's own module loader with two hooks: a missing ".js" is
// added to the SDK's relative imports, and the SDK's files are read as ES modules. Nothing of the
// SDK is replaced.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { register } = require('node:module');
const { pathToFileURL } = require('node:url');
const { startServer } = require('../lib/server');
const zlib = require('node:zlib');
const { siteDay, vaccinate, makeSigner, makeHc1, hc1ToCose, coseToHc1, base45Encode } = require('../lib/vaccine-setup');

const SDK_DIR = path.dirname(require.resolve('@pathcheck/dcc-sdk/package.json'));
const HOOKS = `
const SDK = ${JSON.stringify(pathToFileURL(path.join(SDK_DIR, 'lib')).href + '/')};
export async function resolve(specifier, context, next) {
  if (context.parentURL && context.parentURL.startsWith(SDK) && specifier.startsWith('.') && !specifier.endsWith('.js')) {
    return next(specifier + '.js', context);
  }
  return next(specifier, context);
}
export async function load(url, context, next) {
  if (url.startsWith(SDK)) return { ...(await next(url, { ...context, format: 'module' })), format: 'module' };
  return next(url, context);
}`;

let srv;
let sdk;
let issued;   // { certificate } from a real dose
let trusted;  // { kid (base64): certificate base64 DER } of Cordon's signer

before(async () => {
  register(`data:text/javascript,${encodeURIComponent(HOOKS)}`);
  sdk = await import(pathToFileURL(path.join(SDK_DIR, 'lib', 'main.js')).href);
  srv = await startServer();
  const adminToken = await srv.login('admin', srv.adminPassword);
  const day = await siteDay(srv, adminToken, { person: { full_name: 'Trịnh Công Sơn', date_of_birth: '1939-02-28' } });
  issued = await vaccinate(srv, day);
  // The signer's trust-list entry, as another country's verifier would receive it.
  const keys = srv.cli(['dcc', 'keys']);
  assert.equal(keys.status, 0, keys.stderr);
  const [[kid, pem]] = Object.entries(JSON.parse(keys.stdout));
  assert.equal(kid, issued.certificate.kid);
  const der = pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
  trusted = { [kid]: der };
  sdk.addCachedCerts(trusted); // offline: a kid in the cache is never looked up on the network
});

after(async () => {
  if (srv) await srv.stop();
});

test('@pathcheck/dcc-sdk verifies a certificate Cordon issued', async () => {
  const hc1 = issued.certificate.hc1;
  const r = await sdk.unpackAndVerify(hc1);
  assert.equal(r.status, 'verified', `the SDK answered ${r.status}`);
  // The SDK's contents are the CWT claims: 1 iss, 4 exp, 6 iat, -260 {1: the DCC}.
  assert.equal(r.contents.get(1), 'VN');
  assert.equal(r.contents.get(6), issued.certificate.issued_at);
  assert.equal(r.contents.get(4), issued.certificate.expires_at);
  const dcc = r.contents.get(-260).get(1);
  assert.equal(dcc.ver, '1.3.0');
  assert.equal(dcc.dob, '1939-02-28');
  assert.deepEqual(dcc.nam, { fn: 'Trịnh', fnt: 'TRINH', gn: 'Công Sơn', gnt: 'CONG<SON' });
  assert.equal(dcc.v.length, 1);
  assert.equal(dcc.v[0].dn, 1);
  assert.equal(dcc.v[0].ci, issued.certificate.uvci);
  assert.equal(dcc.v[0].dt, issued.certificate.vaccination_date);
  // The same signed bytes in a zlib stream with a 512-byte window (header byte 0x18), as Cordon
  // once issued them: valid zlib, but this verifier does not inflate them.
  const small = zlib.deflateSync(hc1ToCose(hc1), { windowBits: 9, memLevel: 1, strategy: zlib.constants.Z_RLE });
  assert.notEqual(small[0], 0x78);
  assert.notEqual((await sdk.unpackAndVerify(`HC1:${base45Encode(small)}`)).status, 'verified');
  // Its signer is the key we gave it, found under the certificate's kid.
  assert.match(r.issuer.didDocument, new RegExp(trusted[issued.certificate.kid].slice(0, 40).replace(/[+/]/g, '\\$&')));
});

test('@pathcheck/dcc-sdk refuses a Cordon certificate whose contents or signature were changed', async () => {
  const cose = hc1ToCose(issued.certificate.hc1);
  // The family name's transliteration, changed in the signed payload.
  const at = cose.indexOf(Buffer.from('TRINH'));
  assert.ok(at > 0);
  const forged = Buffer.from(cose);
  forged[at] = 'D'.charCodeAt(0);
  const r = await sdk.unpackAndVerify(coseToHc1(forged));
  assert.equal(r.status, 'invalid_signature');
  // The last byte of the signature.
  const resigned = Buffer.from(cose);
  resigned[resigned.length - 1] ^= 0x01;
  assert.equal((await sdk.unpackAndVerify(coseToHc1(resigned))).status, 'invalid_signature');
});

test('@pathcheck/dcc-sdk refuses a certificate signed by a key it was not given', async () => {
  // Signed with another key under Cordon's kid: the kid resolves, the signature does not match.
  const other = makeSigner();
  const kid = Buffer.from(issued.certificate.kid, 'base64');
  const now = Math.floor(Date.now() / 1000);
  const payload = { ver: '1.3.0', nam: { fn: 'Trịnh', fnt: 'TRINH', gn: 'Công Sơn', gnt: 'CONG<SON' }, dob: '1939-02-28', v: [] };
  const r = await sdk.unpackAndVerify(makeHc1(other, payload, { iat: now, exp: now + 86400, kid }));
  assert.equal(r.status, 'invalid_signature');
});
