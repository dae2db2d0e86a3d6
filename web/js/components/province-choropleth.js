// A map of the provinces, each filled with a colour for its value (an epidemic level, or any
// figure of the situation), drawn with Leaflet (npm, /vendor/) over the province outlines the
// server ships: no connection to the outside is needed. A tile layer is drawn beneath only when
// the deployment sets map_tiles_url.
//
// opts.fill    (gso) => {colour, label} or null (no value: grey)
// opts.onPick  called with the GSO code of a province tapped
// opts.testid  data-testid of the map box
// Returns { el, ready: Promise }.

import { h } from '../dom.js';
import { get } from '../api.js';
import { loadScript, loadStyle } from '../vendor.js';
import { ISO_TO_GSO } from './province-codes.js';

const VIETNAM = [[8.4, 102.1], [23.4, 115.0]];

export function provinceChoropleth(opts = {}) {
  const el = h('div', { class: 'place-map choropleth', testid: opts.testid || 'choropleth', 'data-ready': '0', role: 'img' });
  const ready = (async () => {
    loadStyle('/vendor/leaflet.css');
    const [L, cfg] = await Promise.all([loadScript('/vendor/leaflet.js', 'L'), get('/api/v1/map')]);
    const res = await fetch(cfg.outlines_url, { credentials: 'same-origin' });
    if (!res.ok) throw new Error(`outlines: HTTP ${res.status}`);
    const outlines = await res.json();
    const map = L.map(el, { zoomControl: true, attributionControl: true });
    map.fitBounds(VIETNAM);
    if (cfg.tiles_url) L.tileLayer(cfg.tiles_url, { maxZoom: 12, attribution: cfg.attribution || '' }).addTo(map);
    map.attributionControl.addAttribution(cfg.outlines_credit);
    let filled = 0;
    L.geoJSON(outlines, {
      style: (f) => {
        const v = opts.fill(ISO_TO_GSO[f.properties.shapeISO]);
        if (v) filled += 1;
        return { color: '#546e7a', weight: 1, fillColor: v ? v.colour : '#eceff1', fillOpacity: cfg.tiles_url ? 0.6 : 1 };
      },
      onEachFeature: (f, layer) => {
        const gso = ISO_TO_GSO[f.properties.shapeISO];
        const v = opts.fill(gso);
        if (v && v.label) layer.bindTooltip(v.label);
        if (opts.onPick && gso) layer.on('click', () => opts.onPick(gso));
      },
    }).addTo(map);
    el.setAttribute('data-filled', String(filled));
    el.setAttribute('data-ready', '1');
    requestAnimationFrame(() => map.invalidateSize());
    return map;
  })();
  ready.catch((e) => {
    el.setAttribute('data-ready', 'error');
    el.setAttribute('data-error', String(e && e.message ? e.message : e));
    el.appendChild(h('p', { class: 'alert alert-error', role: 'alert', t: 'map.failed' }));
  });
  return { el, ready };
}
