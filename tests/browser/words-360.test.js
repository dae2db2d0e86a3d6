'use strict';
// A sweep of the web UI's words: every staff and citizen view of the SPA, opened at 360 px in
// Vietnamese on the demo data, as the role that uses it. On each page: no sideways scroll, no
// ISO date (yyyy-mm-dd) and no raw code in the visible text (a snake_case enum, a bare English
// status, an untranslated dictionary key). Camera pages are opened too (without a camera they
// show their start button). A page is done loading when its spinners are gone.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/server');
const { createAccount, PASSWORD } = require('../lib/fixtures');
const { launch, phonePage, assertNoHorizontalOverflow, latestOtp } = require('../lib/browser');

const ISO = /\b\d{4}-\d{2}-\d{2}\b/;
const SNAKE = /\b[a-z]+(?:_[a-z0-9]+)+\b/;
const KEY = /\b[a-z][a-z0-9]*(?:_[a-z0-9]+)*\.[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*\b/;
// Status and kind codes the API sends: never shown as such in the Vietnamese UI.
const CODES = ['pending', 'approved', 'rejected', 'active', 'ended', 'cancelled', 'invited', 'confirmed', 'attended',
  'negative', 'positive', 'invalid', 'unwell', 'well', 'health', 'entry', 'home', 'centre', 'missed', 'outside',
  'open', 'acknowledged', 'resolved', 'completed', 'released', 'reached', 'tested', 'cleared', 'sampled',
  'rt_pcr', 'rapid_antigen', 'male', 'female', 'other', 'mild', 'moderate', 'severe', 'true', 'false', 'null', 'undefined'];
// Column names a result file must carry, quoted on purpose on the import page.
const ALLOWED = new Set(['tube_id']);
const USERNAMES = /\b(?:admin|hanoi\.admin|badinh\.admin|phucxa\.admin|phucxa\.sampler|hcm\.admin|phucxa\.shop|badinh\.lab|phucxa\.vaccinator|words\.tracer|words\.checkpoint)\b/g;
const CODE = new RegExp(`(?<![\\p{L}\\d])(?:${CODES.join('|')})(?![\\p{L}\\d])`, 'u');

let srv;
let pw;
let admin;
let browser;
let context;
let page;
const ids = {};

before(async () => {
  srv = await startServer();
  pw = srv.demo();
  admin = await srv.login('admin', pw);
  await createAccount(srv, admin, { username: 'words.tracer', role: 'tracer', unit_code: '00001' });
  await createAccount(srv, admin, { username: 'words.checkpoint', role: 'checkpoint_officer', unit_code: '00001' });
  const commune = await srv.login('phucxa.admin', pw);
  const first = async (p, key) => ((await srv.api('GET', p, { token: commune })).json[key] || [])[0];
  ids.venue = (await first('/api/v1/venues?unit=00001', 'venues')).id;
  ids.session = (await first('/api/v1/testing/sessions?unit=00001', 'sessions')).id;
  ids.vaxSite = (await first('/api/v1/vaccine/sites?unit=00001', 'sites')).id;
  ids.case = (await first('/api/v1/tracing/cases?unit=00001', 'cases')).id;
  ids.order = (await first('/api/v1/quarantine/orders?unit=00001', 'orders')).id;
  ids.person = (await first('/api/v1/people/search?phone=0912000001', 'people')).id;
  const lab = await srv.login('badinh.lab', pw);
  ids.labSession = ((await srv.api('GET', '/api/v1/testing/sessions', { token: lab })).json.sessions || [])[0].id;
  browser = await launch();
  ({ context, page } = await phonePage(browser));
});
after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

async function signIn(username, password = pw) {
  await context.clearCookies();
  await page.goto(`${srv.url}/?as=${username}#/login`);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.waitForFunction(() => !/^#\/login/.test(window.location.hash));
}

async function citizenSignIn(phone) {
  await context.clearCookies();
  assert.equal((await srv.api('POST', '/api/v1/citizen/otp', { body: { phone } })).status, 202);
  const login = await srv.api('POST', '/api/v1/citizen/login', { body: { phone, code: await latestOtp(srv, admin, phone) } });
  const u = new URL(srv.url);
  await context.addCookies([{ name: 'cordon_session', value: login.json.token, domain: u.hostname, path: '/', httpOnly: true, sameSite: 'Strict' }]);
}

/** Opens hash, waits for it to settle, and returns what is wrong with its words. */
async function sweep(hash) {
  await page.goto(`${srv.url}/${hash}`);
  await page.waitForFunction(() => document.querySelector('#view')?.children.length > 0);
  await page.waitForFunction(() => !document.querySelector('#view [data-testid="loading"]') &&
    ![...document.querySelectorAll('.unit-name')].some((e) => e.textContent === '…'), null, { timeout: 15000 }).catch(() => {});
  await page.waitForTimeout(150);
  const problems = [];
  try {
    await assertNoHorizontalOverflow(page, hash);
  } catch (e) {
    problems.push(e.message.split('\n')[0]);
  }
  // quoted texts (a message as it was sent, data-quoted) are not the page's own words
  const text = await page.evaluate(() => {
    const quoted = [...document.querySelectorAll('[data-quoted]')];
    for (const e of quoted) e.hidden = true;
    const t = document.body.innerText;
    for (const e of quoted) e.hidden = false;
    return t;
  });
  // usernames are what people type to sign in: shown as they are
  for (const line of text.replace(USERNAMES, '').split('\n')) {
    for (const [what, re] of [['ISO date', ISO], ['code', SNAKE], ['dictionary key', KEY], ['English code', CODE]]) {
      const m = re.exec(line);
      if (m && !ALLOWED.has(m[0])) problems.push(`${what} "${m[0]}" in "${line.trim().slice(0, 120)}"`);
    }
  }
  return problems.map((p) => `${hash}: ${p}`);
}

async function sweepAll(hashes) {
  const problems = [];
  for (const hsh of hashes) problems.push(...await sweep(hsh));
  return problems;
}

test('the citizen\'s pages', async () => {
  await citizenSignIn('0912000001');
  const problems = await sweepAll(['#/me', '#/me/profile', '#/me/family', '#/me/checkins', '#/me/declare',
    '#/me/results', '#/me/health', '#/me/quarantine', '#/me/feedback', '#/scan']);
  assert.deepEqual(problems, []);
  assert.deepEqual(page.errors, []);
});

test('an official\'s pages', async () => {
  await signIn('phucxa.admin');
  const problems = await sweepAll(['#/work', '#/declarations', '#/declarations?range=7d', '#/declarations/scan',
    '#/venues', `#/venues/${ids.venue}`, '#/units', '#/units/00001', '#/accounts', '#/audit', '#/family/requests',
    '#/reports/checkins', '#/testing/sessions', `#/testing/sessions/${ids.session}`, '#/testing/stats',
    '#/vaccine/sites', `#/vaccine/sites/${ids.vaxSite}`, '#/vaccine/oversight', '#/tracing', '#/tracing/cases',
    `#/tracing/cases/${ids.case}`, '#/tracing/cases/new', '#/tracing/policy', '#/quarantine', '#/quarantine/orders',
    `#/quarantine/orders/${ids.order}`, '#/quarantine/orders/new', '#/verify', '#/people', '#/people?q=nguyen',
    '#/people/new', `#/people/${ids.person}`]);
  assert.deepEqual(problems, []);
});

test('the operational roles\' pages', async () => {
  const problems = [];
  await signIn('words.tracer', PASSWORD);
  problems.push(...await sweepAll(['#/work', '#/declarations', '#/tracing', '#/quarantine/orders']));
  await signIn('phucxa.sampler');
  problems.push(...await sweepAll(['#/work', '#/testing/sessions', `#/testing/sessions/${ids.session}`, '#/declarations/scan']));
  await signIn('badinh.lab');
  problems.push(...await sweepAll(['#/work', '#/testing/lab', `#/testing/lab/${ids.labSession}`, '#/testing/results', '#/testing/import']));
  await signIn('phucxa.vaccinator');
  problems.push(...await sweepAll(['#/work', '#/vaccine/sites', `#/vaccine/sites/${ids.vaxSite}`, '#/declarations/scan']));
  await signIn('phucxa.shop');
  problems.push(...await sweepAll(['#/venues', `#/venues/${ids.venue}`, '#/venues/new', `#/venues/${ids.venue}/scan`]));
  await signIn('words.checkpoint', PASSWORD);
  problems.push(...await sweepAll(['#/units', '#/verify']));
  await signIn('trucbach.admin');
  problems.push(...await sweepAll(['#/safety/missing']));
  assert.deepEqual(problems, []);
});

test('the public pages', async () => {
  await context.clearCookies();
  await page.goto('about:blank');
  const problems = await sweepAll(['#/login', '#/citizen/login', '#/results/lookup', '#/verify']);
  assert.deepEqual(problems, []);
});
