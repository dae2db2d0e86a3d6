// The public COVID-safety map (docs/api-safety.md): each facility of a province, district or
// commune as a point coloured by today's status (safe, at risk, unsafe, not assessed), drawn
// with Leaflet over the province outlines the server ships (components/place-map.js), and the
// same facilities as a list for phones. No sign-in.

import { h, replace, loading } from '../dom.js';
import { get, isAbort } from '../api.js';
import { errorBox } from '../errors.js';
import { formatNumber } from '../i18n.js';
import { placeMap } from '../components/place-map.js';
import { unitPicker } from '../components/unit-picker.js';

const COLOURS = { safe: '#2e7d32', at_risk: '#f9a825', unsafe: '#c62828', not_assessed: '#757575' };
const ORDER = ['unsafe', 'at_risk', 'not_assessed', 'safe'];

export async function safetyMapView({ root, query, signal }) {
  const unit = /^\d{2}(\d(\d{2})?)?$/.test(query.get('unit') || '') ? query.get('unit') : '01';
  const picker = unitPicker({ name: 'unit', legend: 'safety.pick_unit', testid: 'safety-unit', initial: unit });
  const show = h('button', { type: 'button', class: 'btn btn-primary btn-block btn-big', testid: 'safety-show', t: 'safety.show',
    onclick: () => { if (picker.value()) window.location.hash = `#/safety?unit=${picker.value()}`; } });
  const box = h('div', { testid: 'safety-box' }, loading());
  root.appendChild(h('section', { class: 'panel', testid: 'safety-view' },
    h('h1', { t: 'safety.title' }), h('p', { class: 'lead', t: 'safety.lead' }),
    h('details', { class: 'more' }, h('summary', { t: 'safety.pick_unit' }), picker.el, show), box));
  let res;
  try {
    res = await get('/api/v1/public/safety', { query: { unit }, signal });
  } catch (e) {
    if (!isAbort(e)) replace(box, errorBox(e, 'list'));
    return;
  }
  const features = res.features || [];
  const counts = Object.fromEntries(ORDER.map((s) => [s, 0]));
  for (const f of features) counts[f.properties.status] += 1;
  const legend = h('ul', { class: 'safety-legend', testid: 'safety-legend' },
    ORDER.map((s) => h('li', { testid: `safety-count-${s}`, 'data-count': String(counts[s]) },
      h('span', { class: `safety-dot safety-${s}`, 'aria-hidden': 'true' }), h('span', { t: `safety.status.${s}` }), ` ${formatNumber(counts[s])}`)));
  if (!features.length) {
    replace(box, legend, h('p', { class: 'muted empty', testid: 'safety-empty', t: 'safety.none' }));
    return;
  }
  const map = placeMap({
    testid: 'safety-map',
    points: features.map((f) => ({
      lat: f.geometry.coordinates[1], lon: f.geometry.coordinates[0], colour: COLOURS[f.properties.status] || COLOURS.not_assessed,
      kind: f.properties.status, label: f.properties.name, id: f.properties.venue_id,
    })),
  });
  const sorted = features.slice().sort((a, b) => ORDER.indexOf(a.properties.status) - ORDER.indexOf(b.properties.status)
    || a.properties.name.localeCompare(b.properties.name, 'vi'));
  const list = h('ul', { class: 'cards', testid: 'safety-list' }, sorted.map((f) => {
    const p = f.properties;
    return h('li', { class: 'card', testid: `safety-facility-${p.venue_id}`, 'data-status': p.status },
      h('div', { class: 'card-main' }, h('strong', { class: 'card-title' }, p.name),
        h('span', { class: `badge safety-badge safety-${p.status}`, t: `safety.status.${p.status}` })),
      h('div', { class: 'card-meta' },
        p.score != null ? h('span', { t: 'safety.score', tArgs: { score: p.score } }) : null,
        p.inspected ? h('span', { t: 'safety.inspected' }) : null));
  }));
  replace(box, legend, map.el, h('h2', { t: 'safety.list' }), h('p', { class: 'muted', t: 'safety.count', tArgs: { n: formatNumber(features.length) } }), list);
}
