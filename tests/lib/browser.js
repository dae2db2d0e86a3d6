'use strict';
// Helpers for the browser tests: Chromium launched as the notes say (fake camera fed a Y4M
// file), phone-sized pages, a layout check, and turning a server PNG holding a QR code into a
// camera video with the code large in the frame.

const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('playwright-core');
const jsQR = require('jsqr');

const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
const BASE_FLAGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const PHONE = { width: 360, height: 740 };
// Screenshots for a person to look at, only when asked for: CORDON_SHOTS_DIR=/tmp/shots.
const SHOTS = process.env.CORDON_SHOTS_DIR || null;

// Clock runs (scripts/test-all.sh): the test process and the server run under libfaketime,
// CORDON_TEST_CLOCK_OFFSET seconds away from the real time. Chromium does not start under
// libfaketime, so it runs on the real clock and every page gets Date shifted by the same offset.
const CLOCK_OFFSET_MS = Number(process.env.CORDON_TEST_CLOCK_OFFSET || 0) * 1000;

/* Runs in the page before its scripts: Date.now() and new Date() read the shifted clock. */
function shiftPageClock(offsetMs) {
  const RealDate = Date;
  class ShiftedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(RealDate.now() + offsetMs);
      else super(...args);
    }

    static now() { return RealDate.now() + offsetMs; }
  }
  globalThis.Date = ShiftedDate;
}

/** Chromium; with camFile (absolute path of a Y4M) the fake camera shows that file. */
async function launch(camFile) {
  const args = [...BASE_FLAGS];
  if (camFile) {
    args.push('--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${camFile}`);
  }
  const env = { ...process.env };
  delete env.LD_PRELOAD;
  delete env.FAKETIME;
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args, env });
  if (CLOCK_OFFSET_MS) {
    const newContext = browser.newContext.bind(browser);
    browser.newContext = async (opts) => {
      const context = await newContext(opts);
      await context.addInitScript(shiftPageClock, CLOCK_OFFSET_MS);
      return context;
    };
  }
  return browser;
}

/** A phone-sized page; errors thrown in the page and console errors are collected in page.errors. */
async function phonePage(browser, { camera = false } = {}) {
  const context = await browser.newContext({
    viewport: PHONE, isMobile: true, hasTouch: true, locale: 'vi-VN',
    permissions: camera ? ['camera'] : [],
  });
  context.setDefaultTimeout(15000);
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e && e.stack ? e.stack : e)));
  page.on('console', (m) => {
    // Refused requests are logged by the browser itself; anything else is the page's fault.
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) page.errors.push(m.text());
  });
  return { context, page };
}

