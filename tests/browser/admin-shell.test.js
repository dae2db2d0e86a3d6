'use strict';
// The admin web UI in a real Chromium, on a phone-sized screen: sign in, switch language,
// create a commune admin through the unit picker, sign in as that account, and see the
// refusal for an area outside its scope.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { startServer } = require('../lib/server');
const { launch, assertNoHorizontalOverflow: checkOverflow } = require('../lib/browser');

const PHONE = { width: 360, height: 740 };
// Screenshots for a person to look at, only when asked for: CORDON_SHOTS_DIR=/tmp/shots.
const SHOTS = process.env.CORDON_SHOTS_DIR || null;

const COMMUNE_ADMIN = {
  username: 'xa.phuc.xa',
  fullName: 'Nguyễn Thị Phúc',
  password: 'Mat-khau-Xa-Phuc-Xa-2021',
};

let srv;
let browser;
let context;
let page;
const pageErrors = [];

before(async () => {
  srv = await startServer();
  browser = await launch();
  context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, locale: 'vi-VN' });
  context.setDefaultTimeout(10000);
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(String(e && e.stack ? e.stack : e)));
  page.on('console', (m) => {
    // Refused requests (401 before signing in, 403 outside the scope) are logged by the
    // browser itself; anything else on the error channel is the page's own fault.
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) pageErrors.push(m.text());
  });
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

const byId = (id) => page.getByTestId(id);

