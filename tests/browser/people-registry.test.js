'use strict';
// The commune health station's people registry on a phone (360 px), in Vietnamese, on the demo
// data of `cordon demo`: the Phúc Xá commune admin finds the demo citizen by his name typed
// without diacritics, registers a new person, corrects her street, prints the demo citizen's
// household's cards, follows a link of his timeline to the case page, prints the chosen people's
// cards as an A4 sheet (each downloaded PDF is A4 and zbarimg reads every card's QR after
// pdftoppm), revokes the new person's card (its old QR stops verifying) and merges a duplicate
// record into hers.  Then the demo shop's owner types a 9-digit CMND at "Scan visitors" (a known
// one checks in), and an unknown number offers to register the visitor, who is then checked in.

const { test, before, after, describe } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { startServer } = require('../lib/server');
const { launch, shot, assertNoHorizontalOverflow, PHONE } = require('../lib/browser');
const { staffSignIn } = require('../lib/tracing-setup');
const { uniqueCccd } = require('../lib/people');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-registry-'));
let srv;
let token;
let password;
before(async () => {
  srv = await startServer();
  password = srv.demo();
  token = await srv.login('phucxa.admin', password);
});
after(async () => {
  if (srv) await srv.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** The QR payloads zbarimg reads on each page of a PDF rendered at 150 dpi, and its page size. */
function readPdf(file) {
  const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
  const size = /Page size:\s+([\d.]+) x ([\d.]+) pts/.exec(info);
  const prefix = file.replace(/\.pdf$/, '');
  execFileSync('pdftoppm', ['-r', '300', '-png', file, prefix]); // as tests/api/people-registry.test.js
  const codes = [];
  for (const f of fs.readdirSync(path.dirname(file)).filter((x) => x.startsWith(`${path.basename(prefix)}-`) && x.endsWith('.png'))) {
    codes.push(...execFileSync('zbarimg', ['-q', '--raw', path.join(path.dirname(file), f)], { encoding: 'utf8' }).split('\n').filter(Boolean));
  }
  return { pages: Number(/Pages:\s+(\d+)/.exec(info)[1]), width: Number(size[1]), height: Number(size[2]), codes };
}

describe('the commune health station works its people registry from a phone', () => {
  let browser;
  let page;
  let hanh;   // the person registered on the page
  const tid = (id) => page.getByTestId(id);

  before(async () => {
    browser = await launch();
    const context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, locale: 'vi-VN', acceptDownloads: true });
    context.setDefaultTimeout(15000);
    page = await context.newPage();
    page.errors = [];
    page.on('pageerror', (e) => page.errors.push(String(e && e.stack ? e.stack : e)));
    await staffSignIn(page, srv.url, 'phucxa.admin', password);
    await page.waitForFunction(() => !location.hash.startsWith('#/login'));
  });
  after(async () => { if (browser) await browser.close(); });

  test('the staff menu leads to the registry; a name without diacritics finds the demo citizen', async () => {
    await tid('nav-people').click();
    await tid('people-view').waitFor();
    await tid('people-search-input').fill('nguyen van an');
    await tid('people-search-submit').click();
    await tid('people-list').waitFor();
    const titles = await page.locator('[data-testid^="person-open-"]').allTextContents();
    assert.ok(titles.includes('Nguyễn Văn An'), titles.join(', '));
    await shot(page, 'people-search');
    await assertNoHorizontalOverflow(page, 'search');
  });

  test('a typed card code is searched as a code even with no digit or ten digits (and then as a name or phone)', async () => {
    const what = await page.evaluate(async () => {
      const { searchQueries } = await import('./js/views/people.js');
      return ['abcdefghjk', '7K2M9XQ4TR', '0123456789', 'nguyen van a', '0912 345 678', '012345678', 'GD4010100000777', ' ']
        .map((t) => searchQueries(t));
    });
    assert.deepEqual(what, [
      [{ code: 'ABCDEFGHJK' }, { q: 'abcdefghjk' }],
      [{ code: '7K2M9XQ4TR' }],
      [{ phone: '0123456789' }, { code: '0123456789' }],
      [{ q: 'nguyen van a' }],
      [{ phone: '0912345678' }, { code: '0912345678' }],
      [{ cccd: '012345678' }],
      [{ bhyt: 'GD4010100000777' }],
      [],
    ]);
  });

  test('registering a new person opens her page', async () => {
    await tid('people-new').click();
    await tid('new-person-form').waitFor();
    await tid('new-person-full-name').fill('Đỗ Thị Hạnh');
    await tid('new-person-dob').fill('1992-04-30');
    await tid('new-person-sex').selectOption('female');
    await tid('new-person-id-number').fill(uniqueCccd());
    await tid('new-person-street').fill('9 Phúc Xá');
    // the picker starts at the admin's own ward
    await page.waitForFunction(() => document.querySelector('[data-testid="new-person-commune-selected-name"]')?.getAttribute('data-code') === '00001');
    await assertNoHorizontalOverflow(page, 'register');
    await tid('new-person-save').click();
    await page.waitForFunction(() => /^#\/people\/\d+$/.test(location.hash));
    await tid('person-name').waitFor();
    assert.equal(await tid('person-name').textContent(), 'Đỗ Thị Hạnh');
    assert.equal(await tid('person-dob').textContent(), '30/04/1992');
    hanh = { id: Number(/\d+$/.exec(await page.evaluate(() => location.hash))[0]) };
    hanh.code = await tid('person-code').textContent();
    await tid('person-timeline-empty').waitFor();
  });

  test('correcting her street saves only that, and the page shows it', async () => {
    await tid('person-edit').click();
    await tid('edit-person-street').fill('11 Phúc Xá');
    await assertNoHorizontalOverflow(page, 'edit');
    await tid('edit-person-save').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="person-street"]')?.textContent === '11 Phúc Xá');
    const r = await srv.api('GET', `/api/v1/people/${hanh.id}`, { token });
    assert.equal(r.json.street, '11 Phúc Xá');
    assert.equal(r.json.date_of_birth, '1992-04-30');
  });

  test('the demo citizen\'s timeline links each entry to its page: the case opens', async () => {
    const an = (await srv.api('GET', '/api/v1/people/search?q=nguyen%20van%20an', { token })).json.people[0];
    await page.goto(`${srv.url}/#/people/${an.id}`);
    await tid('person-timeline').waitFor();
    const kinds = await page.locator('.timeline-entry').evaluateAll((els) => els.map((e) => e.dataset.kind));
    for (const k of ['case', 'contact', 'checkin']) assert.ok(kinds.includes(k), kinds.join());
    const text = await tid('person-timeline').textContent();
    assert.match(text, /Ca bệnh \(F0\)/);
    assert.match(text, /Check-in/);
    assert.doesNotMatch(text, /not_reached|checkin|quarantine_order|\d{4}-\d{2}-\d{2}/);
    await shot(page, 'people-timeline');
    await assertNoHorizontalOverflow(page, 'timeline');
    // the English switch turns the page over, entries included, and back
    await tid('lang-en').click();
    await page.waitForFunction(() => /Case \(F0\)/.test(document.querySelector('[data-testid="person-timeline"]').textContent));
    await assertNoHorizontalOverflow(page, 'timeline in English');
    await tid('lang-vi').click();
    await page.waitForFunction(() => /Ca bệnh/.test(document.querySelector('[data-testid="person-timeline"]').textContent));
    // his household's cards, one A4 sheet
    const [sheet] = await Promise.all([page.waitForEvent('download'), tid('person-household-sheet').click()]);
    const file = path.join(tmp, 'household.pdf');
    await sheet.saveAs(file);
    await tid('person-sheet-done').waitFor();
    const pdf = readPdf(file);
    assert.equal(pdf.pages, 1);
    assert.ok(pdf.codes.length >= 2 && pdf.codes.some((c) => c.startsWith(`CDN1.P.${an.code}.`)), pdf.codes.join('\n'));
    const i = kinds.indexOf('case');
    const href = await tid(`timeline-link-${i}`).getAttribute('href');
    assert.match(href, /^#\/tracing\/cases\/\d+$/);
    await tid(`timeline-link-${i}`).click();
    await page.waitForFunction((h) => location.hash === h, href);
    await tid('case-chain').first().waitFor();
  });

  test('two people chosen in the results print as an A4 sheet whose QR codes read back', async () => {
    await page.goto(`${srv.url}/#/people?q=${encodeURIComponent('nguyen')}`);
    await tid('people-list').waitFor();
    const rows = await page.locator('[data-testid^="person-select-"]').evaluateAll((els) => els.map((e) => Number(e.dataset.testid.slice('person-select-'.length))));
    assert.ok(rows.length >= 2, rows.join());
    const chosen = rows.slice(0, 2);
    for (const id of chosen) await tid(`person-select-${id}`).check();
    assert.match(await tid('people-selected-count').textContent(), /Đã chọn 2 người/);
    const [download] = await Promise.all([page.waitForEvent('download'), tid('people-print-selected').click()]);
    const file = path.join(tmp, 'chosen.pdf');
    await download.saveAs(file);
    await tid('people-print-done').waitFor();
    const pdf = readPdf(file);
    assert.equal(pdf.pages, 1);
    assert.ok(Math.abs(pdf.width - 595.28) < 1 && Math.abs(pdf.height - 841.89) < 1, `A4: ${pdf.width} x ${pdf.height}`);
    assert.equal(pdf.codes.length, 2, pdf.codes.join('\n'));
    for (const id of chosen) {
      const p = (await srv.api('GET', `/api/v1/people/${id}`, { token })).json;
      assert.ok(pdf.codes.some((c) => c.startsWith(`CDN1.P.${p.code}.`)), p.code);
    }
    for (const payload of pdf.codes) {
      assert.equal((await srv.api('POST', '/api/v1/qr/verify', { body: { payload } })).json.valid, true);
    }
    await assertNoHorizontalOverflow(page, 'chosen');
  });

  test('revoking her card asks again first; then the old QR no longer verifies', async () => {
    const before = path.join(tmp, 'before.pdf');
    fs.writeFileSync(before, Buffer.from(await (await fetch(`${srv.url}/api/v1/people/${hanh.id}/card.pdf`,
      { headers: { authorization: `Bearer ${token}` } })).arrayBuffer()));
    const [old] = readPdf(before).codes;
    assert.ok(old.startsWith(`CDN1.P.${hanh.code}.`));
    await page.goto(`${srv.url}/#/people/${hanh.id}`);
    await tid('person-revoke').click();
    assert.equal(await tid('person-revoke').textContent(), 'Bấm lần nữa để thu hồi thẻ');
    assert.equal((await srv.api('POST', '/api/v1/qr/verify', { body: { payload: old } })).json.valid, true, 'one tap does nothing');
    await tid('person-revoke').click();
    await page.getByTestId('banner').filter({ hasText: 'Đã thu hồi thẻ cũ' }).waitFor();
    const v = (await srv.api('POST', '/api/v1/qr/verify', { body: { payload: old } })).json;
    assert.equal(v.valid, false);
    assert.equal(v.reason, 'revoked');
  });

  test('a duplicate record found by its card code is merged into hers after a confirmation', async () => {
    const dup = (await srv.api('POST', '/api/v1/people', {
      token, body: { full_name: 'Đỗ Thị Hạnh', date_of_birth: '1992-04-30', commune_code: '00001', bhyt: 'GD4010100000777' },
    })).json.person;
    assert.notEqual(dup.id, hanh.id);
    await page.goto(`${srv.url}/#/people/${hanh.id}`);
    await tid('person-merge-input').fill(dup.code.toLowerCase());
    await tid('person-merge-find').click();
    await tid('person-merge-candidate').waitFor();
    assert.match(await tid('person-merge-candidate').textContent(), /Đỗ Thị Hạnh/);
    await assertNoHorizontalOverflow(page, 'merge');
    await tid('person-merge').click();
    assert.equal(await tid('person-merge').textContent(), 'Bấm lần nữa để gộp');
    await tid('person-merge').click();
    await page.getByTestId('banner').filter({ hasText: 'Đã gộp hai hồ sơ' }).waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid="person-bhyt"]')?.textContent === 'GD4010100000777');
    const r = await srv.api('GET', `/api/v1/people/${dup.id}`, { token });
    assert.equal(r.json.id, hanh.id, 'the merged record resolves to hers');
    assert.deepEqual(page.errors, []);
  });
});

