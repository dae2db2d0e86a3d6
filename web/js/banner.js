// A one-line message under the header (signed out, session expired, ...).

import { h, replace } from './dom.js';

let keep = 0;

function el() {
  return document.querySelector('[data-testid="banner"]');
}

/** Show `key`; it stays through `survive` route changes, then hides. */
export function showBanner(key, kind = 'info', survive = 1, args = undefined) {
  const box = el();
  box.className = `banner banner-${kind}`;
  box.setAttribute('data-kind', kind);
  replace(box, h('span', { t: key, tArgs: args }));
  box.hidden = false;
  keep = survive;
}

export function hideBanner() {
  el().hidden = true;
}

/** Called on every route change. */
export function bannerRouteChanged() {
  if (keep > 0) { keep -= 1; return; }
  hideBanner();
}