async function shot(name) {
  if (!SHOTS) return;
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

/** No sideways scrolling of the page (tests/lib/browser.js). */
const assertNoHorizontalOverflow = (where) => checkOverflow(page, where);

async function login(username, password) {
  await byId('login-username').fill(username);
  await byId('login-password').fill(password);
  await byId('login-submit').click();
}

async function expectHash(re) {
  await page.waitForFunction((src) => new RegExp(src).test(window.location.hash), re.source);
}

test('the sign-in page opens in Vietnamese and fits a 360 px screen', async () => {
  await page.goto(`${srv.url}/`);
  await expectHash(/^#\/login/);
  await byId('login-view').waitFor();
  assert.equal(await page.getAttribute('html', 'lang'), 'vi');
  assert.equal((await byId('login-submit').textContent()).trim(), 'Đăng nhập');
  assert.equal(await byId('session').isVisible(), false, 'no one is signed in yet');
  await assertNoHorizontalOverflow('login page');
  await shot('01-login-vi');
});

test('the language switch turns labels to English, is remembered, and turns back', async () => {
  await byId('lang-en').click();
  assert.equal((await byId('login-submit').textContent()).trim(), 'Sign in');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal(await byId('lang-en').getAttribute('aria-pressed'), 'true');

  await page.reload();
  await byId('login-view').waitFor();
  assert.equal((await byId('login-submit').textContent()).trim(), 'Sign in', 'English is remembered');
  await assertNoHorizontalOverflow('login page in English');

  await byId('lang-vi').click();
  assert.equal((await byId('login-submit').textContent()).trim(), 'Đăng nhập');
  assert.equal(await page.getAttribute('html', 'lang'), 'vi');
});

test('a wrong password is refused with a message in the current language', async () => {
  await login(srv.adminUsername, 'not-the-password');
  const err = byId('form-error');
  await err.waitFor();
  assert.match(await err.textContent(), /Sai tên đăng nhập hoặc mật khẩu/);
  assert.equal(await err.getAttribute('data-status'), '401');
  await byId('lang-en').click();
  assert.match(await err.textContent(), /Wrong username or password/, 'the shown error follows the language');
  await byId('lang-vi').click();
});

test('the national admin signs in and the header says who it is', async () => {
  await login(srv.adminUsername, srv.adminPassword);
  // An official lands on the situation of the area with their pending work above it,
  // and reaches the accounts from the menu.
  await byId('situation-view').waitFor();
  await byId('work-view').waitFor();
  await expectHash(/^#\/situation/);
  await byId('nav-accounts').click();
  await byId('accounts-view').waitFor();
  await expectHash(/^#\/accounts/);
  assert.equal(await byId('session-username').textContent(), srv.adminUsername);
  assert.equal(await byId('session-role').textContent(), 'Quản trị quốc gia');
  assert.ok((await byId('session-unit').textContent()).trim().length > 0, 'unit name shown');
  await byId(`account-row-${srv.adminUsername}`).waitFor();
  await assertNoHorizontalOverflow('accounts page');
});

test('the admin creates a commune admin at Phường Phúc Xá through the unit picker', async () => {
  await byId('account-create-open').click();
  const form = byId('account-create-form');
  await form.waitFor();
  // Search (without diacritics) finds the ward and names its district and province.
  await byId('new-unit-search').fill('phuc xa');
  const hit = byId('new-unit-result-00001');
  await hit.waitFor();
  await page.waitForFunction(() => /Quận Ba Đình/.test(document.querySelector('[data-testid="new-unit-result-00001"]')?.textContent));
  await hit.click();
  await page.waitForFunction(() => document.querySelector('[data-testid="new-unit-selected-name"]')?.getAttribute('data-code') === '00001');

  // Browsing from the top reaches the same ward.
  await byId('new-unit-crumb-VN').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="new-unit-selected-name"]')?.getAttribute('data-code') === 'VN');
  await byId('new-unit-option-01').click();           // Thành phố Hà Nội
  await byId('new-unit-option-001').click();          // Quận Ba Đình
  await byId('new-unit-option-00001').click();        // Phường Phúc Xá
  const chosen = byId('new-unit-selected-name');
  assert.equal(await chosen.getAttribute('data-code'), '00001');
  assert.equal((await chosen.textContent()).trim(), 'Phường Phúc Xá');
  assert.match(await byId('new-unit-selected').textContent(), /Quận Ba Đình, Thành phố Hà Nội/);

  await byId('new-username').fill(COMMUNE_ADMIN.username);
  await byId('new-full-name').fill(COMMUNE_ADMIN.fullName);
  await byId('new-role').selectOption('commune_admin');

  // A password the server refuses: its error names the field, which is highlighted.
  await byId('new-password').fill('short');
  await byId('new-submit').click();
  await byId('field-error-password').waitFor();
  assert.equal(await byId('new-password').getAttribute('aria-invalid'), 'true');
  assert.match(await byId('form-error').textContent(), /Mật khẩu/);

  await assertNoHorizontalOverflow('accounts page with the create form');
  await shot('02-create-form');

  await byId('new-password').fill(COMMUNE_ADMIN.password);
  await byId('new-submit').click();
  await byId('account-created').waitFor();
  assert.match(await byId('account-created').textContent(), /xa\.phuc\.xa/);
  assert.equal(await byId('field-error-password').count(), 0, 'the field error is gone');
  const row = byId(`account-row-${COMMUNE_ADMIN.username}`);
  await row.waitFor();
  const text = await row.textContent();
  assert.match(text, /Quản trị xã/);
  assert.match(text, /Phúc Xá/);
  assert.match(await byId(`account-status-${COMMUNE_ADMIN.username}`).textContent(), /Đang hoạt động/);
  await assertNoHorizontalOverflow('accounts page after creating');
});

test('disable and enable work from the list', async () => {
  const toggle = byId(`account-toggle-${COMMUNE_ADMIN.username}`);
  const status = byId(`account-status-${COMMUNE_ADMIN.username}`);
  await toggle.click();
  await page.waitForFunction((u) => document.querySelector(`[data-testid="account-status-${u}"]`)
    ?.getAttribute('data-disabled') === 'true', COMMUNE_ADMIN.username);
  assert.match(await status.textContent(), /Đã khóa/);
  await toggle.click();
  await page.waitForFunction((u) => document.querySelector(`[data-testid="account-status-${u}"]`)
    ?.getAttribute('data-disabled') === 'false', COMMUNE_ADMIN.username);
  assert.match(await status.textContent(), /Đang hoạt động/);
});

test('text from the server is shown as text, never as markup', async () => {
  // The server's validators keep markup out of names today; the UI must not depend on it.
  // A forged list answer carries markup in every text field.
  const evil = '<img src=x onerror="window.__xss=1"><b>Lê</b> & Co';
  const handler = (route) => route.fulfill({
    status: 200,
    contentType: 'application/json; charset=utf-8',
    body: JSON.stringify({
      total: 1,
      accounts: [{
        id: 999, username: 'markup.test', full_name: evil, role: 'tracer', unit_code: '00001',
        unit_name: evil, phone: evil, disabled: false, created_at: 1700000000,
      }],
    }),
  });
  await page.route('**/api/v1/accounts?*', handler);
  try {
    await page.evaluate(() => { window.location.hash = '#/accounts?unit=00001'; });
    const row = byId('account-row-markup.test');
    await row.waitFor();
    const text = await row.textContent();
    assert.ok(text.includes(evil), `the name appears literally: ${text}`);
    assert.equal(await row.locator('img, b').count(), 0, 'no element was made from it');
    assert.equal(await page.evaluate(() => window.__xss), undefined);
  } finally {
    await page.unroute('**/api/v1/accounts?*', handler);
  }
});

test('the admin signs out', async () => {
  await byId('logout').click();
  await byId('login-view').waitFor();
  await expectHash(/^#\/login/);
  assert.equal(await byId('session').isVisible(), false);
  // The cookie session is gone on the server too: the API no longer knows us.
  const me = await page.evaluate(async () => (await fetch('/api/v1/auth/me', { credentials: 'same-origin' })).status);
  assert.equal(me, 401);
});

test('the new commune admin signs in and the header shows it', async () => {
  await login(COMMUNE_ADMIN.username, COMMUNE_ADMIN.password);
  await byId('situation-view').waitFor();
  await byId('nav-accounts').click();
  await byId('accounts-view').waitFor();
  assert.equal(await byId('session-username').textContent(), COMMUNE_ADMIN.username);
  assert.equal(await byId('session-role').textContent(), 'Quản trị xã');
  assert.match(await byId('session-unit').textContent(), /Phúc Xá/);
  await byId(`account-row-${COMMUNE_ADMIN.username}`).waitFor();
  await assertNoHorizontalOverflow('accounts page of a commune admin');
  await shot('03-commune-admin');
});

test('units search ignores diacritics and opens the unit with its breadcrumb', async () => {
  await byId('nav-units').click();
  await byId('units-view').waitFor();
  await byId('units-search').fill('phuc xa');
  await byId('units-result-00001').click();
  await expectHash(/^#\/units\/00001$/);
  await page.waitForFunction(() => document.querySelector('[data-testid="unit-title"]')?.textContent === 'Phường Phúc Xá');
  await byId('crumb-001').waitFor();
  assert.match(await byId('unit-breadcrumb').textContent(), /Hà Nội.*Ba Đình.*Phúc Xá/);
  await assertNoHorizontalOverflow('units page');
  await shot('05-unit');
});

test('outside its area the commune admin sees a clear refusal, not a list', async () => {
  await byId('crumb-VN').click();
  await expectHash(/^#\/units$/);
  await byId('unit-link-79').click();
  await expectHash(/^#\/units\/79$/);
  await page.waitForFunction(() => document.querySelector('[data-testid="unit-title"]')?.textContent === 'Thành phố Hồ Chí Minh');
  await byId('unit-accounts-link').click();
  await expectHash(/^#\/accounts\?unit=79$/);
  const denied = byId('access-denied');
  await denied.waitFor();
  assert.match(await denied.textContent(), /Không có quyền truy cập khu vực này/);
  assert.equal(await byId('accounts-list').count(), 0, 'no account list is shown');
  assert.equal(await byId('account-create-open').count(), 0, 'no create button either');
  await shot('04-access-denied');

  await byId('lang-en').click();
  assert.match(await denied.textContent(), /You do not have access to this area/);
  await byId('lang-vi').click();
});

test('the commune admin reads its own audit log', async () => {
  await byId('nav-audit').click();
  await byId('audit-view').waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid="audit-list"], [data-testid="audit-empty"], [data-testid="audit-error"], [data-testid="access-denied"]'));
  assert.equal(await byId('audit-error').count(), 0, 'no error');
  assert.equal(await byId('access-denied').count(), 0, 'own area is allowed');
  await assertNoHorizontalOverflow('audit page');
  await shot('06-audit');
});

test('a session ended elsewhere leads back to sign-in, then to the page that was wanted', async () => {
  // Revoke the cookie session behind the page's back.
  const st = await page.evaluate(async () => (await fetch('/api/v1/auth/logout', { method: 'POST', credentials: 'same-origin' })).status);
  assert.equal(st, 204);
  await byId('nav-accounts').click();
  await byId('login-view').waitFor();
  const banner = byId('banner');
  assert.match(await banner.textContent(), /Phiên đăng nhập đã hết hạn/);
  assert.equal(await byId('session').isVisible(), false);
  await login(COMMUNE_ADMIN.username, COMMUNE_ADMIN.password);
  await byId('accounts-view').waitFor();
  await expectHash(/^#\/accounts$/);
  assert.equal(await byId('session-username').textContent(), COMMUNE_ADMIN.username);
});

test('no script errors on the way', () => {
  assert.deepEqual(pageErrors, []);
});
