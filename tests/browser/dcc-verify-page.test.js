'use strict';
// The public certificate verifier page says its verdict in words, Vietnamese first, then in
// English: valid, or not valid with the reason as a sentence (and, for an expired certificate,
// since when); the machine status (`ok`, `bad_signature`, ...) stays in data-status and never
// shows on the page. Certificates: one this server issued, the same with its signature broken,
// one signed by a key outside the trust list, an expired one from a trusted signer, and text that
// is not a certificate at all.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startServer } = require('../lib/server');
const { launch, phonePage } = require('../lib/browser');
const { siteDay, vaccinate, makeSigner, makeHc1 } = require('../lib/vaccine-setup');
const { STATUSES_VI, STATUSES_EN } = (() => {
  // The sentences the page must show, read from the dictionaries it uses.
  const read = (f) => {
    const src = fs.readFileSync(path.join(__dirname, '..', '..', 'web', 'js', 'i18n', f), 'utf8');
    // eslint-disable-next-line no-new-func
    return new Function(src.replace(/^export default/m, 'return'))();
  };
  return { STATUSES_VI: read('vi.js'), STATUSES_EN: read('en.js') };
})();

let srv;
let dir;
let browser;
const certs = {}; // status -> HC1 text
const trusted = makeSigner();
const foreign = makeSigner();
const NOW = () => Math.floor(Date.now() / 1000);
const PAYLOAD = {
  ver: '1.3.0',
  nam: { fn: 'Phan', fnt: 'PHAN', gn: 'Thị Yến', gnt: 'THI<YEN' },
  dob: '1981-07-14',
  v: [{ tg: '840539006', vp: '1119349007', mp: 'EU/1/20/1528', ma: 'ORG-100030215', dn: 1, sd: 2, dt: '2021-08-02', co: 'VN', is: 'Ministry of Health of Viet Nam', ci: 'URN:UVCI:01:VN:TESTPAGE1#A' }],
};

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-verify-page-'));
  fs.writeFileSync(path.join(dir, 'trust.json'), JSON.stringify(trusted.trustEntry()));
  srv = await startServer({ env: { CORDON_DCC_TRUST_FILE: path.join(dir, 'trust.json') } });
  const adminToken = await srv.login('admin', srv.adminPassword);
  const day = await siteDay(srv, adminToken, { person: { full_name: 'Ngô Thị Bích Ngọc', date_of_birth: '1993-03-08' } });
  certs.ok = (await vaccinate(srv, day)).certificate.hc1;
  certs.bad_signature = makeHc1(trusted, PAYLOAD, { iat: NOW() - 60, exp: NOW() + 86400, tamper: true });
  certs.unknown_key = makeHc1(foreign, PAYLOAD, { iat: NOW() - 60, exp: NOW() + 86400 });
  certs.expired = makeHc1(trusted, PAYLOAD, { iat: NOW() - 400 * 86400, exp: NOW() - 35 * 86400 });
  certs.bad_prefix = 'Xin chào, đây không phải chứng nhận';
  for (const [status, hc1] of Object.entries(certs)) {
    const r = await srv.api('POST', '/api/v1/certificates/verify', { body: { payload: hc1 } });
    assert.equal(r.json.status, status, `${status}: ${r.text.slice(0, 300)}`);
  }
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const tid = (p, id) => p.getByTestId(id);
// The machine statuses ("expired" is also an English word, so the sentences may hold it).
const MACHINE_WORDS = /\bok\b|\b(bad_prefix|bad_base45|bad_compression|bad_cbor|bad_cose|unknown_key|bad_signature|not_yet_valid|wrong_key_usage|bad_schema)\b/;

/** Pastes text into the verifier and waits for the verdict on this status; answers the banner's visible text. */
async function check(p, text, status) {
  await tid(p, 'verify-payload').fill(text);
  await tid(p, 'verify-submit').click();
  await p.waitForFunction((s) => document.querySelector('[data-testid="verdict"]')?.getAttribute('data-status') === s, status);
  return (await tid(p, 'verdict').innerText()).replace(/\s+/g, ' ').trim();
}

test('the verdict in words, Vietnamese first, then English; never a machine status', async () => {
  const { context, page: p } = await phonePage(browser);
  try {
    await p.goto(`${srv.url}/#/verify`); // public: no sign-in
    await tid(p, 'verify-view').waitFor();
    for (const [status, hc1] of Object.entries(certs)) {
      const shown = await check(p, hc1, status);
      const valid = status === 'ok';
      assert.equal(await tid(p, 'verdict-title').innerText(), valid ? STATUSES_VI['dcc.valid'] : STATUSES_VI['dcc.invalid']);
      assert.equal(await tid(p, 'verdict-reason').innerText(), STATUSES_VI[`dcc.status.${status}`], status);
      assert.doesNotMatch(shown, MACHINE_WORDS, `${status}: the page shows "${shown}"`);
      assert.equal(await tid(p, 'verdict-status').count(), 0);
      // dates as dd/mm/yyyy: the holder's birth, the doses, the tests
      const result = (await tid(p, 'dcc-result').innerText()).replace(/\s+/g, ' ');
      assert.doesNotMatch(result, /\b\d{4}-\d{2}(-\d{2})?\b/, `${status}: an ISO date on the page: "${result}"`);
      if (status === 'expired') {
        assert.match(await tid(p, 'verdict-when').innerText(), new RegExp(`^${STATUSES_VI['dcc.expired_on']}\\s+\\S`));
      }
      if (!valid && status !== 'bad_prefix') {
        // what the code claims, under a warning
        assert.equal(await tid(p, 'verdict-untrusted').count(), 1, status);
      }
    }
    // The reason is words in English too, after switching language on the same verdict.
    await tid(p, 'lang-en').click();
    assert.equal(await tid(p, 'verdict-title').innerText(), STATUSES_EN['dcc.invalid']);
    assert.equal(await tid(p, 'verdict-reason').innerText(), STATUSES_EN['dcc.status.bad_prefix']);
    for (const status of ['ok', 'bad_signature', 'expired']) {
      const shown = await check(p, certs[status], status);
      assert.equal(await tid(p, 'verdict-title').innerText(), status === 'ok' ? STATUSES_EN['dcc.valid'] : STATUSES_EN['dcc.invalid']);
      assert.equal(await tid(p, 'verdict-reason').innerText(), STATUSES_EN[`dcc.status.${status}`]);
      assert.doesNotMatch(shown, MACHINE_WORDS, `${status}: the page shows "${shown}"`);
    }
    assert.deepEqual(p.errors, []);
  } finally {
    await context.close();
  }
});
