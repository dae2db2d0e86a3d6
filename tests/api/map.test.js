'use strict';
// Maps: GET /api/v1/map says how pages draw them. With no tile server set they draw the
// province outlines the server ships (64 features, the 63 provinces and Côn Đảo); a
// deployment's own tile server is a setting; a malformed one stops the server at start.

const { test, before, after, describe } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const { startServer } = require('../lib/server');

function getRaw(url) {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

describe('maps without a tile server', () => {
  let srv;
  before(async () => { srv = await startServer(); });
  after(async () => { if (srv) await srv.stop(); });

  test('pages load images from this server only', async () => {
    const r = await getRaw(`${srv.url}/`);
    assert.match(r.headers['content-security-policy'], /img-src 'self' data: blob:;/);
  });

  test('the settings name the shipped outlines and their credit, no tiles', async () => {
    const r = await srv.api('GET', '/api/v1/map');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.tiles_url, null);
    assert.equal(r.json.outlines_url, '/maps/provinces.geojson');
    assert.match(r.json.attribution, /geoBoundaries/);
  });

  test('the outlines are served as GeoJSON: 64 features covering Việt Nam', async () => {
    const r = await getRaw(`${srv.url}/maps/provinces.geojson`);
    assert.equal(r.status, 200);
    assert.match(r.headers['content-type'], /geo\+json/);
    const geo = JSON.parse(r.body.toString('utf8'));
    assert.equal(geo.type, 'FeatureCollection');
    assert.equal(geo.features.length, 64);
    const isos = new Set(geo.features.map((f) => f.properties.shapeISO));
    assert.equal(isos.size, 63, 'one ISO code per province (Côn Đảo shares Bà Rịa–Vũng Tàu\'s)');
  });

  test('Leaflet is served from npm', async () => {
    const js = await getRaw(`${srv.url}/vendor/leaflet.js`);
    assert.equal(js.status, 200);
    assert.match(js.body.toString('utf8', 0, 400), /Leaflet/);
    const css = await getRaw(`${srv.url}/vendor/leaflet.css`);
    assert.equal(css.status, 200);
    assert.match(css.headers['content-type'], /text\/css/);
  });
});

describe('maps with a tile server', () => {
  let srv;
  const tiles = 'https://tiles.example.vn/osm/{z}/{x}/{y}.png';
  before(async () => {
    srv = await startServer({ env: { CORDON_MAP_TILES_URL: tiles, CORDON_MAP_ATTRIBUTION: '© OpenStreetMap contributors' } });
  });
  after(async () => { if (srv) await srv.stop(); });

  test('the settings give the tile server and its credit', async () => {
    const r = await srv.api('GET', '/api/v1/map');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.tiles_url, tiles);
    assert.equal(r.json.attribution, '© OpenStreetMap contributors');
  });

  test('pages may load images from the tile server (Content-Security-Policy), and from nowhere else', async () => {
    const r = await getRaw(`${srv.url}/`);
    const csp = r.headers['content-security-policy'];
    assert.match(csp, /img-src 'self' data: blob: https:\/\/tiles\.example\.vn;/);
    assert.match(csp, /script-src 'self';/);
  });

  test('a tile URL without {z}/{x}/{y}, or one that could break the policy header, stops the server', () => {
    const bad = srv.cli(['serve', '--listen', '127.0.0.1:1'], null, { CORDON_MAP_TILES_URL: 'https://a.vn;script-src *;/{z}/{x}/{y}.png' });
    assert.equal(bad.status, 2, bad.stderr);
    const noScheme = srv.cli(['serve', '--listen', '127.0.0.1:1'], null, { CORDON_MAP_TILES_URL: '//tiles.example.vn/{z}/{x}/{y}.png' });
    assert.equal(noScheme.status, 2, noScheme.stderr);
    const r = srv.cli(['serve', '--listen', '127.0.0.1:1'], null, { CORDON_MAP_TILES_URL: 'https://tiles.example.vn/osm.png' });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /map_tiles_url/);
  });
});
