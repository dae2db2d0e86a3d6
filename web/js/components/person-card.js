// A person's printable QR card: the PNG drawn by the server (GET /api/v1/people/{id}/card.png)
// and a link to the PDF for printing.

import { h, replace } from '../dom.js';
import { seg } from '../api.js';

export function personCard(person, { testid = 'card' } = {}) {
  const base = `/api/v1/people/${seg(person.id)}`;
  const status = h('p', { class: 'muted small', role: 'status', testid: `${testid}-loading`, t: 'common.loading' });
  const img = h('img', {
    class: 'qr-card', src: `${base}/card.png`, testid: `${testid}-img`, decoding: 'async',
    alt: '', 'data-person': person.id,
  });
  img.alt = person.full_name || '';
  img.addEventListener('load', () => status.remove());
  img.addEventListener('error', () => {
    status.className = 'alert alert-error';
    replace(status, h('span', { t: 'card.failed' }));
    img.hidden = true;
  });
  return h('figure', { class: 'card-figure', testid },
    img, status,
    h('figcaption', { class: 'actions' },
      h('a', { class: 'btn', href: `${base}/card.pdf`, download: '', testid: `${testid}-pdf`, t: 'card.pdf' }),
      h('a', { class: 'btn', href: `${base}/card.png`, download: '', testid: `${testid}-png`, t: 'card.png' })));
}
