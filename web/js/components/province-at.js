// The province a point lies in, from the province outlines the server ships
// (data/vn-geo/provinces.geojson, served at the outlines_url of GET /api/v1/map): the project
// has no commune outlines, so a phone's location gives the province and the person picks the
// commune inside it. The outlines are simplified: near a border the answer may be the
// neighbour, which the person sees and corrects.

import { mapSettings, provinceOutlines } from './place-map.js';
import { ISO_TO_GSO } from './province-codes.js';

/* Even-odd ray casting over one ring of [lon, lat] pairs. */
function inRing(ring, lon, lat) {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if ((yi > lat) !== (yj > lat) && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/* A GeoJSON Polygon's rings: inside the outer one and outside every hole. */
function inPolygon(rings, lon, lat) {
  return inRing(rings[0], lon, lat) && !rings.slice(1).some((hole) => inRing(hole, lon, lat));
}

function inGeometry(g, lon, lat) {
  if (!g) return false;
  if (g.type === 'Polygon') return inPolygon(g.coordinates, lon, lat);
  if (g.type === 'MultiPolygon') return g.coordinates.some((p) => inPolygon(p, lon, lat));
  return false;
}

/** The GSO code of the province holding {lat, lon}, or null (at sea, abroad). */
export async function provinceAt(lat, lon) {
  const cfg = await mapSettings();
  const outlines = await provinceOutlines(cfg.outlines_url);
  const f = (outlines.features || []).find((x) => inGeometry(x.geometry, lon, lat));
  return (f && ISO_TO_GSO[f.properties.shapeISO]) || null;
}
