'use strict';
// Sample collection in a real Chromium on a phone-sized page:
//  1. the fake camera shows a person's QR card, then a tube label (one looping video, each
//     code about 2 s): the person goes into the tube, the count shows 1, the server holds one
//     sample, and the codes staying in front of the camera record nothing more;
//  2. the offline run: the network is cut in the middle of a session, collection goes on with
//     typed numbers (the queue count grows, the tube count runs), the network comes back, the
//     queue syncs, and the server holds every record exactly once; a lost answer and a second
//     sync of the same client ids change nothing;
//  3. a reload with no network: the service worker opens the page and its session, the
//     IndexedDB queue is still there, and it syncs once when the network comes back.

const { test, before, after, describe } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startServer } = require('../lib/server');
const { launch, phonePage, shot, assertNoHorizontalOverflow, download } = require('../lib/browser');
const {
  testingSession, newPerson, manifest, firstLabelPng, qrSequenceY4m, uniqueCccd,
} = require('../lib/testing-setup');
const { tracedCase } = require('../lib/tracing-setup');

let srv;
let dir;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-collect-'));
  srv = await startServer();
});

after(async () => {
  if (srv) await srv.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const tid = (page, id) => page.getByTestId(id);
const attr = (page, id, name) => page.evaluate(([i, n]) => document.querySelector(`[data-testid="${i}"]`)?.getAttribute(n), [id, name]);
const waitAttr = (page, id, name, value, timeout = 15000) => page.waitForFunction(
  ([i, n, v]) => document.querySelector(`[data-testid="${i}"]`)?.getAttribute(n) === v, [id, name, String(value)], { timeout });

async function signIn(page, username, password) {
  await page.goto(`${srv.url}/#/login`);
  await tid(page, 'login-username').fill(username);
  await tid(page, 'login-password').fill(password);
  await tid(page, 'login-submit').click();
}

/** Every sample of a session as "tube:person_id", from the manifest. */
async function held(token, sessionId) {
  const m = await manifest(srv, token, sessionId);
  const out = [];
  for (const t of m.tubes) for (const p of t.people) out.push(`${t.tube_id}:${p.person_id}`);
  return out.sort();
}

describe('the camera reads a personal QR card, then a tube label', () => {
  let setup;
  let person;
  let browser;
  let page;

  before(async () => {
    setup = await testingSession(srv, { suffix: '1', tubes: 3 });
    person = await newPerson(srv, setup.officialToken, { full_name: 'Nguyễn Văn Quét', cccd: uniqueCccd() });
    const card = await download(srv, `/api/v1/people/${person.id}/card.png`, setup.officialToken, path.join(dir, 'card.png'));
    const label = await firstLabelPng(srv, setup.samplerToken, setup.session.id, dir, setup.batchId);
    const texts = qrSequenceY4m([card, label], path.join(dir, 'person-then-tube.y4m'), 2);
    assert.match(texts[0], new RegExp(`^CDN1\\.P\\.${person.code}\\.`));
    assert.equal(texts[1], setup.tubes[0], 'the first label is the first tube issued');
    browser = await launch(path.join(dir, 'person-then-tube.y4m'));
    ({ page } = await phonePage(browser, { camera: true }));
  });

  after(async () => {
    if (browser) await browser.close();
  });

  test('the sampler lands on their sessions and opens the collection page', async () => {
    await signIn(page, setup.sampler.username, setup.password);
    await tid(page, 'sessions-view').waitFor();
    await tid(page, `session-row-${setup.session.id}`).waitFor();
    await assertNoHorizontalOverflow(page, 'sampler sessions');
    await tid(page, `session-open-${setup.session.id}`).click();
    await page.locator('[data-testid="collect-view"][data-ready="true"]').waitFor();
    assert.equal(await attr(page, 'net-status', 'data-online'), 'true');
    assert.equal(await attr(page, 'current-tube', 'data-state'), 'none');
    const href = await tid(page, 'labels-pdf').getAttribute('href');
    const pdf = await page.evaluate(async (u) => { const r = await fetch(u); return { ct: r.headers.get('content-type'), head: (await r.text()).slice(0, 5) }; }, href);
    assert.deepEqual(pdf, { ct: 'application/pdf', head: '%PDF-' });
    await assertNoHorizontalOverflow(page, 'collection page');
    await shot(page, 'testing-01-collect');
  });

  test('person, then tube: one sample, the tube count shows 1', async () => {
    await tid(page, 'collect-scan-start').click();
    await waitAttr(page, 'tube-count', 'data-count', '1', 20000);
    assert.equal(await attr(page, 'tube-count', 'data-capacity'), '10');
    assert.equal((await tid(page, 'tube-code').textContent()).trim(), setup.tubes[0]);
    assert.equal(await attr(page, 'current-tube', 'data-state'), 'open');
    // The record is answered by the server and named.
    await waitAttr(page, 'queue-count', 'data-count', '0');
    await page.waitForFunction(() => document.querySelector('[data-testid="collect-records"] [data-state="sent"]'));
    assert.match(await tid(page, 'collect-records').textContent(), /Nguyễn Văn Quét/);
    await shot(page, 'testing-02-scanned');

    // The video loops: the same card and label come round again and record nothing more.
    await page.waitForTimeout(4500);
    assert.equal(await attr(page, 'tube-count', 'data-count'), '1');
    await tid(page, 'collect-scan-stop').click();
    assert.deepEqual(await held(setup.samplerToken, setup.session.id), [`${setup.tubes[0]}:${person.id}`]);
    assert.deepEqual(page.errors, []);
  });
});

const NAMES = ['An', 'Bình', 'Chi', 'Dũng', 'Giang', 'Hà', 'Khoa', 'Lan'];

describe('offline in the middle of a session', () => {
  let setup;
  let people;
  let browser;
  let context;
  let page;

  before(async () => {
    setup = await testingSession(srv, { suffix: '2', tubes: 2, poolSize: 5 });
    people = [];
    for (const name of NAMES) people.push(await newPerson(srv, setup.officialToken, { full_name: `Trần Văn ${name}`, cccd: uniqueCccd() }));
    browser = await launch();
    ({ context, page } = await phonePage(browser));
  });

  after(async () => {
    if (browser) await browser.close();
  });

  async function typeCccd(p) {
    await tid(page, 'person-number').fill(p.cccd);
    await tid(page, 'person-number').press('Enter');
  }

  test('online: a tube and two people', async () => {
    await signIn(page, setup.sampler.username, setup.password);
    await tid(page, `session-open-${setup.session.id}`).click();
    await page.locator('[data-testid="collect-view"][data-ready="true"]').waitFor();
    await tid(page, 'tube-input').fill(setup.tubes[0]);
    await tid(page, 'tube-input').press('Enter');
    await waitAttr(page, 'current-tube', 'data-state', 'open');
    await typeCccd(people[0]);
    await waitAttr(page, 'tube-count', 'data-count', '1');
    await typeCccd(people[1]);
    await waitAttr(page, 'tube-count', 'data-count', '2');
    await waitAttr(page, 'queue-count', 'data-count', '0');
    assert.equal((await held(setup.samplerToken, setup.session.id)).length, 2);
  });

  test('offline: collection goes on, the queue grows, the tube fills and the next one starts', async () => {
    await context.setOffline(true);
    await waitAttr(page, 'net-status', 'data-online', 'false');
    for (let i = 2; i < 5; i++) {
      await typeCccd(people[i]);
      await waitAttr(page, 'tube-count', 'data-count', String(i + 1));
      await waitAttr(page, 'queue-count', 'data-count', String(i - 1));
    }
    // Five of five: the tube is full, and the next person waits for a new tube.
    assert.equal(await attr(page, 'current-tube', 'data-state'), 'full');
    assert.equal(await tid(page, 'tube-full').isVisible(), true);
    await typeCccd(people[5]);
    await waitAttr(page, 'collect-banner', 'data-state', 'wait');
    await tid(page, 'tube-input').fill(setup.tubes[1]);
    await tid(page, 'tube-input').press('Enter');
    await waitAttr(page, 'tube-count', 'data-count', '1');
    assert.equal((await tid(page, 'tube-code').textContent()).trim(), setup.tubes[1]);
    await typeCccd(people[6]);
    await waitAttr(page, 'tube-count', 'data-count', '2');
    await waitAttr(page, 'queue-count', 'data-count', '5');
    // The same person again is caught on the phone, not queued twice.
    await typeCccd(people[6]);
    await waitAttr(page, 'collect-banner', 'data-state', 'warn');
    assert.equal(await attr(page, 'queue-count', 'data-count'), '5');
    // The queue is in IndexedDB, not in the page (a reload offline keeps it: see below).
    const stored = await page.evaluate(async () => (await import('/js/components/offline-queue.js')).all().then((a) => a.filter((r) => r.state === 'queued').length));
    assert.equal(stored, 5);
    await assertNoHorizontalOverflow(page, 'collection page offline');
    await shot(page, 'testing-03-offline');
    // Nothing reached the server.
    assert.equal((await held(setup.samplerToken, setup.session.id)).length, 2);
  });

  test('back online: the queue syncs in order; the server holds every record exactly once', async () => {
    // The first answer after the network returns is lost on the way back: the server stored the
    // sample, the phone did not hear it, and sends the same client id again.
    let lost = 0;
    await page.route('**/api/v1/testing/samples', async (route) => {
      if (lost === 0) {
        lost += 1;
        await route.fetch();
        await route.abort('connectionreset');
        return;
      }
      await route.continue();
    });
    await context.setOffline(false);
    await waitAttr(page, 'net-status', 'data-online', 'true');
    await waitAttr(page, 'queue-count', 'data-count', '0', 30000);
    assert.equal(lost, 1);
    await page.unroute('**/api/v1/testing/samples');
    await waitAttr(page, 'sync-state', 'data-state', 'idle');
    const want = [
      ...people.slice(0, 5).map((p) => `${setup.tubes[0]}:${p.id}`),
      ...people.slice(5, 7).map((p) => `${setup.tubes[1]}:${p.id}`),
    ].sort();
    assert.deepEqual(await held(setup.samplerToken, setup.session.id), want);
    const rows = await page.evaluate(() => [...document.querySelectorAll('[data-testid="collect-records"] > li')].map((li) => li.getAttribute('data-state')));
    assert.deepEqual(rows, Array(7).fill('sent'));
    assert.deepEqual(page.errors, []);
  });

  test('syncing the same client ids again changes nothing', async () => {
    const ids = await page.evaluate(() => [...document.querySelectorAll('[data-testid="collect-records"] > li')]
      .map((li) => li.getAttribute('data-testid').replace(/^record-/, '')));
    assert.equal(ids.length, 7);
    const before = await held(setup.samplerToken, setup.session.id);
    const stats = srv.dbStats().tables.testing_samples;
    // Put every answered record back into the phone's queue and sync.
    const res = await page.evaluate(async ({ ids: list, sessionId, tubes, cccds }) => {
      const q = await import('/js/components/offline-queue.js');
      const answers = [];
      const off = q.listen((kind, d) => { if (kind === 'confirmed') answers.push(d.res.sample.client_id); });
      for (let i = 0; i < list.length; i++) {
        await q.add({ client_id: list[i], session_id: sessionId, tube_id: i < 5 ? tubes[0] : tubes[1], ident: { cccd: cccds[i] }, label: cccds[i], key: `again:${i}` });
      }
      await q.sync();
      await q.sync();
      off();
      return { answers, left: (await q.all()).length };
    }, { ids: ids.slice().reverse(), sessionId: setup.session.id, tubes: setup.tubes, cccds: people.slice(0, 7).map((p) => p.cccd) });
    assert.equal(res.left, 0);
    assert.deepEqual(res.answers.sort(), ids.slice().sort());
    assert.deepEqual(await held(setup.samplerToken, setup.session.id), before);
    assert.deepEqual(srv.dbStats().tables.testing_samples, stats);
  });
});

describe('a reload with no network', () => {
  let setup;
  let people;
  let browser;
  let context;
  let page;

  before(async () => {
    setup = await testingSession(srv, { suffix: '5', tubes: 2, poolSize: 5 });
    people = [];
    for (const name of ['Mai', 'Nga']) people.push(await newPerson(srv, setup.officialToken, { full_name: `Đặng Thị ${name}`, cccd: uniqueCccd() }));
    browser = await launch();
    ({ context, page } = await phonePage(browser));
  });

  after(async () => {
    if (browser) await browser.close();
  });

  /** Waits until the async check fn(arg), run in the page, answers true. */
  async function pollPage(pg, fn, arg, what, timeout = 20000) {
    const until = Date.now() + timeout;
    while (Date.now() < until) {
      if (await pg.evaluate(fn, arg)) return;
      await new Promise((r) => { setTimeout(r, 250); });
    }
    assert.fail(`timed out: ${what}`);
  }

  // Polled from here: after a reload with no network, waiting inside the page proved unreliable.
  async function waitPoll(pg, id, name, value, timeout = 15000) {
    const until = Date.now() + timeout;
    let last;
    while (Date.now() < until) {
      last = await attr(pg, id, name);
      if (last === String(value)) return;
      await new Promise((r) => { setTimeout(r, 200); });
    }
    assert.fail(`${id} ${name}: ${last}, not ${value}`);
  }

  test('the page opens offline from the service worker, keeps its queue, and syncs it once back online', async () => {
    await signIn(page, setup.sampler.username, setup.password);
    await tid(page, `session-open-${setup.session.id}`).click();
    await page.locator('[data-testid="collect-view"][data-ready="true"]').waitFor();
    // The service worker controls the page and holds the shell and the session.
    await pollPage(page, async (id) => {
      if (!navigator.serviceWorker.controller) return false;
      const api = await caches.open('cordon-api-v1');
      const shell = await caches.open('cordon-shell-v1');
      return Boolean(await api.match(`/api/v1/testing/sessions/${id}`) && await api.match('/api/v1/auth/me')
        && await shell.match('/app.js') && await shell.match('/js/views/testing-collect.js') && await shell.match('/js/i18n/vi.js'));
    }, setup.session.id, 'the service worker and its copies');
    assert.equal(await page.evaluate(() => navigator.serviceWorker.controller.scriptURL.replace(location.origin, '')), '/sw.js');
    // One person online.
    await tid(page, 'tube-input').fill(setup.tubes[0]);
    await tid(page, 'tube-input').press('Enter');
    await waitPoll(page, 'current-tube', 'data-state', 'open');
    await tid(page, 'person-number').fill(people[0].cccd);
    await tid(page, 'person-number').press('Enter');
    await waitPoll(page, 'queue-count', 'data-count', '0');
    // the session's copy is refreshed after the sample (the count a reload offline starts from)
    await pollPage(page, async ([id, tube]) => {
      const c = await (await caches.open('cordon-api-v1')).match(`/api/v1/testing/sessions/${id}`);
      return Boolean(c) && (await c.json()).tubes.some((t) => t.tube_id === tube && t.count === 1);
    }, [setup.session.id, setup.tubes[0]], 'the session copy counts the sample');

    // The network goes; the page is reloaded: it opens, with its session and tubes.
    await context.setOffline(true);
    await page.reload();
    await page.locator('[data-testid="collect-view"][data-ready="true"]').waitFor();
    assert.equal(await attr(page, 'net-status', 'data-online'), 'false');
    assert.match(await tid(page, 'collect-title').textContent(), /Nhà văn hoá tổ 5/);
    // Recorded offline: queued, named by its masked number, never the full CCCD.
    await tid(page, 'tube-input').fill(setup.tubes[0]);
    await tid(page, 'tube-input').press('Enter');
    await waitPoll(page, 'current-tube', 'data-state', 'open');
    await tid(page, 'person-number').fill(people[1].cccd);
    await tid(page, 'person-number').press('Enter');
    await waitPoll(page, 'queue-count', 'data-count', '1');
    await waitPoll(page, 'tube-count', 'data-count', '2'); // the one sampled online, and this one
    const rec = page.locator('[data-testid="collect-records"] > li[data-state="queued"]');
    assert.equal(await rec.count(), 1);
    const queuedText = await rec.textContent();
    assert.ok(!queuedText.includes(people[1].cccd), queuedText);
    assert.match(queuedText, new RegExp(`CCCD •+${people[1].cccd.slice(-3)}`));
    await assertNoHorizontalOverflow(page, 'collection page reloaded offline');
    await shot(page, 'testing-06-offline-reload');
    // A second reload offline still has the queue.
    await page.reload();
    await page.locator('[data-testid="collect-view"][data-ready="true"]').waitFor();
    await waitPoll(page, 'queue-count', 'data-count', '1');
    assert.equal((await held(setup.samplerToken, setup.session.id)).length, 1, 'nothing reached the server');

    // Back online: the queue syncs once, and the record shows the person's name.
    await context.setOffline(false);
    await waitPoll(page, 'queue-count', 'data-count', '0', 30000);
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('[data-testid="collect-records"] > li')];
      return rows.length === 1 && rows[0].getAttribute('data-state') === 'sent';
    });
    assert.match(await tid(page, 'collect-records').textContent(), /Đặng Thị Nga/);
    assert.deepEqual(await held(setup.samplerToken, setup.session.id),
      people.map((p) => `${setup.tubes[0]}:${p.id}`).sort());
    await waitPoll(page, 'sync-state', 'data-state', 'idle');
    assert.equal(srv.dbStats().tables.testing_samples.rows >= 2, true);
    assert.deepEqual(page.errors, []);
  });
});

