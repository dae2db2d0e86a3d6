// A map of one place and the points around it: a quarantine order's home with its radius and
// each check-in, coloured inside or outside. Drawn with Leaflet (npm, served at /vendor/).
//
// The background is the deployment's own tile server when one is set (map_tiles_url, from
// GET /api/v1/map); otherwise the province outlines the server ships, which need no other
// network, so the map also works in a district office without internet and in the tests.
//
// opts.place      {lat, lon} or null (not confirmed yet)
// opts.radius_m   the circle drawn around the place
// opts.points     [{lat, lon, inside, label, id}]; a point may instead carry its own colour and
//                 kind (class map-point-<kind>), as the safety map's statuses do
// opts.onPick     called with {lat, lon} when the user taps the map (choosing a place)
// opts.testid     data-testid of the map box (default place-map)
// Returns { el, ready: Promise, setPlace({lat, lon}) }.

import { h } from '../dom.js';
import { get } from '../api.js';
import { loadScript, loadStyle } from '../vendor.js';

const VIETNAM = [[8.4, 102.1], [23.4, 115.0]];
let settings = null; // GET /api/v1/map, once per page load
let outlines = null; // the province outlines, once per page load

export function mapSettings() {
  if (!settings) settings = get('/api/v1/map').catch((e) => { settings = null; throw e; });
  return settings;
}

export function provinceOutlines(url) {
  if (!outlines) {
    outlines = fetch(url, { credentials: 'same-origin' }).then((r) => {
      if (!r.ok) throw new Error(`outlines: HTTP ${r.status}`);
      return r.json();
    }).catch((e) => { outlines = null; throw e; });
  }
  return outlines;
}

export function placeMap(opts = {}) {
  const el = h('div', { class: 'place-map', testid: opts.testid || 'place-map', 'data-ready': '0', role: 'img' });
  let placeLayer = null;
  let L = null;
  let map = null;

  function drawPlace(place) {
    if (placeLayer) placeLayer.remove();
    placeLayer = null;
    el.setAttribute('data-place', place ? `${place.lat.toFixed(6)},${place.lon.toFixed(6)}` : '');
    if (!place) return;
    placeLayer = L.layerGroup([
      L.circle([place.lat, place.lon], { radius: opts.radius_m || 100, color: '#1565c0', weight: 2, fillOpacity: 0.08 }),
      L.circleMarker([place.lat, place.lon], { radius: 7, color: '#1565c0', fillColor: '#1565c0', fillOpacity: 1, className: 'map-place' }),
    ]).addTo(map);
  }

  const ready = (async () => {
    loadStyle('/vendor/leaflet.css');
    const [lib, cfg] = await Promise.all([loadScript('/vendor/leaflet.js', 'L'), mapSettings()]);
    L = lib;
    map = L.map(el, { zoomControl: true, attributionControl: true });
    const outlineData = cfg.tiles_url ? null : await provinceOutlines(cfg.outlines_url);
    // The view first: Leaflet cannot place vector layers on a map without one.
    const bounds = (opts.points || []).map((p) => [p.lat, p.lon]);
    if (opts.place) bounds.push([opts.place.lat, opts.place.lon]);
    if (bounds.length) map.fitBounds(L.latLngBounds(bounds).pad(0.5), { maxZoom: 17 });
    else map.fitBounds(VIETNAM);
    if (cfg.tiles_url) {
      L.tileLayer(cfg.tiles_url, { maxZoom: 19, attribution: cfg.attribution || '' }).addTo(map);
      el.setAttribute('data-background', 'tiles');
    } else {
      L.geoJSON(outlineData, { style: { color: '#78909c', weight: 1, fillColor: '#eceff1', fillOpacity: 1 }, interactive: false }).addTo(map);
      map.attributionControl.addAttribution(cfg.outlines_credit);
      el.setAttribute('data-background', 'outlines');
    }
    drawPlace(opts.place || null);
    for (const p of opts.points || []) {
      const colour = p.colour || (p.inside === false ? '#c62828' : p.inside === true ? '#2e7d32' : '#616161');
      const kind = p.kind || (p.inside === false ? 'outside' : p.inside === true ? 'inside' : 'unknown');
      const m = L.circleMarker([p.lat, p.lon], {
        radius: 6, color: colour, fillColor: colour, fillOpacity: 0.8, className: `map-point map-point-${kind}`,
      }).addTo(map);
      if (p.label) m.bindTooltip(p.label);
    }
    if (opts.onPick) {
      map.on('click', (ev) => {
        const pick = { lat: ev.latlng.lat, lon: ev.latlng.lng };
        drawPlace(pick);
        opts.onPick(pick);
      });
    }
    el.setAttribute('data-points', String((opts.points || []).length));
    el.setAttribute('data-ready', '1');
    // The box may have been laid out after Leaflet measured it.
    requestAnimationFrame(() => map.invalidateSize());
    return map;
  })();
  ready.catch((e) => {
    el.setAttribute('data-ready', 'error');
    el.setAttribute('data-error', String(e && e.message ? e.message : e));
    el.appendChild(h('p', { class: 'alert alert-error', role: 'alert', t: 'map.failed' }));
  });

  return {
    el,
    ready,
    setPlace(place) { ready.then(() => drawPlace(place)); },
  };
}
