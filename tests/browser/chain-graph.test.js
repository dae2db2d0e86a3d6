'use strict';
// The chain graph in a real Chromium on a 360 px phone, with a chain made through the API: the
// case F0 and two F1 at the noodle shop, and 15 people at the café with one of the F1, so that
// F1 has 15 F2. The layout (dagre) is checked from the SVG in the page: no edge segment crosses
// a node's box other than its own ends. The 15 F2 are one counted node that opens on a tap and
// closes again; the drawing stays inside the phone's width, zoom moves the view and not the
// element, and the PNG export downloads a real PNG of at most 4096 px a side. A synthetic chain
// of 950 F2 drawn by the same component stays as bounded.

const { test, before, after, describe } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { startServer } = require('../lib/server');
const { UNITS, PASSWORD } = require('../lib/fixtures');
const { clientId } = require('../lib/checkin');
const { uniqueCccd, uniquePhone, createPerson } = require('../lib/people');
const { launch, phonePage, shot, assertNoHorizontalOverflow, PHONE } = require('../lib/browser');
const { tracedCase, staffSignIn } = require('../lib/tracing-setup');

const EXTRA_F2 = 14;   // with B: 15 F2 through A, more than the 12 a node shows one by one
const GIVEN = ['An', 'Bình', 'Cường', 'Dung', 'Giang', 'Hà', 'Khoa', 'Lan', 'Minh', 'Nam', 'Oanh', 'Phúc', 'Quang', 'Sơn'];

let srv;
before(async () => { srv = await startServer(); });
after(async () => { if (srv) await srv.stop(); });

/**
 * Runs in the page: every edge segment (from the path's points) against every node and group
 * box (the node's hit rectangle, where it is drawn) other than the edge's two ends. Answers the
 * crossings found, and how many segments and boxes were checked.
 */
function crossings() {
  const svg = document.querySelector('[data-testid="chain-svg"]');
  const boxes = [];
  for (const g of svg.querySelectorAll('.chain-node, .chain-cluster')) {
    const m = /translate\(([-\d.]+)[ ,]+([-\d.]+)\)/.exec(g.getAttribute('transform'));
    const r = g.querySelector('.chain-hit');
    const x = Number(m[1]) + Number(r.getAttribute('x'));
    const y = Number(m[2]) + Number(r.getAttribute('y'));
    const key = g.classList.contains('chain-cluster') ? `c${g.dataset.testid.replace('chain-cluster-', '')}` : g.dataset.testid.replace('chain-node-', '');
    boxes.push({ key, x0: x, y0: y, x1: x + Number(r.getAttribute('width')), y1: y + Number(r.getAttribute('height')) });
  }
  // Liang–Barsky: does the segment pass through the inside of the box (shrunk by half a unit)?
  const hits = (a, b, bx) => {
    const e = 0.5;
    const [x0, y0, x1, y1] = [bx.x0 + e, bx.y0 + e, bx.x1 - e, bx.y1 - e];
    let t0 = 0;
    let t1 = 1;
    const dx = b.x - a.x;
    const dy = b.y - a.y;
    for (const [pp, q] of [[-dx, a.x - x0], [dx, x1 - a.x], [-dy, a.y - y0], [dy, y1 - a.y]]) {
      if (pp === 0) { if (q < 0) return false; continue; }
      const t = q / pp;
      if (pp < 0) { if (t > t1) return false; if (t > t0) t0 = t; } else { if (t < t0) return false; if (t < t1) t1 = t; }
    }
    return t0 < t1;
  };
  const found = [];
  let segments = 0;
  for (const g of svg.querySelectorAll('.chain-edge')) {
    const nums = g.querySelector('path').getAttribute('d').match(/-?[\d.]+/g).map(Number);
    const pts = [];
    for (let i = 0; i + 1 < nums.length; i += 2) pts.push({ x: nums[i], y: nums[i + 1] });
    for (let i = 0; i + 1 < pts.length; i++) {
      segments++;
      for (const bx of boxes) {
        if (bx.key === g.dataset.from || bx.key === g.dataset.to) continue;
        if (hits(pts[i], pts[i + 1], bx)) found.push(`${g.dataset.testid} segment ${i} crosses ${bx.key}`);
      }
    }
  }
  return { found, segments, boxes: boxes.length };
}

/** The PNG's signature and its size from the IHDR chunk. */
function pngInfo(buf) {
  return {
    signature: [...buf.subarray(0, 8)],
    chunk: buf.subarray(12, 16).toString('latin1'),
    width: buf.readUInt32BE(16),
    height: buf.readUInt32BE(20),
  };
}

