// Browser libraries the server serves from npm at /vendor/ (classic scripts that define a
// global), loaded once, when a page first needs them.

const loading = new Map();

/** Loads a classic script once; resolves with window[globalName]. */
export function loadScript(src, globalName) {
  if (window[globalName]) return Promise.resolve(window[globalName]);
  if (!loading.has(src)) {
    loading.set(src, new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = src;
      s.async = true;
      s.onload = () => (window[globalName] ? resolve(window[globalName]) : reject(new Error(`${globalName} missing`)));
      s.onerror = () => { loading.delete(src); reject(new Error(`${src} could not be loaded`)); };
      document.head.appendChild(s);
    }));
  }
  return loading.get(src);
}

/** Adds a stylesheet once. */
export function loadStyle(href) {
  if (document.querySelector(`link[rel="stylesheet"][href="${href}"]`)) return;
  const l = document.createElement('link');
  l.rel = 'stylesheet';
  l.href = href;
  document.head.appendChild(l);
}
