// A camera QR scanner: the back camera (getUserMedia, facingMode environment) in a <video>,
// frames copied to a canvas a few times a second and decoded with jsQR, which the server
// serves from npm at /vendor/jsQR.js (a classic script defining window.jsQR).
//
// The camera is released when the scanner is stopped, when the signal given at creation
// fires (the user navigated away), or when the page is hidden.

import { h, replace, clear, withBusy } from '../dom.js';
import { loadScript } from '../vendor.js';

const FRAME_MS = 120;       // time between decode attempts
const MAX_SIDE = 640;       // frames are scaled down to this for decoding

/** Loads /vendor/jsQR.js once; resolves with the jsQR function. */
export function loadJsQR() {
  return loadScript('/vendor/jsQR.js', 'jsQR');
}

/**
 * opts.onCode(text)  called for each decoded code (repeats of the same text within
 *                    opts.repeatMs, default 2500 ms, are dropped); return true to stop scanning
 * opts.signal        AbortSignal that stops the scanner
 * opts.testid        data-testid prefix (default scanner)
 * Returns { el, start(), stop(), running() }.
 */
export function qrScanner(opts = {}) {
  const tid = opts.testid || 'scanner';
  const repeatMs = opts.repeatMs ?? 2500;
  const video = h('video', { class: 'scanner-video', testid: `${tid}-video`, playsinline: true, muted: true, autoplay: true });
  video.muted = true;
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  const status = h('p', { class: 'scanner-status', testid: `${tid}-status`, 'aria-live': 'polite', 'data-state': 'idle' });
  const frame = h('div', { class: 'scanner-frame', hidden: true }, video, h('span', { class: 'scanner-aim', 'aria-hidden': 'true' }));
  const el = h('div', { class: 'scanner', testid: tid }, frame, status);

  let stream = null;
  let timer = null;
  let last = { text: null, at: 0 };
  let decode = null;

  function setStatus(state, key) {
    status.setAttribute('data-state', state);
    if (key) replace(status, h('span', { t: key })); else clear(status);
  }

  async function start() {
    if (stream) return;
    setStatus('starting', 'scanner.starting');
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      setStatus('error', 'scanner.unsupported');
      return;
    }
    try {
      const [fn, s] = await Promise.all([
        loadJsQR(),
        navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false }),
      ]);
      decode = fn;
      if (opts.signal && opts.signal.aborted) { for (const t of s.getTracks()) t.stop(); return; }
      stream = s;
    } catch (e) {
      const name = e && e.name;
      setStatus('error', name === 'NotAllowedError' || name === 'SecurityError' ? 'scanner.denied'
        : name === 'NotFoundError' || name === 'OverconstrainedError' ? 'scanner.no_camera' : 'scanner.failed');
      return;
    }
    video.srcObject = stream;
    frame.hidden = false;
    try { await video.play(); } catch { /* autoplay of a muted inline video is allowed; frames still arrive */ }
    setStatus('scanning', 'scanner.scanning');
    tick();
  }

  function tick() {
    timer = setTimeout(() => {
      if (!stream) return;
      const w = video.videoWidth;
      const hgt = video.videoHeight;
      if (w && hgt) {
        const scale = Math.min(1, MAX_SIDE / Math.max(w, hgt));
        canvas.width = Math.round(w * scale);
        canvas.height = Math.round(hgt * scale);
        ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
        const img = ctx.getImageData(0, 0, canvas.width, canvas.height);
        const code = decode(img.data, img.width, img.height, { inversionAttempts: 'attemptBoth' });
        if (code && code.data) {
          const now = Date.now();
          if (code.data !== last.text || now - last.at > repeatMs) {
            last = { text: code.data, at: now };
            let done = false;
            try { done = opts.onCode(code.data) === true; } catch (e) { console.error(e); }
            if (done) { stop(); return; }
          }
          last.at = now;
        }
      }
      tick();
    }, FRAME_MS);
  }

  function stop() {
    clearTimeout(timer);
    timer = null;
    if (stream) for (const t of stream.getTracks()) t.stop();
    stream = null;
    video.srcObject = null;
    frame.hidden = true;
    if (status.getAttribute('data-state') !== 'error') setStatus('stopped', null);
  }

  if (opts.signal) opts.signal.addEventListener('abort', stop, { once: true });
  const onHide = () => { if (document.hidden) stop(); };
  document.addEventListener('visibilitychange', onHide);
  if (opts.signal) opts.signal.addEventListener('abort', () => document.removeEventListener('visibilitychange', onHide), { once: true });

  return { el, start, stop, running: () => Boolean(stream) };
}

/** Wires a scanner's start and stop buttons: one of the two shows, as the camera runs or not. */
export function scannerButtons(scanner, startBtn, stopBtn) {
  startBtn.addEventListener('click', async () => {
    await withBusy(startBtn, () => scanner.start());
    const on = scanner.running();
    startBtn.hidden = on;
    stopBtn.hidden = !on;
  });
  stopBtn.addEventListener('click', () => { scanner.stop(); startBtn.hidden = false; stopBtn.hidden = true; });
}
