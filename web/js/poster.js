// Venue poster URLs: <public_url>/c/<venue code>?k=<kid>&s=<signature> (docs/api.md).

import { post } from './api.js';

const CODE_RE = /^[A-Za-z0-9]{4,32}$/;
const KID_RE = /^[A-Za-z0-9_-]{1,15}$/;
const SIG_RE = /^[A-Za-z0-9_-]{16,128}$/;

/** { code, kid, sig, path } when text has the poster shape, else null. */
export function parsePosterUrl(text) {
  let u;
  try { u = new URL(String(text).trim()); } catch { return null; }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return null;
  const m = /^(.*)\/c\/([^/]+)$/.exec(u.pathname);
  if (!m) return null;
  const code = decodeURIComponent(m[2]);
  const kid = u.searchParams.get('k');
  const sig = u.searchParams.get('s');
  if (!CODE_RE.test(code) || !KID_RE.test(kid || '') || !SIG_RE.test(sig || '')) return null;
  return { code, kid, sig, origin: u.origin, url: u.href };
}

/** This server's check-in page for a poster. */
export function checkinPath(p) {
  return `/c/${encodeURIComponent(p.code)}?k=${encodeURIComponent(p.kid)}&s=${encodeURIComponent(p.sig)}`;
}

/**
 * Whether a poster belongs to this server: printed with this origin, or signed with this
 * server's key (a poster may carry a public address other than the one this page came from).
 * Resolves with the local check-in path, or null.
 */
export async function localPosterPath(p, signal) {
  if (!p) return null;
  if (p.origin === window.location.origin) return checkinPath(p);
  const res = await post('/api/v1/qr/verify', { payload: p.url }, { signal, auth: false });
  return res && res.valid && res.type === 'venue' ? checkinPath(p) : null;
}
