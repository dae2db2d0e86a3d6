// The service worker (web/sw.js) that lets the app open with no network. Registered at start;
// keepOffline(paths) asks it to keep copies of API reads a page needs to open offline (only
// those the worker allows), fetched through it now, since the reads made before it took
// control of the page went past it.

export function registerOffline() {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register('/sw.js').catch((e) => console.warn('service worker', e));
}

export function keepOffline(paths) {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.ready.then((reg) => {
    if (reg.active) reg.active.postMessage({ type: 'keep', paths });
  }).catch(() => {});
}
