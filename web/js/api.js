// The one way the UI talks to the server: JSON over /api/v1 with the session cookie.

const TIMEOUT_MS = 20000;

export class ApiError extends Error {
  constructor({ status, code, message, field, retryAfter, requestId }) {
    super(message || code);
    this.name = 'ApiError';
    this.status = status;        // HTTP status, 0 when the server could not be reached
    this.code = code;            // error.code from the server, or network / timeout / bad_response
    this.field = field || null;  // error.field from the server
    this.retryAfter = retryAfter ?? null;
    this.requestId = requestId || null;
  }
}

let onUnauthenticated = null;

/** Called when a request made while signed in answers 401 (session expired or revoked). */
export function setUnauthenticatedHandler(fn) {
  onUnauthenticated = fn;
}

let onBehind = null;

/** Called with the number of tracing runs still being written when an answer says it is behind
 *  them (Cordon-Runs-Behind): what it shows may lack their contacts and orders for now. */
export function setBehindHandler(fn) {
  onBehind = fn;
}

/**
 * Send a request. Resolves with the parsed JSON body (null for 204); rejects with ApiError.
 * opts.query   object of query parameters (null/undefined/'' values are left out)
 * opts.body    object sent as JSON
 * opts.signal  AbortSignal: an aborted request rejects with an AbortError (not an ApiError)
 * opts.auth    false for requests where 401 is an expected answer (login, who-am-i)
 * opts.blob    true to resolve with the body as a Blob (a PDF); errors are JSON as ever
 */
export async function api(method, path, opts = {}) {
  let url = path;
  if (opts.query) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(opts.query)) {
      if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
    }
    const qs = q.toString();
    if (qs) url += `?${qs}`;
  }
  const headers = { Accept: 'application/json' };
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(opts.body);
  }

  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), TIMEOUT_MS);
  const relay = () => timeout.abort();
  if (opts.signal) {
    if (opts.signal.aborted) timeout.abort();
    else opts.signal.addEventListener('abort', relay, { once: true });
  }
  init.signal = timeout.signal;

  let res;
  let text;
  let blob = null;
  try {
    res = await fetch(url, init);
    if (opts.blob && res.ok) blob = await res.blob();
    else text = await res.text();
  } catch (e) {
    if (opts.signal && opts.signal.aborted) throw abortError();
    if (timeout.signal.aborted) throw new ApiError({ status: 0, code: 'timeout', message: 'request timed out' });
    throw new ApiError({ status: 0, code: 'network', message: e && e.message });
  } finally {
    clearTimeout(timer);
    if (opts.signal) opts.signal.removeEventListener('abort', relay);
  }
  if (opts.signal && opts.signal.aborted) throw abortError();
  if (blob) return blob;

  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = undefined; }
  }
  const requestId = res.headers.get('X-Request-Id');
  if (!res.ok) {
    const e = (data && typeof data === 'object' && data.error) || {};
    const err = new ApiError({
      status: res.status,
      code: e.code || (res.status >= 500 ? 'server_error' : `http_${res.status}`),
      message: e.message || res.statusText,
      field: e.field,
      retryAfter: res.headers.get('Retry-After'),
      requestId,
    });
    if (res.status === 401 && opts.auth !== false && onUnauthenticated) onUnauthenticated(err);
    throw err;
  }
  const behind = Number(res.headers.get('Cordon-Runs-Behind'));
  if (behind > 0 && onBehind) onBehind(behind);
  if (res.status === 204 || !text) return null;
  if (data === undefined) {
    throw new ApiError({ status: res.status, code: 'bad_response', message: 'response is not JSON', requestId });
  }
  return data;
}

/** POST a file as the raw body; resolves with the JSON answer or rejects with ApiError. */
export async function postFile(path, file, signal) {
  let res;
  try {
    res = await fetch(path, { method: 'POST', body: file, credentials: 'same-origin', cache: 'no-store', signal, headers: { Accept: 'application/json', 'Content-Type': 'application/octet-stream' } });
  } catch (e) {
    if (signal && signal.aborted) throw e;
    throw new ApiError({ status: 0, code: 'network', message: e && e.message });
  }
  let data = null;
  try { data = await res.json(); } catch { data = null; }
  if (!res.ok) {
    const er = (data && data.error) || {};
    throw new ApiError({ status: res.status, code: er.code || `http_${res.status}`, message: er.message || res.statusText, field: er.field, requestId: res.headers.get('X-Request-Id') });
  }
  return data;
}

function abortError() {
  return new DOMException('request aborted', 'AbortError');
}

export function isAbort(e) {
  return e && e.name === 'AbortError';
}

/**
 * A promise shared by several pages, awaited by one of them: rejects with an AbortError when
 * signal aborts (that page is left), without touching the shared work the others still await.
 */
export function untilAborted(shared, signal) {
  if (!signal) return shared;
  if (signal.aborted) return Promise.reject(abortError());
  return new Promise((resolve, reject) => {
    const leave = () => reject(abortError());
    signal.addEventListener('abort', leave, { once: true });
    shared.then(resolve, reject).finally(() => signal.removeEventListener('abort', leave));
  });
}

export const get = (path, opts) => api('GET', path, opts);
export const post = (path, body, opts = {}) => api('POST', path, { ...opts, body });
export const patch = (path, body, opts = {}) => api('PATCH', path, { ...opts, body });
export const put = (path, body, opts = {}) => api('PUT', path, { ...opts, body });
export const del = (path, opts) => api('DELETE', path, opts);

/**
 * A write the server makes idempotent by a client-generated id: the id is kept in
 * localStorage under `slot` until the server answers (2xx or a 4xx refusal), so a retry
 * after a lost answer, a reload or a crash reuses it and never stores the thing twice.
 * body(clientId) builds the request body.
 */
export async function idempotentPost(slot, path, body, opts = {}) {
  const key = `cordon.pending.${slot}`;
  let clientId = null;
  try { clientId = window.localStorage.getItem(key); } catch { /* storage disabled */ }
  if (!clientId || !/^[A-Za-z0-9_-]{8,64}$/.test(clientId)) {
    clientId = newClientId();
    try { window.localStorage.setItem(key, clientId); } catch { /* kept in memory only */ }
  }
  try {
    const res = await api('POST', path, { ...opts, body: body(clientId) });
    forget(key);
    return res;
  } catch (e) {
    // A definite refusal ends this attempt; a lost answer (network, timeout, 5xx) keeps the id.
    if (e instanceof ApiError && e.status >= 400 && e.status < 500 && e.status !== 408 && e.status !== 429) forget(key);
    throw e;
  }
}

function forget(key) {
  try { window.localStorage.removeItem(key); } catch { /* nothing kept */ }
}

/** A short stable digest of a JSON value, to tell one pending submission from another. */
export function fingerprint(value) {
  const text = JSON.stringify(value);
  let hsh = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hsh ^= text.charCodeAt(i);
    hsh = Math.imul(hsh, 0x01000193) >>> 0;
  }
  return hsh.toString(36);
}

export function newClientId() {
  if (window.crypto && typeof window.crypto.randomUUID === 'function') return window.crypto.randomUUID();
  const b = new Uint8Array(16);
  window.crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** Path segment escaping for ids and codes taken from the URL. */
export const seg = (s) => encodeURIComponent(String(s));
