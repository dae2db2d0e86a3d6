'use strict';
// The commune health station's declarations in a real Chromium at 360 px, in Vietnamese:
//  1. the commune admin opens "Khai báo cần gọi": a flagged person with symptoms in words and
//     "Chưa gọi"; writes a note and marks the call; the card says who called; the server holds
//     the note; "only not yet called" then shows everyone called.
//  2. a sampler opens "Quét khai báo"; the fake camera shows a declaration's QR code (the PNG the
//     server draws, decoded with jsQR first); the page shows the declaration in words.

const { test, before, after, describe } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startServer } = require('../lib/server');
const { UNITS, PASSWORD, createAccount } = require('../lib/fixtures');
const { createPerson, uniquePhone } = require('../lib/people');
const { launch, phonePage, shot, assertNoHorizontalOverflow, qrPngToY4m, download } = require('../lib/browser');

let srv;
let admin;
let dir;
let person;
let decl;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-dw-'));
  srv = await startServer();
  admin = await srv.login(srv.adminUsername, srv.adminPassword);
  await createAccount(srv, admin, { username: 'tram.phuc.xa', role: 'commune_admin', unit_code: UNITS.phucXa, full_name: 'Lê Thị Trạm' });
  await createAccount(srv, admin, { username: 'mau.phuc.xa', role: 'sampler', unit_code: UNITS.phucXa });
  person = (await createPerson(srv, admin, { full_name: 'Đỗ Văn Sốt', commune_code: UNITS.phucXa, phone: uniquePhone() })).person;
  const r = await srv.api('POST', '/api/v1/declarations', { token: admin, body: {
    client_id: `dw-browser-${process.pid}`, person_id: person.id, kind: 'health', health_status: 'unwell',
    symptoms: ['fever', 'loss_of_taste_smell'], exposure: ['contact_with_case'] } });
  assert.equal(r.status, 201, r.text);
  decl = r.json;
});

after(async () => {
  if (srv) await srv.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function staffLogin(page, username) {
  await page.goto(`${srv.url}/#/login`);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
}

describe('the flagged list', () => {
  let browser;
  let page;
  before(async () => {
    browser = await launch();
    ({ page } = await phonePage(browser));
  });
  after(async () => { if (browser) await browser.close(); });
  const tid = (id) => page.getByTestId(id);

  test('the commune admin calls the flagged person and marks it with a note', async () => {
    await staffLogin(page, 'tram.phuc.xa');
    await tid('nav-flagged').click();
    await tid('flagged-view').waitFor();
    const card = tid(`flagged-${person.id}`);
    await card.waitFor();
    assert.equal(await tid(`flagged-status-${person.id}`).textContent(), 'Chưa gọi');
    assert.equal(await tid(`flagged-symptoms-${person.id}`).textContent(), 'Sốt, Mất vị giác, khứu giác');
    assert.equal(await tid(`flagged-exposure-${person.id}`).textContent(), 'Tiếp xúc với người mắc bệnh');
    assert.equal(await tid('flagged-summary').getAttribute('data-pending'), '1');
    assert.match(await tid(`flagged-call-${person.id}`).getAttribute('href'), /^tel:0\d{9}$/);
    await assertNoHorizontalOverflow(page, 'flagged list');
    await shot(page, 'flagged-01-list');

    await tid(`flagged-note-${person.id}`).fill('Đã gọi, hẹn lấy mẫu 8 giờ sáng mai');
    await tid(`flagged-mark-${person.id}`).click();
    await tid('flagged-handled').waitFor();
    assert.equal(await tid(`flagged-status-${person.id}`).textContent(), 'Đã gọi');
    assert.match(await tid('flagged-handled').textContent(), /^Lê Thị Trạm đã gọi lúc \d{2}:\d{2}:\d{2} \d{2}\/\d{2}\/\d{4}|^Lê Thị Trạm đã gọi lúc .*\d{2}\/\d{2}\/\d{4}/);
    assert.match(await tid('flagged-handled').textContent(), /hẹn lấy mẫu 8 giờ sáng mai/);
    assert.equal(await tid('flagged-summary').getAttribute('data-pending'), '0');
    const l = await srv.api('GET', `/api/v1/declarations/flagged?unit=${UNITS.phucXa}`, { token: admin });
    const e = l.json.people.find((p) => p.person_id === person.id);
    assert.equal(e.handled.note, 'Đã gọi, hẹn lấy mẫu 8 giờ sáng mai');
    assert.equal(e.handled.by_username, 'tram.phuc.xa');
    await assertNoHorizontalOverflow(page, 'flagged list after the call');

    await tid('flagged-range-7d').click();
    await page.waitForFunction(() => /range=7d/.test(window.location.hash));
    await tid(`flagged-${person.id}`).waitFor();
    await tid('flagged-only-open').check();
    await tid('flagged-empty').waitFor();
    assert.equal(await tid('flagged-empty').textContent(), 'Đã gọi hết mọi người trong khoảng này.');
    assert.deepEqual(page.errors, []);
  });
});

describe('the scan page', () => {
  let browser;
  let page;
  before(async () => {
    const png = await download(srv, `/api/v1/declarations/${decl.reference}/qr.png`, admin, path.join(dir, 'decl.png'));
    const text = qrPngToY4m(png, path.join(dir, 'decl.y4m'));
    assert.equal(text, decl.qr, 'the image holds the signed payload');
    browser = await launch(path.join(dir, 'decl.y4m'));
    ({ page } = await phonePage(browser, { camera: true }));
  });
  after(async () => { if (browser) await browser.close(); });
  const tid = (id) => page.getByTestId(id);

  test('a sampler scans a declaration and reads it in words', async () => {
    await staffLogin(page, 'mau.phuc.xa');
    await tid('nav-scan-decl').click();
    await tid('scan-decl-view').waitFor();
    await tid('scan-decl-start').click();
    await tid('decl-words').waitFor({ timeout: 20000 });
    assert.equal(await tid('decl-words').getAttribute('data-reference'), decl.reference);
    const words = await tid('decl-words').innerText();
    assert.match(words, /Đỗ Văn Sốt/);
    assert.match(words, /Y tế/);
    assert.match(words, /Sốt, Mất vị giác, khứu giác/);
    assert.match(words, /Không khỏe/);
    assert.doesNotMatch(words, /loss_of_taste_smell|unwell|health\b|\d{4}-\d{2}-\d{2}/);
    await tid('decl-flagged').waitFor();
    await assertNoHorizontalOverflow(page, 'scanned declaration');
    await shot(page, 'flagged-02-scan');
    assert.deepEqual(page.errors, []);
  });
});