describe('venue staff type a CMND; an unknown number registers the visitor', () => {
  let browser;
  let page;
  let venue;
  let owner;
  const tid = (id) => page.getByTestId(id);

  before(async () => {
    owner = await srv.login('phucxa.shop', password);
    venue = (await srv.api('GET', '/api/v1/venues', { token: owner })).json.venues.find((v) => v.status === 'approved');
    assert.ok(venue, 'the demo shop has an approved venue');
    browser = await launch();
    const context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, locale: 'vi-VN' });
    context.setDefaultTimeout(15000);
    page = await context.newPage();
    page.errors = [];
    page.on('pageerror', (e) => page.errors.push(String(e && e.stack ? e.stack : e)));
    await staffSignIn(page, srv.url, 'phucxa.shop', password);
    await page.waitForFunction(() => !location.hash.startsWith('#/login'));
  });
  after(async () => { if (browser) await browser.close(); });

  test('a known CMND checks the person in', async () => {
    const cmnd = '0123' + String(Date.now()).slice(-5);
    const p = (await srv.api('POST', '/api/v1/people', {
      token, body: { full_name: 'Cao Văn Tám', date_of_birth: '1960-02-02', commune_code: '00001', cmnd },
    })).json.person;
    await page.goto(`${srv.url}/#/venues/${venue.id}/scan`);
    await tid('visitor-number').fill(cmnd);
    await tid('visitor-number-submit').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="scan-banner"]')?.dataset.state === 'ok');
    assert.equal(await tid('scan-name').textContent(), p.full_name);
  });

  test('an unknown CMND offers registration; the registered visitor is checked in', async () => {
    const cmnd = '0987' + String(Date.now()).slice(-5);
    await tid('visitor-number').fill(cmnd);
    await tid('visitor-number-submit').click();
    await tid('visitor-register-form').waitFor();
    assert.match(await tid('scan-banner').textContent(), /Không tìm thấy/);
    await tid('visitor-register-name').fill('Lò Thị Mới');
    await tid('visitor-register-dob').fill('1999-09-09');
    await page.waitForFunction(() => document.querySelector('[data-testid="visitor-register-commune-selected-name"]')?.getAttribute('data-code') === '00001');
    await assertNoHorizontalOverflow(page, 'register a visitor');
    await tid('visitor-register-save').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="scan-banner"]')?.dataset.state === 'ok');
    assert.equal(await tid('visitor-register-box').textContent(), '');
    const found = (await srv.api('GET', `/api/v1/people/search?cccd=${cmnd}`, { token })).json.people;
    assert.equal(found.length, 1);
    assert.equal(found[0].full_name, 'Lò Thị Mới');
    assert.equal(found[0].cmnd, cmnd);
    assert.deepEqual(page.errors, []);
  });
});
