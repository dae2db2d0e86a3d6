// "Scan a poster": the camera reads a venue poster's QR code and, when it is a poster of
// this server, opens its check-in page.

import { h, replace, withBusy } from '../dom.js';
import { isAbort } from '../api.js';
import { errorBox } from '../errors.js';
import { qrScanner } from '../components/qr-scanner.js';
import { parsePosterUrl, localPosterPath } from '../poster.js';

export function scanPosterView({ root, signal }) {
  const result = h('div', { class: 'scan-result', 'aria-live': 'assertive', testid: 'scan-result' });
  let busy = false;

  const scanner = qrScanner({
    signal,
    testid: 'poster-scanner',
    onCode(text) {
      if (busy) return false;
      const poster = parsePosterUrl(text);
      if (!poster) {
        replace(result, h('p', { class: 'alert alert-denied', testid: 'scan-not-poster', t: 'scan.not_poster' }));
        return false;
      }
      busy = true;
      replace(result, h('p', { class: 'loading', testid: 'scan-found' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), h('span', { t: 'scan.opening' })));
      localPosterPath(poster, signal).then((path) => {
        if (signal.aborted) return;
        if (!path) {
          busy = false;
          replace(result, h('p', { class: 'alert alert-denied', testid: 'scan-foreign', t: 'scan.foreign_poster' }));
          return;
        }
        scanner.stop();
        window.location.assign(path);
      }).catch((e) => {
        busy = false;
        if (!isAbort(e)) replace(result, errorBox(e, 'other'));
      });
      return false;
    },
  });

  const startBtn = h('button', { type: 'button', class: 'btn btn-primary btn-block btn-big', testid: 'scan-start', t: 'scan.start' });
  startBtn.addEventListener('click', () => withBusy(startBtn, () => scanner.start()).then(() => { startBtn.hidden = scanner.running(); }));

  root.appendChild(h('section', { class: 'panel panel-narrow', testid: 'scan-poster-view' },
    h('h1', { t: 'scan.title' }),
    h('p', { class: 'lead', t: 'scan.lead' }),
    startBtn, scanner.el, result,
    h('p', null, h('a', { href: '#/me', t: 'common.back' }))));
  // Opened from the "Scan a poster" button: that tap is the user's go-ahead for the camera.
  startBtn.click();
}