describe('a rapid-test session: one person per test', () => {
  let setup;
  let browser;
  let page;

  before(async () => {
    setup = await testingSession(srv, { suffix: '3', tubes: 2, testType: 'rapid_antigen' });
    browser = await launch();
    ({ page } = await phonePage(browser));
  });

  after(async () => {
    if (browser) await browser.close();
  });

  test('each test takes one person; the next person waits for the next test', async () => {
    await signIn(page, setup.sampler.username, setup.password);
    await tid(page, `session-open-${setup.session.id}`).click();
    await page.locator('[data-testid="collect-view"][data-ready="true"]').waitFor();
    // A newcomer registered by phone and name, then the test's label.
    await tid(page, 'newperson').locator('summary').click();
    await tid(page, 'newperson-phone').fill('0987650001');
    await tid(page, 'newperson-name').fill('Vũ Thị Nhanh');
    await tid(page, 'newperson-submit').click();
    await waitAttr(page, 'collect-banner', 'data-state', 'wait');
    await tid(page, 'tube-input').fill(setup.tubes[0]);
    await tid(page, 'tube-input').press('Enter');
    await waitAttr(page, 'tube-count', 'data-count', '1');
    assert.equal(await attr(page, 'tube-count', 'data-capacity'), '1');
    assert.equal(await attr(page, 'current-tube', 'data-state'), 'full');
    await waitAttr(page, 'queue-count', 'data-count', '0');
    // The next person cannot go into the used test.
    await tid(page, 'newperson-phone').fill('0987650002');
    await tid(page, 'newperson-name').fill('Vũ Văn Sau');
    await tid(page, 'newperson-submit').click();
    await waitAttr(page, 'collect-banner', 'data-state', 'wait');
    await tid(page, 'tube-input').fill(setup.tubes[0]);
    await tid(page, 'tube-input').press('Enter');
    await waitAttr(page, 'collect-banner', 'data-state', 'error');
    await tid(page, 'tube-input').fill(setup.tubes[1]);
    await tid(page, 'tube-input').press('Enter');
    await page.waitForFunction((t) => document.querySelector('[data-testid="tube-code"]').textContent === t, setup.tubes[1]);
    await waitAttr(page, 'tube-count', 'data-count', '1');
    // Both records answered by the server.
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('[data-testid="collect-records"] > li')];
      return rows.length === 2 && rows.every((li) => li.getAttribute('data-state') === 'sent');
    });
    const m = await manifest(srv, setup.samplerToken, setup.session.id);
    assert.deepEqual(m.tubes.map((t) => [t.tube_id, t.pooled, t.people.map((p) => p.full_name)]).sort(),
      [[setup.tubes[0], false, ['Vũ Thị Nhanh']], [setup.tubes[1], false, ['Vũ Văn Sau']]].sort());
    assert.deepEqual(page.errors, []);
  });
});

