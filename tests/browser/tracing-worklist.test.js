'use strict';
// A tracer working the commune list in a real Chromium on a 360 px phone: the case and its
// contacts are made through the API (two venues, overlapping check-ins, a confirmed case, a
// tracing run); the tracer lands on the work list, sees F1 and F2 with their reasons, changes
// a contact's status (checked through the API), downloads the CSV, and opens the case's chain
// drawn as SVG: F0, F1 and F2 nodes and the edges between them labelled with the venue, a
// node click showing that person's reasons.

const { test, before, after, describe } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/server');
const { UNITS } = require('../lib/fixtures');
const { launch, phonePage, shot, assertNoHorizontalOverflow } = require('../lib/browser');
const { tracedCase, staffSignIn } = require('../lib/tracing-setup');

let srv;

before(async () => { srv = await startServer(); });
after(async () => { if (srv) await srv.stop(); });

describe('a tracer works the commune list and opens the chain', () => {
  let setup;
  let browser;
  let page;
  let contacts;   // person_id -> contact, as the API lists them
  const tid = (id) => page.getByTestId(id);

  before(async () => {
    setup = await tracedCase(srv);
    assert.equal(setup.run.f1, 2, 'A and C met F0 at the noodle shop');
    assert.equal(setup.run.f2, 1, 'B met A at the café');
    const r = await srv.api('GET', `/api/v1/tracing/contacts?unit=${UNITS.phucXa}`, { token: setup.tracer.token });
    assert.equal(r.status, 200, r.text);
    contacts = new Map(r.json.contacts.map((c) => [c.person_id, c]));
    browser = await launch();
    ({ page } = await phonePage(browser));
  });
  after(async () => { if (browser) await browser.close(); });

  test('the tracer signs in and lands on the work list: F1 first, with contact details and reasons', async () => {
    await staffSignIn(page, srv.url, setup.tracer.username);
    await tid('tracing-view').waitFor();
    await tid('contacts-list').waitFor();
    assert.ok(await tid('nav-tracing').isVisible(), 'the tracing page is in the navigation');
    const { a, b, c } = setup.people;
    const order = await page.$$eval('[data-testid="contacts-list"] > li', (els) => els.map((e) => [Number(e.dataset.person), Number(e.dataset.degree)]));
    assert.deepEqual(order.map(([, d]) => d), [1, 1, 2], 'F1 first, then F2');
    assert.deepEqual(order.map(([p]) => p).sort(), [a.id, b.id, c.id].sort());

    const ca = contacts.get(a.id);
    assert.equal(await tid(`contact-name-${ca.id}`).textContent(), 'Trần Thị Một');
    assert.equal(await tid(`contact-phone-${ca.id}`).getAttribute('href'), `tel:${a.phone}`);
    assert.equal(await tid(`contact-status-${ca.id}`).getAttribute('data-status'), 'not_reached');
    assert.match(await tid(`contact-reasons-${ca.id}`).textContent(), /Phở Lý Quốc Sư · \d+ phút/);
    assert.match(await tid(`contact-reasons-${ca.id}`).textContent(), new RegExp(`qua ca bệnh ${setup.caseId}$`), 'F1 found through the case');
    const cb = contacts.get(b.id);
    const reasonsB = await tid(`contact-reasons-${cb.id}`).textContent();
    assert.match(reasonsB, /Cà Phê Giảng/);
    assert.match(reasonsB, /qua Trần Thị Một/, 'F2 found through A, named');
    await assertNoHorizontalOverflow(page, 'work list');
    await shot(page, 'tracing-01-worklist');
    assert.deepEqual(page.errors, []);
  });

  test('the tracer marks A as reached with a note; the API shows it', async () => {
    const ca = contacts.get(setup.people.a.id);
    await tid(`contact-status-select-${ca.id}`).selectOption('reached');
    await tid(`contact-note-${ca.id}`).fill('Đã gọi điện, ở nhà');
    await tid(`contact-save-${ca.id}`).click();
    await tid(`contact-saved-${ca.id}`).waitFor();
    assert.equal(await tid(`contact-status-${ca.id}`).getAttribute('data-status'), 'reached');
    assert.equal((await tid(`contact-status-${ca.id}`).textContent()).trim(), 'Đã liên hệ');

    const r = await srv.api('GET', `/api/v1/tracing/contacts?unit=${UNITS.phucXa}&status=reached`, { token: setup.tracer.token });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.contacts.map((c) => [c.id, c.status, c.note]), [[ca.id, 'reached', 'Đã gọi điện, ở nhà']]);
    const others = await srv.api('GET', `/api/v1/tracing/contacts?unit=${UNITS.phucXa}&status=not_reached`, { token: setup.tracer.token });
    assert.equal(others.json.contacts.length, 2, 'the other contacts are untouched');

    // The status filter shows the same in the page after a reload.
    await page.goto(`${srv.url}/#/tracing?status=reached`);
    await tid('contacts-list').waitFor();
    assert.deepEqual(await page.$$eval('[data-testid="contacts-list"] > li', (els) => els.map((e) => Number(e.dataset.person))), [setup.people.a.id]);
  });

  test('the export links download the same list as CSV and XLSX', async () => {
    const got = await page.evaluate(async () => {
      const out = {};
      for (const f of ['csv', 'xlsx']) {
        const res = await fetch(document.querySelector(`[data-testid="contacts-${f}"]`).getAttribute('href'));
        const buf = new Uint8Array(await res.arrayBuffer());
        out[f] = { status: res.status, ct: res.headers.get('content-type'), text: new TextDecoder().decode(buf), head: Array.from(buf.slice(0, 2)) };
      }
      return out;
    });
    assert.equal(got.csv.status, 200);
    assert.match(got.csv.ct, /^text\/csv/);
    assert.ok(got.csv.text.includes('Trần Thị Một'), 'the CSV holds the filtered contact');
    assert.ok(!got.csv.text.includes('Lê Văn Hai'), 'the CSV is filtered like the page (status=reached)');
    assert.equal(got.xlsx.status, 200);
    assert.deepEqual(got.xlsx.head, [0x50, 0x4b], 'an XLSX is a zip');
  });

  test('the chain graph draws F0, F1 and F2 with labelled edges; a node shows its reasons', async () => {
    await page.goto(`${srv.url}/#/tracing`);
    const ca = contacts.get(setup.people.a.id);
    await tid(`contact-chain-${ca.id}`).click();
    await tid('chain-svg').waitFor();
    const { f0, a, b, c } = setup.people;
    const nodes = await page.$$eval('[data-testid^="chain-node-"]', (els) => els.map((e) => [e.dataset.testid, e.dataset.degree]));
    assert.deepEqual(nodes.sort(), [
      [`chain-node-${f0.id}`, '0'], [`chain-node-${a.id}`, '1'], [`chain-node-${b.id}`, '2'], [`chain-node-${c.id}`, '1'],
    ].sort());
    // Drawn: every node has a circle with a size, every edge a visible line.
    const drawn = await page.evaluate(() => ({
      circles: [...document.querySelectorAll('[data-testid="chain-svg"] .chain-node circle')].map((el) => el.getBoundingClientRect().width),
      lines: [...document.querySelectorAll('[data-testid="chain-svg"] .chain-edge path')].map((el) => Math.round(el.getTotalLength())),
    }));
    assert.equal(drawn.circles.length, 4);
    assert.ok(drawn.circles.every((w) => w > 10), `circles ${drawn.circles}`);
    assert.equal(drawn.lines.length, 3);
    assert.ok(drawn.lines.every((l) => l > 20), `lines ${drawn.lines}`);
    for (const [from, to, venueName] of [[f0, a, 'Phở Lý Quốc Sư'], [f0, c, 'Phở Lý Quốc Sư'], [a, b, 'Cà Phê Giảng']]) {
      await tid(`chain-edge-${from.id}-${to.id}`).waitFor({ state: 'attached' });
      assert.match(await tid(`chain-edge-label-${from.id}-${to.id}`).textContent(), new RegExp(`^${venueName} · \\d+ phút`));
    }
    // Layers: F0 above F1 above F2.
    const ys = await page.evaluate((ids) => ids.map((id) => document.querySelector(`[data-testid="chain-node-${id}"]`).getBoundingClientRect().top), [f0.id, a.id, b.id]);
    assert.ok(ys[0] < ys[1] && ys[1] < ys[2], `layers ${ys}`);
    assert.equal(await tid('chain-summary').textContent(), '2 F1 và 1 F2');

    await tid(`chain-node-${b.id}`).click();
    await page.waitForFunction((id) => document.querySelector('[data-testid="chain-detail"]').dataset.node === String(id), b.id);
    assert.equal(await tid('chain-detail-name').textContent(), 'Lê Văn Hai');
    const why = await tid('chain-detail-reasons').textContent();
    assert.match(why, /Cà Phê Giảng · \d+ phút/);
    assert.match(why, /qua Trần Thị Một/);
    await tid(`chain-node-${a.id}`).press('Enter');
    await page.waitForFunction((id) => document.querySelector('[data-testid="chain-detail"]').dataset.node === String(id), a.id);
    assert.match(await tid('chain-detail-reasons').textContent(), /Phở Lý Quốc Sư.*qua Nguyễn Văn Không/);
    assert.equal(await tid('chain-detail-status').getAttribute('data-status'), 'reached');
    await assertNoHorizontalOverflow(page, 'chain graph');
    await shot(page, 'tracing-02-chain');

    // English labels follow the language switch, in the SVG too.
    await tid('lang-en').click();
    assert.match(await tid(`chain-edge-label-${a.id}-${b.id}`).textContent(), /^Cà Phê Giảng · \d+ min/);
    await tid('lang-vi').click();
    assert.deepEqual(page.errors, []);
  });

  test('a tracer of another province cannot open this chain', async () => {
    const b2 = await launch();
    try {
      const { page: p2 } = await phonePage(b2);
      const adminToken = setup.adminToken;
      const r = await srv.api('POST', '/api/v1/accounts', { token: adminToken, body: { username: 'truy.vet.tandinh', password: 'Mat-khau-Manh-2021', role: 'tracer', unit_code: UNITS.tanDinh, full_name: 'Võ Văn Khác' } });
      assert.equal(r.status, 201, r.text);
      await staffSignIn(p2, srv.url, 'truy.vet.tandinh');
      await p2.getByTestId('tracing-view').waitFor();
      await p2.goto(`${srv.url}/#/tracing/cases/${setup.caseId}`);
      await p2.getByTestId('access-denied').waitFor();
      assert.equal(await p2.getByTestId('chain-svg').count(), 0);
    } finally {
      await b2.close();
    }
  });
});
