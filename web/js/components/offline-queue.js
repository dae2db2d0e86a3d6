// Outboxes for pages that must work with no network: every record goes first into IndexedDB
// (database cordon-offline, one object store per page, in the order taken), then to the server
// in that order. A record leaves the queue when the server answers it (201 stored, or 200: it
// already had that client id, so a second sync changes nothing). A definite refusal (a 4xx
// other than 401, 408 and 429) marks the record rejected and keeps it for the user to see; a
// lost answer (no network, timeout, 5xx) stops the sync, which is tried again on the 'online'
// event, every RETRY_MS, and whenever a record is added.
//
// createQueue(store, send) makes one; the module's own exports are the collection page's
// (store samples): { seq, client_id, session_id, tube_id, ident: {person_qr|declaration_qr|
// cccd|bhyt|phone+full_name}, label, created_at, state: 'queued'|'rejected', error? }. The
// checkpoint page's is in views/checkpoint.js (store passages).

import { post, ApiError } from '../api.js';
import { h } from '../dom.js';
import { formatNumber, markI18n } from '../i18n.js';

const DB_NAME = 'cordon-offline';
const DB_VERSION = 2; // 1: samples; 2: passages
const STORES = ['samples', 'passages'];
const RETRY_MS = 10000;

let dbPromise = null;

function openDb() {
  if (!dbPromise) {
    dbPromise = new Promise((resolve, reject) => {
      const req = indexedDB.open(DB_NAME, DB_VERSION);
      req.onupgradeneeded = () => {
        const db = req.result;
        for (const name of STORES) {
          if (db.objectStoreNames.contains(name)) continue;
          const s = db.createObjectStore(name, { keyPath: 'seq', autoIncrement: true });
          s.createIndex('client_id', 'client_id', { unique: true });
        }
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => { dbPromise = null; reject(req.error); };
    });
  }
  return dbPromise;
}

/** Runs fn(store) in one transaction; resolves with the value of the request fn returns. */
async function tx(STORE, mode, fn) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const t = db.transaction(STORE, mode);
    const req = fn(t.objectStore(STORE));
    let value;
    if (req) req.onsuccess = () => { value = req.result; };
    t.oncomplete = () => resolve(value);
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error);
  });
}

function retryable(e) {
  if (!(e instanceof ApiError)) return true;
  return e.status === 0 || e.status >= 500 || e.status === 401 || e.status === 408 || e.status === 429;
}

/**
 * A queue over object store STORE (one of STORES); send(record) posts a record and resolves
 * with the server's answer. Returns { all, add, dismiss, listen, start, sync }.
 */
export function createQueue(STORE, send) {
  /** Every record, oldest first. */
  function all() {
    return tx(STORE, 'readonly', (s) => s.getAll());
  }

  /** Adds a record (state queued); resolves with it, seq filled in. Durable once resolved. */
  async function add(rec) {
    const r = { ...rec, state: 'queued', created_at: rec.created_at || Math.floor(Date.now() / 1000) };
    r.seq = await tx(STORE, 'readwrite', (s) => s.add(r));
    emit('added', r);
    schedule(0);
    return r;
  }

  /** Forgets a rejected record (the user has seen it). */
  async function dismiss(seq) {
    await tx(STORE, 'readwrite', (s) => s.delete(seq));
    emit('dismissed', { seq });
  }

  /* ---------------------------------------------------------------- sync */

  const listeners = new Set();
  let running = null;
  let timer = null;
  let wired = false;

  /**
   * fn(kind, data) for: 'added' (record), 'confirmed' ({record, res, status}), 'rejected'
   * (record with error), 'dismissed' ({seq}), 'sync' ({state: 'running'|'idle'|'waiting'}).
   * Returns a function that removes the listener.
   */
  function listen(fn) {
    listeners.add(fn);
    wire();
    return () => listeners.delete(fn);
  }

  function emit(kind, data) {
    for (const fn of listeners) {
      try { fn(kind, data); } catch (e) { console.error(e); }
    }
  }

  /** Starts syncing (the 'online' event and retries) without a page listening: for a user's session. */
  function start() {
    wire();
  }

  function wire() {
    if (wired) return;
    wired = true;
    window.addEventListener('online', () => schedule(0));
    schedule(0);
  }

  function schedule(ms) {
    clearTimeout(timer);
    timer = setTimeout(() => { sync(); }, ms);
  }

  /** Sends the queued records in order; resolves when the queue is empty or a send failed. */
  function sync() {
    if (running) return running;
    running = (async () => {
      let waiting = false;
      emit('sync', { state: 'running' });
      try {
        for (;;) {
          const next = (await all()).find((r) => r.state === 'queued');
          if (!next) break;
          if (navigator.onLine === false) { waiting = true; break; }
          try {
            const res = await send(next);
            await tx(STORE, 'readwrite', (s) => s.delete(next.seq));
            emit('confirmed', { record: next, res });
          } catch (e) {
            if (retryable(e)) { waiting = true; break; }
            const bad = {
              ...next, state: 'rejected',
              error: { status: e.status, code: e.code, field: e.field, message: e.message },
            };
            await tx(STORE, 'readwrite', (s) => s.put(bad));
            emit('rejected', bad);
          }
        }
      } catch (e) {
        // IndexedDB itself failed: try again later rather than lose the queue.
        console.error(e);
        waiting = true;
      } finally {
        running = null;
      }
      emit('sync', { state: waiting ? 'waiting' : 'idle' });
      if (waiting) schedule(RETRY_MS);
    })();
    return running;
  }

  return { all, add, dismiss, listen, start, sync };
}

const samples = createQueue('samples', (r) => post('/api/v1/testing/samples', {
  client_id: r.client_id, session_id: r.session_id, tube_id: r.tube_id, ...r.ident,
}));
export const { all, add, dismiss, listen, start, sync } = samples;

/**
 * The line at the top of a page that records offline: whether the phone is online, how many
 * records wait in the queue, and the state of the last sync. The page calls renderNet on the
 * online/offline events, setQueued when its records change and setSync on the queue's 'sync' event.
 */
export function queueStatus() {
  const net = h('span', { class: 'badge net', testid: 'net-status' });
  const queued = h('span', { class: 'badge', testid: 'queue-count', 'data-count': '0' });
  const syncState = h('span', { class: 'muted small', testid: 'sync-state', 'data-state': 'idle' });
  return {
    el: h('div', { class: 'netline' }, net, queued, syncState),
    renderNet() {
      const on = navigator.onLine !== false;
      net.setAttribute('data-online', String(on));
      net.className = on ? 'badge badge-on net' : 'badge badge-off net';
      markI18n(net, 'text', on ? 'testing.online' : 'testing.offline');
    },
    setQueued(n) {
      queued.setAttribute('data-count', String(n));
      markI18n(queued, 'text', 'testing.queue_count', { n: formatNumber(n) });
    },
    setSync(state) {
      syncState.setAttribute('data-state', state);
      markI18n(syncState, 'text', `testing.sync.${state}`);
    },
  };
}