describe('the tracing policy\'s test orders on the collection page', () => {
  let setup;
  let traced;
  let browser;
  let page;

  before(async () => {
    traced = await tracedCase(srv, { suffix: '-orders' });
    setup = await testingSession(srv, { suffix: '4', tubes: 2 });
    browser = await launch();
    ({ page } = await phonePage(browser));
  });

  after(async () => {
    if (browser) await browser.close();
  });

  test('the F1 due today are listed; one tap samples a person and the order shows sampled', async () => {
    const { a, b, c } = traced.people;
    const order = (id) => page.locator(`[data-testid="orders-list"] [data-person="${id}"]`);
    await signIn(page, setup.sampler.username, setup.password);
    await tid(page, `session-open-${setup.session.id}`).click();
    await page.locator('[data-testid="collect-view"][data-ready="true"]').waitFor();
    await order(a.id).waitFor();
    assert.equal(await order(a.id).getAttribute('data-status'), 'pending');
    assert.equal(await order(c.id).getAttribute('data-status'), 'pending');
    assert.equal(await order(b.id).count(), 0, 'F2 have no test order');
    assert.match(await tid(page, 'orders-summary').textContent(), /2 người chờ \/ 2/);
    await assertNoHorizontalOverflow(page, 'collection page with test orders');
    await shot(page, 'testing-05-orders');

    await tid(page, 'tube-input').fill(setup.tubes[0]);
    await tid(page, 'tube-submit').click();
    await waitAttr(page, 'current-tube', 'data-state', 'open');
    await order(a.id).locator('button').click();
    await page.waitForFunction((id) => document.querySelector(
      `[data-testid="orders-list"] [data-person="${id}"]`)?.getAttribute('data-status') === 'sampled', a.id, { timeout: 15000 });
    assert.equal(await order(c.id).getAttribute('data-status'), 'pending');
    assert.equal(await order(a.id).locator('button').count(), 0, 'a sampled order has no button');
    assert.match(await tid(page, 'orders-summary').textContent(), /1 người chờ \/ 2/);
    assert.deepEqual(await held(setup.samplerToken, setup.session.id), [`${setup.tubes[0]}:${a.id}`]);
    assert.deepEqual(page.errors, []);
  });
});
