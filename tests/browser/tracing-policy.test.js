'use strict';
// The tracing policy page in a real Chromium on a 360 px phone: the national admin changes the
// national policy (a value the server refuses is shown at its field) and it is still there after
// a reload; the Hà Nội province admin sees the national policy read-only, sets Hà Nội's own
// policy and removes it again (each step checked through the API); a commune official only
// reads the policy in force.

const { test, before, after, describe } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/server');
const { UNITS, createAccount, PASSWORD } = require('../lib/fixtures');
const { launch, phonePage, shot, assertNoHorizontalOverflow } = require('../lib/browser');
const { staffSignIn } = require('../lib/tracing-setup');

let srv;

before(async () => { srv = await startServer(); });
after(async () => { if (srv) await srv.stop(); });

describe('the tracing policy page', () => {
  let browser;
  let adminToken;
  before(async () => {
    adminToken = await srv.login(srv.adminUsername, srv.adminPassword);
    await createAccount(srv, adminToken, { username: 'cs.tinh.hn', role: 'province_admin', unit_code: UNITS.hanoi });
    await createAccount(srv, adminToken, { username: 'cs.tram.yte', role: 'commune_admin', unit_code: UNITS.phucXa });
    browser = await launch();
  });
  after(async () => { if (browser) await browser.close(); });

  const policyAt = async (unit) => {
    const r = await srv.api('GET', `/api/v1/tracing/policy?unit=${unit}`, { token: adminToken });
    assert.equal(r.status, 200, r.text);
    return r.json;
  };

  test('the national admin edits the national policy; it persists after a reload', async () => {
    const { page } = await phonePage(browser);
    const tid = (id) => page.getByTestId(id);
    await staffSignIn(page, srv.url, srv.adminUsername, srv.adminPassword);
    await tid('nav').waitFor();
    await tid('nav-tracing-policy').click();
    await tid('policy-national').waitFor();
    assert.equal(await tid('policy-national').getAttribute('data-editable'), 'true');
    const before = await policyAt(UNITS.nation);
    assert.equal(await tid('policy-national-quarantine_days').inputValue(), String(before.quarantine_days));
    assert.equal(await tid('policy-national-test_days').inputValue(), before.test_days.join(', '));
    // Labelled in words with their units.
    const label = await page.locator('[data-testid="policy-national"] .field[data-field="radius_m"]').textContent();
    assert.match(label, /Bán kính được phép quanh nơi cách ly.*mét/);

    // Out of range: the server's 400 names the field, shown there.
    await tid('policy-national-window_days_before').fill('20');
    await tid('policy-national-save').click();
    await tid('field-error-window_days_before').waitFor();
    assert.equal(await page.locator('.field[data-field="window_days_before"]').evaluate((w) => w.contains(document.querySelector('[data-testid="field-error-window_days_before"]'))), true);
    assert.equal((await policyAt(UNITS.nation)).window_days_before, before.window_days_before, 'nothing saved');

    await tid('policy-national-window_days_before').fill('3');
    await tid('policy-national-quarantine_days').fill('10');
    await tid('policy-national-radius_m').fill('250');
    await tid('policy-national-place_kind').selectOption('centre');
    await tid('policy-national-test_days').fill('1, 5, 10');
    await tid('policy-national-enabled').uncheck();
    await tid('policy-national-save').click();
    await tid('policy-national-saved').waitFor();
    const after = await policyAt(UNITS.nation);
    assert.deepEqual(
      [after.window_days_before, after.quarantine_days, after.radius_m, after.place_kind, after.test_days, after.enabled],
      [3, 10, 250, 'centre', [1, 5, 10], false]);

    await page.reload();
    await tid('policy-national').waitFor();
    assert.equal(await tid('policy-national-quarantine_days').inputValue(), '10');
    assert.equal(await tid('policy-national-radius_m').inputValue(), '250');
    assert.equal(await tid('policy-national-place_kind').inputValue(), 'centre');
    assert.equal(await tid('policy-national-test_days').inputValue(), '1, 5, 10');
    assert.equal(await tid('policy-national-enabled').isChecked(), false);
    // Provinces are chosen by name, once the list has arrived (the select is disabled until then).
    await page.locator('[data-testid="policy-province-select"]:enabled').waitFor();
    assert.ok((await tid('policy-province-select').textContent()).includes('Thành phố Hà Nội'));
    // Any province's own policy is the national admin's too: Hồ Chí Minh City follows the nation.
    await tid('policy-province-select').selectOption(UNITS.hcm);
    await tid('policy-override-start').waitFor();
    assert.equal(await tid('policy-province-source').getAttribute('data-source'), 'VN');
    await page.waitForFunction(() => document.querySelector('[data-testid="policy-province-name"]').textContent === 'Thành phố Hồ Chí Minh');
    await assertNoHorizontalOverflow(page, 'national policy');
    await shot(page, 'policy-01-national');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('a province admin cannot edit the national policy, and sets and removes the province\'s own', async () => {
    const { page } = await phonePage(browser);
    const tid = (id) => page.getByTestId(id);
    await staffSignIn(page, srv.url, 'cs.tinh.hn', PASSWORD);
    await tid('nav').waitFor();
    await tid('nav-tracing-policy').click();
    await tid('policy-province').waitFor();
    // No form for the national policy: only a note that it is not theirs to change.
    assert.equal(await tid('policy-national').count(), 0);
    assert.equal(await tid('policy-national-save').count(), 0);
    assert.ok(await tid('policy-national-readonly').isVisible());
    // Hà Nội follows the national policy: shown read-only.
    assert.equal(await tid('policy-province-source').getAttribute('data-source'), 'VN');
    assert.equal(await tid('policy-province-source').textContent(), 'Đang theo chính sách toàn quốc.');
    assert.equal(await tid('policy-province').getAttribute('data-editable'), 'false');
    assert.ok(await tid('policy-province-quarantine_days').isDisabled());
    assert.equal(await tid('policy-province-quarantine_days').inputValue(), String((await policyAt(UNITS.nation)).quarantine_days));
    await page.waitForFunction(() => document.querySelector('[data-testid="policy-province-name"]').textContent === 'Thành phố Hà Nội');

    await tid('policy-override-start').click();
    assert.equal(await tid('policy-province').getAttribute('data-editable'), 'true');
    await tid('policy-province-quarantine_days').fill('7');
    await tid('policy-province-checkins_per_day').fill('2');
    await tid('policy-province-save').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="policy-province-source"]')?.dataset.source === '01');
    await page.waitForFunction(() => document.querySelector('[data-testid="policy-province-source"]').textContent === 'Chính sách riêng của Thành phố Hà Nội');
    let hn = await policyAt(UNITS.hanoi);
    assert.deepEqual([hn.source, hn.quarantine_days, hn.checkins_per_day], ['01', 7, 2]);
    assert.equal((await policyAt(UNITS.nation)).quarantine_days, 10, 'the national policy is untouched');
    await page.reload();
    await tid('policy-province').waitFor();
    assert.equal(await tid('policy-province-quarantine_days').inputValue(), '7');
    await assertNoHorizontalOverflow(page, 'province policy');
    await shot(page, 'policy-02-province');

    // Removing takes a second tap; then Hà Nội follows the nation again.
    await tid('policy-override-remove').click();
    await tid('policy-override-remove-confirm').click();
    await tid('policy-override-start').waitFor();
    assert.equal(await tid('policy-province-source').getAttribute('data-source'), 'VN');
    hn = await policyAt(UNITS.hanoi);
    assert.deepEqual([hn.source, hn.quarantine_days], ['VN', 10]);

    await tid('lang-en').click();
    assert.equal(await tid('policy-province-source').textContent(), 'Follows the national policy.');
    await tid('lang-vi').click();
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('a commune official reads the policy in force and cannot change it', async () => {
    const { page } = await phonePage(browser);
    const tid = (id) => page.getByTestId(id);
    await staffSignIn(page, srv.url, 'cs.tram.yte', PASSWORD);
    await tid('nav').waitFor();
    await page.goto(`${srv.url}/#/tracing/policy`);
    await tid('policy-province').waitFor();
    assert.equal(await tid('policy-province').getAttribute('data-editable'), 'false');
    assert.equal(await page.locator('[data-testid="policy-view"] button[type="submit"]').count(), 0);
    assert.equal(await tid('policy-override-start').count(), 0);
    assert.equal(await tid('policy-province-quarantine_days').inputValue(), '10');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});