async function shot(page, name) {
  if (!SHOTS) return;
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

/**
 * Fails naming the elements that stick out to the right of the viewport.  Elements inside a
 * container that scrolls sideways on purpose (wide tables, the phone menu) do not count: the
 * page itself must not scroll sideways.
 */
async function assertNoHorizontalOverflow(page, where) {
  const r = await page.evaluate(() => {
    const vw = document.documentElement.clientWidth;
    const scrollsSideways = (el) => {
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        const o = getComputedStyle(p).overflowX;
        if (o === 'auto' || o === 'scroll') return true;
      }
      return false;
    };
    const wide = [];
    for (const el of document.querySelectorAll('body *')) {
      const b = el.getBoundingClientRect();
      if (b.width > 0 && b.right > vw + 0.5 && !scrollsSideways(el)) {
        wide.push(`${el.tagName.toLowerCase()}${el.dataset.testid ? `[${el.dataset.testid}]` : ''}.${el.className} right=${Math.round(b.right)}`);
      }
    }
    return { vw, sw: document.documentElement.scrollWidth, bw: document.body.scrollWidth, wide: wide.slice(0, 10) };
  });
  assert.ok(r.sw <= r.vw && r.bw <= r.vw,
    `${where}: page is ${r.sw}px wide in a ${r.vw}px viewport; too wide: ${r.wide.join(', ')}`);
  assert.deepEqual(r.wide, [], `${where}: elements overflow the ${r.vw}px viewport`);
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'buffer', maxBuffer: 256 * 1024 * 1024, timeout: 60000 });
  if (r.error || r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.error ? r.error.message : r.stderr.toString()}`);
  return r.stdout;
}

/** Decodes the QR code in a PNG (through ffmpeg to RGBA, then jsQR): { data, location, width, height }. */
function decodePng(pngFile) {
  const probe = run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height',
    '-of', 'csv=p=0:s=x', pngFile]).toString().trim();
  const [width, height] = probe.split('x').map(Number);
  const rgba = run('ffmpeg', ['-v', 'error', '-i', pngFile, '-f', 'rawvideo', '-pix_fmt', 'rgba', '-']);
  const code = jsQR(new Uint8ClampedArray(rgba.buffer, rgba.byteOffset, rgba.length), width, height);
  if (!code) throw new Error(`no QR code found in ${pngFile}`);
  return { data: code.data, location: code.location, width, height };
}

/**
 * A one-frame 4:2:0 Y4M (Chromium loops it) showing the QR code of pngFile cropped out with a
 * quiet zone, scaled up with nearest-neighbour and padded white to 640x480. Returns what the
 * code says.
 */
function qrPngToY4m(pngFile, y4mFile) {
  const { data, location, width, height } = decodePng(pngFile);
  const xs = [location.topLeftCorner.x, location.topRightCorner.x, location.bottomLeftCorner.x, location.bottomRightCorner.x];
  const ys = [location.topLeftCorner.y, location.topRightCorner.y, location.bottomLeftCorner.y, location.bottomRightCorner.y];
  const side = Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys));
  const margin = Math.ceil(side * 0.15);
  const x = Math.max(0, Math.floor(Math.min(...xs)) - margin);
  const y = Math.max(0, Math.floor(Math.min(...ys)) - margin);
  const w = Math.min(width - x, Math.ceil(side) + 2 * margin);
  const hgt = Math.min(height - y, Math.ceil(side) + 2 * margin);
  const sq = Math.min(w, hgt);
  run('ffmpeg', ['-v', 'error', '-y', '-i', pngFile, '-frames:v', '1', '-vf',
    `crop=${sq}:${sq}:${x}:${y},scale=420:420:flags=neighbor,pad=640:480:(ow-iw)/2:(oh-ih)/2:color=white,format=yuv420p`,
    '-r', '10', y4mFile]);
  return data;
}

/** Saves a binary API answer to a file. */
async function download(srv, urlPath, token, file) {
  const res = await fetch(srv.url + urlPath, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200, `GET ${urlPath}: ${res.status}`);
  fs.writeFileSync(file, Buffer.from(await res.arrayBuffer()));
  return file;
}

/** The newest one-time code sent to a phone, read from the outbox as the national admin. */
async function latestOtp(srv, adminToken, phone) {
  const r = await srv.api('GET', `/api/v1/outbox?recipient=${encodeURIComponent(phone)}&kind=otp`, { token: adminToken });
  assert.equal(r.status, 200, `outbox: ${r.status} ${r.text}`);
  const m = (r.json.messages || [])[0];
  assert.ok(m, `no code in the outbox for ${phone}`);
  const code = /\b(\d{6})\b/.exec(m.text);
  assert.ok(code, `no 6-digit code in "${m.text}"`);
  return code[1];
}

/**
 * Signs a staff account in through the sign-in page: the previous account's cookies are cleared
 * and the page is loaded in full (not a hash change), so it forgets the previous account.
 */
async function staffLogin(page, baseUrl, username, password) {
  await page.context().clearCookies();
  await page.goto(`${baseUrl}/?as=${username}#/login`);
  await page.getByTestId('login-view').waitFor();
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
}

/**
 * Keeps what a page asks of the API and hears back, so that a wait that fails can say why:
 * diary.explain(srv, what) gives the page's API requests with their times and answers, the
 * page's errors and the server's warnings and errors. `keep` picks server lines worth showing.
 */
function pageDiary(page, { keep = () => false } = {}) {
  const asked = [];
  const t0 = Date.now();
  page.on('request', (q) => { if (q.url().includes('/api/')) asked.push({ q, at: Date.now() - t0, end: 'pending' }); });
  const ended = (q, end) => { const a = asked.find((x) => x.q === q); if (a) a.end = `${end} at ${Date.now() - t0} ms`; };
  page.on('requestfinished', async (q) => ended(q, String((await q.response())?.status())));
  page.on('requestfailed', (q) => ended(q, q.failure()?.errorText));
  return {
    explain(srv) {
      const origin = new URL(page.url()).origin;
      const requests = asked.map((a) => `${a.q.method()} ${a.q.url().replace(origin, '')} at ${a.at} ms: ${a.end}`);
      const served = srv.stderr().split('\n').filter((l) => keep(l) || /level=(warn|error)/.test(l)).slice(-30);
      return `page errors: ${JSON.stringify(page.errors || [])}\nrequests:\n${requests.join('\n')}\nserver:\n${served.join('\n')}`;
    },
  };
}

module.exports = { launch, phonePage, pageDiary, shot, assertNoHorizontalOverflow, qrPngToY4m, decodePng, download, latestOtp, staffLogin, PHONE };
