'use strict';
// The commune health station starts the callbot from a phone: the F1 not yet reached are called
// (a second baresip on loopback plays their phones); the page shows the list queued, then each
// call's outcome as it comes: one F1 answered (symptoms yes, the rest no, the declaration's
// reference), the other not reached after its retry. Vietnamese first, then English.

const { test, before, after, describe } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startServer, freePort } = require('../lib/server');
const { launch, phonePage, shot, assertNoHorizontalOverflow } = require('../lib/browser');
const { tracedCase, staffSignIn } = require('../lib/tracing-setup');
const { startCallee } = require('../lib/sip-callee');

describe('callbot page', () => {
  let srv;
  let callee;
  let browser;
  let page;
  let traced;
  let dir;
  const tid = (id) => page.getByTestId(id);
  // A wait that fails tells what the server and the callee saw.
  const explained = (wait) => wait.catch((e) => {
    e.message += `\n${callee.story(srv.stderr())}`;
    throw e;
  });

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-callbot-'));
    const calleePort = await freePort();
    srv = await startServer({
      env: {
        CORDON_SIP_URL: 'sip:cordon@127.0.0.1',
        CORDON_SIP_LISTEN: `127.0.0.1:${await freePort()}`,
        CORDON_CALLBOT_DIAL: `sip:{phone}@127.0.0.1:${calleePort}`,
        CORDON_CALLBOT_RETRY: '2',
        CORDON_CALLBOT_HOURS: '0-24',
        CORDON_CALLBOT_RING_SECONDS: '3',
        CORDON_CALLBOT_DIR: dir,
      },
    });
    traced = await tracedCase(srv);
    callee = await startCallee({
      sipPort: calleePort, answer: { [traced.people.a.phone]: ['1', '2', '2'] }, ring: [traced.people.c.phone],
    });
    browser = await launch();
    ({ page } = await phonePage(browser));
    await staffSignIn(page, srv.url, traced.official.username, traced.official.password);
    await page.waitForFunction(() => !location.hash.startsWith('#/login'));
  });
  after(async () => {
    if (browser) await browser.close();
    if (callee) await callee.stop();
    if (srv) await srv.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the F1 are called and the page follows each call', async () => {
    await page.goto(`${srv.url}/#/callbot`);
    await tid('callbot-empty').waitFor();
    await assertNoHorizontalOverflow(page, 'callbot page, empty');
    await tid('callbot-start-f1').click();
    await tid('callbot-started').waitFor();
    assert.match(await tid('callbot-started').textContent(), /Đã xếp 2 cuộc gọi/);
    const a = page.locator('[data-testid^="callbot-call-"]', { hasText: 'Trần Thị Một' });
    const c = page.locator('[data-testid^="callbot-call-"]', { hasText: 'Phạm Thị Ba' });
    // The page refreshes itself while calls wait: no reload by hand.
    await explained(a.locator('[data-testid^="callbot-status-"]', { hasText: 'Đã trả lời' }).waitFor({ timeout: 60000 }));
    await explained(c.locator('[data-testid^="callbot-status-"]', { hasText: 'Không liên lạc được' }).waitFor({ timeout: 60000 }));
    assert.equal(await a.locator('[data-testid^="callbot-symptoms-"]').textContent(), 'Có');
    assert.equal(await a.locator('[data-testid^="callbot-exposure-"]').textContent(), 'Không');
    assert.equal(await a.locator('[data-testid^="callbot-help-"]').textContent(), 'Không');
    assert.match(await a.locator('[data-testid^="callbot-ref-"]').textContent(), /^TK-\d{8}-/);
    assert.equal(await c.locator('[data-testid^="callbot-attempts-"]').textContent(), '2');
    assert.equal(await c.locator('[data-testid^="callbot-error-"]').textContent(), 'Không nghe máy');
    assert.equal(await c.locator('[data-testid^="callbot-symptoms-"]').textContent(), 'Chưa trả lời');
    assert.equal(await tid('callbot-disabled').count(), 0, 'this server runs the callbot');
    await assertNoHorizontalOverflow(page, 'callbot page with calls');
    await shot(page, 'callbot-01-calls');
    assert.deepEqual(page.errors, []);
  });

  test('the page reads in English after the switch', async () => {
    await tid('lang-en').click();
    const a = page.locator('[data-testid^="callbot-call-"]', { hasText: 'Trần Thị Một' });
    await a.locator('[data-testid^="callbot-status-"]', { hasText: 'Answered' }).waitFor();
    assert.match(await tid('callbot-start-f1').textContent(), /Call the F1 not yet reached/);
    await assertNoHorizontalOverflow(page, 'callbot page in English');
    await tid('lang-vi').click();
    assert.deepEqual(page.errors, []);
  });
});