describe('the chain graph of a case with a large F2 group', () => {
  let setup;
  let browser;
  let page;
  let dir;
  const tid = (id) => page.getByTestId(id);

  before(async () => {
    setup = await tracedCase(srv, { suffix: '.cg' });
    // 14 more people at the café with A: found through A on the next run.
    const ownerToken = await srv.login('chu.quan.tv.cg', PASSWORD);
    for (let i = 0; i < EXTRA_F2; i++) {
      const cccd = uniqueCccd();
      await createPerson(srv, setup.tracer.token, {
        full_name: `Khách Văn ${GIVEN[i]}`, cccd, commune_code: UNITS.phucXa, phone: uniquePhone('96'),
      });
      const r = await srv.api('POST', `/api/v1/venues/${setup.venues.cafe.id}/checkins`, {
        token: ownerToken, body: { client_id: clientId(), cccd },
      });
      assert.ok(r.status === 200 || r.status === 201, r.text);
    }
    const run = await srv.api('POST', '/api/v1/tracing/runs', { token: setup.tracer.token, body: { case_ids: [setup.caseId] } });
    assert.ok(run.status === 200 || run.status === 201, run.text);
    assert.equal(run.json.runs[0].f1, 2);
    assert.equal(run.json.runs[0].f2, EXTRA_F2 + 1);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chain-graph-'));
    browser = await launch();
    const context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, locale: 'vi-VN', acceptDownloads: true });
    context.setDefaultTimeout(15000);
    page = await context.newPage();
    page.errors = [];
    page.on('pageerror', (e) => page.errors.push(String(e && e.stack ? e.stack : e)));
    page.on('console', (m) => { if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) page.errors.push(m.text()); });
    await staffSignIn(page, srv.url, setup.tracer.username);
    await tid('tracing-view').waitFor();
  });
  after(async () => {
    if (browser) await browser.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the 15 F2 of A are one counted node; the layout keeps every edge out of other nodes', async () => {
    await page.goto(`${srv.url}/#/tracing/cases/${setup.caseId}`);
    await tid('chain-svg').waitFor();
    const { f0, a, c } = setup.people;
    const cluster = tid(`chain-cluster-${a.id}`);
    assert.equal(await cluster.getAttribute('data-count'), String(EXTRA_F2 + 1));
    assert.equal(await cluster.getAttribute('data-expanded'), 'false');
    assert.equal(await tid(`chain-cluster-count-${a.id}`).textContent(), `+${EXTRA_F2 + 1} F2`);
    assert.equal(await page.locator('.chain-node[data-degree="2"]').count(), 0, 'no F2 drawn one by one');
    const people = await page.$$eval('.chain-node', (els) => els.map((e) => e.dataset.testid).sort());
    assert.deepEqual(people, [`chain-node-${f0.id}`, `chain-node-${a.id}`, `chain-node-${c.id}`].sort());
    assert.equal(await tid('chain-summary').textContent(), `2 F1 và ${EXTRA_F2 + 1} F2`, 'the summary counts everyone');

    const x = await page.evaluate(crossings);
    assert.equal(x.segments >= 3 * 2, true, `segments checked: ${x.segments}`);
    assert.deepEqual(x.found, []);
    // The check itself finds a line drawn straight through a node (then taken away).
    await page.evaluate((id) => {
      const svg = document.querySelector('[data-testid="chain-svg"]');
      const g = document.createElementNS('http://www.w3.org/2000/svg', 'g');
      g.setAttribute('class', 'chain-edge');
      g.dataset.from = 'x';
      g.dataset.to = 'y';
      g.dataset.testid = 'control';
      const m = /translate\(([-\d.]+)[ ,]+([-\d.]+)\)/.exec(svg.querySelector(`[data-testid="chain-node-${id}"]`).getAttribute('transform'));
      const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
      path.setAttribute('d', `M ${Number(m[1]) - 80} ${m[2]} L ${Number(m[1]) + 80} ${m[2]}`);
      g.appendChild(path);
      svg.appendChild(g);
    }, a.id);
    const control = (await page.evaluate(crossings)).found;
    await page.evaluate(() => document.querySelector('[data-testid="control"]').remove());
    assert.ok(control.includes(`control segment 0 crosses ${a.id}`), `the check sees a crossing: ${control}`);
    // Layers: F0 above F1 above the group.
    const ys = await page.evaluate((ids) => ids.map((id) => document.querySelector(`[data-testid="${id}"]`).getBoundingClientRect().top),
      [`chain-node-${f0.id}`, `chain-node-${a.id}`, `chain-cluster-${a.id}`]);
    assert.ok(ys[0] < ys[1] && ys[1] < ys[2], `layers ${ys}`);
    assert.equal(await tid(`chain-cluster-${a.id}`).locator('text').last().textContent(), 'Chạm để mở');
    await assertNoHorizontalOverflow(page, 'chain with a group');
    await shot(page, 'chain-graph-01-grouped');
  });

  test('a tap opens the group into its 15 F2, still bounded and uncrossed; a tap closes it', async () => {
    const { a, b } = setup.people;
    const before = await page.$eval('[data-testid="chain-svg"]', (el) => { const r = el.getBoundingClientRect(); return { w: r.width, h: r.height }; });
    await tid(`chain-cluster-${a.id}`).click();
    await page.waitForFunction((id) => document.querySelector(`[data-testid="chain-cluster-${id}"]`).dataset.expanded === 'true', a.id);
    assert.equal(await page.locator('.chain-node[data-degree="2"]').count(), EXTRA_F2 + 1);
    // The view moves to the opened group at a readable size, inside the same box.
    const opened = await page.$eval('[data-testid="chain-svg"]', (el) => ({
      vb: el.getAttribute('viewBox').split(' ').map(Number), dw: Number(el.dataset.width), px: el.getBoundingClientRect().width,
    }));
    assert.ok(opened.vb[2] < opened.dw / 2, `zoomed onto the group: ${opened.vb} of ${opened.dw}`);
    assert.ok(opened.px / opened.vb[2] >= 0.9, 'about one pixel a unit');
    assert.ok(await tid('chain-zoom-out').isEnabled(), 'it can zoom out from there');
    await shot(page, 'chain-graph-02-open');
    await tid('chain-zoom-fit').click();
    assert.equal(await tid(`chain-cluster-count-${a.id}`).textContent(), `−${EXTRA_F2 + 1} F2`);
    await tid(`chain-edge-${a.id}-${b.id}`).waitFor({ state: 'attached' });
    assert.match(await tid(`chain-edge-label-${a.id}-${b.id}`).textContent(), /^Cà Phê Giảng · \d+ phút/);

    const x = await page.evaluate(crossings);
    assert.ok(x.boxes >= EXTRA_F2 + 5 && x.segments >= 2 * (EXTRA_F2 + 3), `checked ${x.boxes} boxes, ${x.segments} segments`);
    assert.deepEqual(x.found, []);
    // Wider drawing, same element: the viewBox holds it inside the phone's width.
    const sz = await page.$eval('[data-testid="chain-svg"]', (el) => {
      const r = el.getBoundingClientRect();
      return { w: r.width, h: r.height, vb: el.getAttribute('viewBox'), dw: Number(el.dataset.width) };
    });
    assert.ok(sz.w <= PHONE.width && sz.h <= PHONE.height, `svg ${sz.w}x${sz.h}`);
    assert.ok(Math.abs(sz.w - before.w) < 1, 'the element keeps its width');
    assert.ok(sz.dw > PHONE.width, `the drawing (${sz.dw} units) is wider than the phone`);
    assert.ok(sz.vb && sz.vb.split(' ').length === 4);
    await assertNoHorizontalOverflow(page, 'chain with the group open');

    // A person of the opened group shows their reasons.
    await tid(`chain-node-${b.id}`).click();
    await page.waitForFunction((id) => document.querySelector('[data-testid="chain-detail"]').dataset.node === String(id), b.id);
    assert.match(await tid('chain-detail-reasons').textContent(), /Cà Phê Giảng.*qua Trần Thị Một/);
    await shot(page, 'chain-graph-03-open-all');

    // Zoom moves the view, not the element; "show all" comes back.
    const vb0 = (await tid('chain-svg').getAttribute('viewBox')).split(' ').map(Number);
    await tid('chain-zoom-in').click();
    const vb1 = (await tid('chain-svg').getAttribute('viewBox')).split(' ').map(Number);
    assert.ok(vb1[2] < vb0[2] * 0.8, `zoomed: ${vb0} -> ${vb1}`);
    const w1 = await page.$eval('[data-testid="chain-svg"]', (el) => el.getBoundingClientRect().width);
    assert.ok(Math.abs(w1 - before.w) < 1);
    await tid('chain-zoom-fit').click();
    assert.deepEqual((await tid('chain-svg').getAttribute('viewBox')).split(' ').map(Number), vb0);

    await tid(`chain-cluster-${a.id}`).press('Enter');
    await page.waitForFunction((id) => document.querySelector(`[data-testid="chain-cluster-${id}"]`).dataset.expanded === 'false', a.id);
    assert.equal(await page.locator('.chain-node[data-degree="2"]').count(), 0, 'closed again');
    assert.deepEqual(page.errors, []);
  });

  test('the PNG export downloads a PNG of the whole chain, at most 4096 px a side', async () => {
    const { a } = setup.people;
    await tid(`chain-cluster-${a.id}`).click();
    await page.waitForFunction((id) => document.querySelector(`[data-testid="chain-cluster-${id}"]`).dataset.expanded === 'true', a.id);
    const [download] = await Promise.all([page.waitForEvent('download'), tid('chain-png').click()]);
    assert.equal(download.suggestedFilename(), `chuoi-lay-ca-${setup.caseId}.png`);
    const file = path.join(dir, 'chain.png');
    await download.saveAs(file);
    const buf = fs.readFileSync(file);
    const info = pngInfo(buf);
    assert.deepEqual(info.signature, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.equal(info.chunk, 'IHDR');
    assert.ok(info.width > 0 && info.height > 0 && info.width <= 4096 && info.height <= 4096, `${info.width}x${info.height}`);
    const drawn = await page.$eval('[data-testid="chain-svg"]', (el) => ({ w: Number(el.dataset.width), h: Number(el.dataset.height) }));
    assert.ok(Math.abs(info.width / info.height - drawn.w / drawn.h) < 0.05, 'the whole drawing, not the zoomed view');
    // The picture has the drawing's colours: F0's red and the edges' grey on white.
    const rgba = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 512 * 1024 * 1024 });
    assert.equal(rgba.status, 0, String(rgba.stderr));
    let red = 0;
    let white = 0;
    const px = rgba.stdout;
    for (let i = 0; i + 2 < px.length; i += 3) {
      if (px[i] > 150 && px[i + 1] < 70 && px[i + 2] < 70) red++;
      if (px[i] > 245 && px[i + 1] > 245 && px[i + 2] > 245) white++;
    }
    assert.ok(red > 100, `F0's red circle is drawn (${red} red pixels)`);
    assert.ok(white > info.width * info.height * 0.5, 'on a white background');
    assert.deepEqual(page.errors, []);
  });

  test('in English the group and the buttons speak English', async () => {
    const { a } = setup.people;
    await tid('lang-en').click();
    assert.equal(await tid(`chain-cluster-${a.id}`).locator('text').last().textContent(), 'Close');
    assert.equal(await tid('chain-png').textContent(), 'Save PNG');
    assert.equal(await tid('chain-zoom-in').getAttribute('aria-label'), 'Zoom in');
    await tid('lang-vi').click();
    assert.equal(await tid('chain-png').textContent(), 'Tải PNG');
  });

  test('a chain of 950 F2 under one F1 stays a bounded drawing and a bounded PNG', async () => {
    const r = await page.evaluate(async () => {
      const { chainGraph, toPng } = await import('/js/components/chain-graph.js');
      const dagre = (await import('/vendor/dagre.js')).default;
      const nodes = [{ id: 1, degree: 0, name: 'Ca Bệnh' }];
      const edges = [];
      for (let i = 0; i < 5; i++) { nodes.push({ id: 10 + i, degree: 1, name: `Người ${i}` }); edges.push({ from: 1, to: 10 + i, reasons: [{ source: 'household' }] }); }
      for (let i = 0; i < 950; i++) { nodes.push({ id: 1000 + i, degree: 2, name: `Khách ${i}` }); edges.push({ from: 10, to: 1000 + i, reasons: [{ source: 'venue', venue_name: 'Chợ Đồng Xuân', minutes: 30 }] }); }
      const holder = document.createElement('div');
      holder.className = 'chain-wrap';
      document.querySelector('[data-testid="chain-box"]').appendChild(holder);
      const el = chainGraph({ nodes, edges }, { dagre, caseId: 'x' });
      holder.appendChild(el);
      const svg = () => el.querySelector('svg');
      const size = () => { const b = svg().getBoundingClientRect(); return { w: b.width, h: b.height, dw: Number(svg().dataset.width) }; };
      const closed = { ...size(), nodes: el.querySelectorAll('.chain-node').length };
      const t0 = performance.now();
      el.querySelector('[data-testid="chain-cluster-10"]').dispatchEvent(new MouseEvent('click', { bubbles: true }));
      const ms = performance.now() - t0;
      const open = { ...size(), nodes: el.querySelectorAll('.chain-node').length };
      const png = await toPng(svg(), { width: Number(svg().dataset.width), height: Number(svg().dataset.height) });
      const head = new DataView(await png.slice(0, 24).arrayBuffer());
      holder.remove();
      return { closed, open, ms, pngW: head.getUint32(16), pngH: head.getUint32(20) };
    });
    assert.equal(r.closed.nodes, 6, 'F0 and 5 F1; the 950 F2 are one node');
    assert.equal(r.open.nodes, 956);
    for (const s of [r.closed, r.open]) assert.ok(s.w <= PHONE.width && s.h <= PHONE.height, `element ${s.w}x${s.h}`);
    assert.ok(r.open.dw > 20000, `the drawing is wide (${r.open.dw} units) but its element is not`);
    assert.ok(r.pngW <= 4096 && r.pngH <= 4096 && r.pngW > 0 && r.pngH > 0, `png ${r.pngW}x${r.pngH}`);
    await assertNoHorizontalOverflow(page, 'a chain of 950');
    assert.deepEqual(page.errors, []);
  });
});
