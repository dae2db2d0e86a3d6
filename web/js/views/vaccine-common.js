// Shared bits of the vaccination pages (docs/api-vaccine.md): reference data loaded once per
// page load, the status badge, the certificate block (QR image and PDF link), dates in Viet Nam.

import { formatDay } from '../i18n.js';
import { h } from '../dom.js';
import { get, seg, untilAborted } from '../api.js';
import { vnDate } from '../vn-time.js';

export const SEVERITIES = ['mild', 'moderate', 'severe', 'life_threatening', 'death'];

export { vnToday as todayVn, vnHhmm as hhmmVn } from '../vn-time.js';

/** A day the server gives as epoch seconds or as YYYY-MM-DD, shown as dd/mm/yyyy (Viet Nam). */
export function dayVn(v) {
  if (v === null || v === undefined || v === '') return '';
  if (typeof v === 'number' || /^\d+$/.test(String(v))) return formatDay(vnDate(Number(v)));
  return formatDay(String(v));
}

// The shared loads are not tied to the page that started them: leaving that page would abort
// them for every other page awaiting the same promise, which then never draws.
let productsP = null;
let groupsP = null;

/** GET /api/v1/vaccine/products, once (a failed load is retried next time). */
export function loadProducts(signal) {
  if (!productsP) productsP = get('/api/v1/vaccine/products', { auth: false }).catch((e) => { productsP = null; throw e; });
  return untilAborted(productsP, signal);
}

/** GET /api/v1/vaccine/priority-groups (groups, conditions, screening checklist), once. */
export function loadGroups(signal) {
  if (!groupsP) groupsP = get('/api/v1/vaccine/priority-groups', { auth: false }).catch((e) => { groupsP = null; throw e; });
  return untilAborted(groupsP, signal);
}

export function productName(products, code) {
  const p = products && (products.products || []).find((x) => x.code === code);
  return (p && p.name) || code || '';
}

/** none | partial | complete | booster as a coloured badge. */
export function vaxStatusBadge(status, testid) {
  const s = ['none', 'partial', 'complete', 'booster'].includes(status) ? status : 'none';
  const cls = s === 'complete' || s === 'booster' ? 'badge badge-on' : s === 'partial' ? 'badge badge-wait' : 'badge';
  return h('span', { class: cls, testid, 'data-status': s, t: `vax.status.${s}` });
}

/** A certificate: its QR code (the server's PNG), the PDF link and the UVCI. */
export function certificateBlock(cert, testid = `cert-${cert.id}`) {
  const base = `/api/v1/vaccine/certificates/${seg(cert.id)}`;
  return h('div', { class: 'cert', testid, 'data-id': cert.id },
    h('img', { class: 'cert-qr', src: `${base}/qr.png`, alt: 'QR', testid: `${testid}-qr`, width: 240, height: 240 }),
    h('div', { class: 'cert-meta' },
      h('p', null, h('span', { t: 'vax.dose_n', tArgs: { n: cert.dose_number } }), ' · ', cert.product || ''),
      cert.uvci ? h('p', { class: 'small' }, h('code', { class: 'wrap', testid: `${testid}-uvci` }, cert.uvci)) : null,
      h('a', { class: 'btn btn-small', href: `${base}/certificate.pdf`, target: '_blank', rel: 'noopener', testid: `${testid}-pdf`, t: 'vax.cert_pdf' })));
}
