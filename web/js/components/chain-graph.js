// A case's transmission chain drawn as SVG. The layered layout (case F0 on top, its F1 below,
// their F2 below them) comes from dagre (@dagrejs/dagre from npm, served at /vendor/dagre.js
// and passed in by the caller). Every edge gets a label node of its own from dagre, in the gap
// between two layers; an edge is drawn from the bottom of its source's box, through the points
// dagre gives it, to the top of its target's box, so no edge passes through a node.
//
// A node with more than CLUSTER_OVER children shows them as one counted node ("+37 F2") that
// opens on a tap into the real nodes and closes again. The drawing stays bounded: the SVG is as
// wide as its box, with a viewBox whose shape is kept between ASPECT_MIN and ASPECT_MAX; zoom
// buttons and dragging move that viewBox, never the size of the element. The PNG export draws
// the whole graph on a canvas of at most PNG_MAX pixels on its long side.
//
// Nodes are buttons: clicking one (or Enter / Space) calls onSelect(node). Text goes in through
// textContent only.

import { h } from '../dom.js';
import { markI18n, t } from '../i18n.js';

const NS = 'http://www.w3.org/2000/svg';
export const CLUSTER_OVER = 12;
export const PNG_MAX = 4096;
const NODE_W = 96;
const NODE_H = 58;
const NODE_R = 20;
const LABEL_H = 14;
const CHAR_W = 6.2;
const ASPECT_MIN = 0.8;   // width / height of the drawing box
const ASPECT_MAX = 1.25;
const MAX_PX_PER_UNIT = 2.5;
const OPEN_PX_PER_UNIT = 1;  // the view after a group opens: its people at their drawn size
const ZOOM_STEP = 1.6;

function s(tag, attrs = {}) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null) continue;
    if (k === 'testid') el.setAttribute('data-testid', v);
    else el.setAttribute(k, String(v));
  }
  return el;
}

const r1 = (v) => Math.round(v * 10) / 10;

/** The translation key and arguments describing one reason, e.g. "Phở Lý Quốc Sư · 45 phút". */
export function reasonLabel(reason, maxVenue = 0) {
  if (!reason) return { key: 'tracing.reason.unknown' };
  if (reason.source === 'venue') {
    let venue = reason.venue_name || `#${reason.venue_id ?? ''}`;
    if (maxVenue && venue.length > maxVenue) venue = `${venue.slice(0, maxVenue - 1)}…`;
    return reason.minutes != null
      ? { key: 'tracing.reason.venue_min', args: { venue, minutes: reason.minutes } }
      : { key: 'tracing.reason.venue', args: { venue } };
  }
  if (reason.source === 'household') return { key: 'tracing.reason.household' };
  if (reason.source === 'interview') {
    return reason.minutes != null
      ? { key: 'tracing.reason.interview_min', args: { minutes: reason.minutes } }
      : { key: 'tracing.reason.interview' };
  }
  if (reason.source === 'vehicle') {
    return reason.plate
      ? { key: 'tracing.reason.vehicle_plate', args: { plate: reason.plate } }
      : { key: 'tracing.reason.vehicle' };
  }
  return { key: 'tracing.reason.other', args: { source: reason.source || '' } };
}

function shortName(n) {
  if (!n.name) return null;
  const parts = String(n.name).trim().split(/\s+/);
  // The given name is last in Vietnamese names: keep the last two words on a small node.
  const text = parts.slice(-2).join(' ');
  return text.length > 15 ? `${text.slice(0, 14)}…` : text;
}

/**
 * What is shown of the chain with the groups in `open` opened: { nodes, edges, clusters, hidden }.
 * A cluster stands for the children of one node when there are more than `over` of them:
 * { key, parent, degree, count, open }; a closed cluster hides those children and everything
 * found through them. Edges: { from, to, reasons, cluster } with node keys as strings.
 */
export function visibleChain(chain, open = new Set(), over = CLUSTER_OVER) {
  const nodes = (chain.nodes || []).slice()
    .sort((a, b) => (a.degree - b.degree) || ((b.risk || 0) - (a.risk || 0)) || (a.id - b.id));
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const children = new Map();
  const parentOf = new Map();
  const edgeOf = new Map();
  for (const e of chain.edges || []) {
    if (!byId.has(e.from) || !byId.has(e.to) || parentOf.has(e.to) || e.from === e.to) continue;
    parentOf.set(e.to, e.from);
    edgeOf.set(e.to, e);
    if (!children.has(e.from)) children.set(e.from, []);
    children.get(e.from).push(e.to);
  }
  for (const list of children.values()) {
    list.sort((a, b) => ((byId.get(b).risk || 0) - (byId.get(a).risk || 0)) || (a - b));
  }
  const shown = [];
  const edges = [];
  const clusters = [];
  const seen = new Set();
  let hidden = 0;
  const visit = (id) => {
    if (seen.has(id)) return;
    seen.add(id);
    shown.push(byId.get(id));
    const kids = children.get(id) || [];
    if (kids.length > over) {
      const key = `c${id}`;
      const isOpen = open.has(key);
      clusters.push({ key, parent: id, degree: byId.get(kids[0]).degree, count: kids.length, open: isOpen });
      const toggle = { from: String(id), to: key, cluster: true, reasons: [] };
      if (!isOpen) {
        edges.push(toggle);
        const hide = (k) => { hidden++; seen.add(k); for (const c of children.get(k) || []) hide(c); };
        for (const k of kids) hide(k);
        return;
      }
      // Open: the group's node stays in the middle of its people, under their parent.
      kids.forEach((k, i) => {
        if (i === Math.floor(kids.length / 2)) edges.push(toggle);
        edges.push({ from: String(id), to: String(k), reasons: edgeOf.get(k).reasons || [] });
      });
      for (const k of kids) visit(k);
      return;
    }
    for (const k of kids) {
      edges.push({ from: String(id), to: String(k), reasons: edgeOf.get(k).reasons || [] });
      visit(k);
    }
  };
  // Roots: the case, then anyone whose link to it is missing (shown at the layer of their degree).
  for (const n of nodes) if (!parentOf.has(n.id)) visit(n.id);
  return { nodes: shown, edges, clusters, hidden };
}

function labelWidth(text) {
  return Math.ceil(text.length * CHAR_W) + 8;
}

/**
 * Lays out what visibleChain gave with dagre: positions of nodes and clusters { key -> {x, y} },
 * each edge's points, and the size of the drawing.
 */
export function layout(dagre, vis, labelText) {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'TB', nodesep: 12, ranksep: 44, edgesep: 6, marginx: 10, marginy: 10 });
  g.setDefaultEdgeLabel(() => ({}));
  // Keys start with a letter: objects keep the insertion order of such keys (not of numeric ones),
  // and dagre's first ordering of each layer follows it.
  const k = (key) => `n${key}`;
  for (const n of vis.nodes) g.setNode(k(n.id), { width: NODE_W, height: NODE_H });
  for (const c of vis.clusters) g.setNode(k(c.key), { width: NODE_W, height: NODE_H });
  const f0 = vis.nodes.find((n) => n.degree === 0);
  for (const e of vis.edges) {
    const text = labelText(e);
    g.setEdge(k(e.from), k(e.to), { width: text ? labelWidth(text) : 4, height: LABEL_H, labelpos: text ? 'r' : 'c', labeloffset: 4 });
  }
  // Someone whose link is missing still sits in the layer of their degree, under the case.
  const linked = new Set(vis.edges.map((e) => e.to));
  if (f0) {
    for (const n of vis.nodes) {
      if (n.degree > 0 && !linked.has(String(n.id))) {
        g.setEdge(k(f0.id), k(n.id), { width: 0, height: 0, minlen: n.degree });
      }
    }
  }
  dagre.layout(g);
  const pos = new Map(g.nodes().map((key) => [key.slice(1), { x: g.node(key).x, y: g.node(key).y }]));
  const routes = new Map();
  for (const e of vis.edges) {
    const de = g.edge(k(e.from), k(e.to));
    const a = pos.get(e.from);
    const b = pos.get(e.to);
    // From the bottom of the source's box to the top of the target's, through dagre's bends
    // (they lie in the gaps between layers, where there are no nodes).
    const inner = (de.points || []).slice(1, -1);
    const points = [{ x: a.x, y: a.y + NODE_H / 2 }, ...inner, { x: b.x, y: b.y - NODE_H / 2 }];
    routes.set(`${e.from}-${e.to}`, { points, label: de.x != null ? { x: de.x, y: de.y } : null });
  }
  const gg = g.graph();
  return { pos, routes, width: Math.max(gg.width || 0, NODE_W), height: Math.max(gg.height || 0, NODE_H) };
}

/** The edge's path: straight pieces through its points. */
function pathOf(points) {
  return points.map((p, i) => `${i ? 'L' : 'M'} ${r1(p.x)} ${r1(p.y)}`).join(' ');
}

/**
 * The chain graph: an element holding the zoom and export buttons and a bounded box with the
 * SVG. chain is {nodes, edges} as the API answers it; dagre the layout library.
 * opts.onSelect(node) is called when a node is chosen; opts.caseId names the PNG file.
 */
export function chainGraph(chain, { dagre, onSelect, caseId = '', clusterOver = CLUSTER_OVER } = {}) {
  const open = new Set();
  let selected = null;
  let bounds = { width: 1, height: 1 };
  let fit = { x: 0, y: 0, w: 1, h: 1 };
  let view = { ...fit };

  const box = h('div', { class: 'chain-box-view', testid: 'chain-viewport' });
  const zoomIn = h('button', { type: 'button', class: 'btn btn-small', testid: 'chain-zoom-in' }, '+');
  const zoomOut = h('button', { type: 'button', class: 'btn btn-small', testid: 'chain-zoom-out' }, '−');
  const zoomFit = h('button', { type: 'button', class: 'btn btn-small', testid: 'chain-zoom-fit', t: 'tracing.zoom_fit' });
  const pngBtn = h('button', { type: 'button', class: 'btn btn-small', testid: 'chain-png', t: 'tracing.export_png' });
  markI18n(zoomIn, 'aria-label', 'tracing.zoom_in');
  markI18n(zoomOut, 'aria-label', 'tracing.zoom_out');
  const tools = h('div', { class: 'actions chain-tools' }, zoomOut, zoomIn, zoomFit, pngBtn);
  const root = h('div', { class: 'chain-graph', testid: 'chain-graph' }, tools, box);
  let svg = null;

  function applyView() {
    if (!svg) return;
    svg.setAttribute('viewBox', `${r1(view.x)} ${r1(view.y)} ${r1(view.w)} ${r1(view.h)}`);
    const zoomed = view.w < fit.w - 0.5;
    svg.classList.toggle('zoomed', zoomed);
    zoomOut.disabled = !zoomed;
    zoomIn.disabled = svg.clientWidth > 0 && svg.clientWidth / view.w >= MAX_PX_PER_UNIT;
  }

  /** Moves the view to centre (cx, cy) with width w, kept inside the drawing. */
  function setView(cx, cy, w) {
    const minW = svg && svg.clientWidth ? svg.clientWidth / MAX_PX_PER_UNIT : fit.w / 8;
    w = Math.min(fit.w, Math.max(Math.min(minW, fit.w), w));
    const hgt = w * (fit.h / fit.w);
    const halfW = w / 2;
    const halfH = hgt / 2;
    const clamp = (v, lo, hi) => (lo > hi ? (lo + hi) / 2 : Math.min(hi, Math.max(lo, v)));
    cx = clamp(cx, Math.min(halfW, fit.x + fit.w / 2), Math.max(bounds.width - halfW, fit.x + fit.w / 2));
    cy = clamp(cy, Math.min(halfH, fit.y + fit.h / 2), Math.max(bounds.height - halfH, fit.y + fit.h / 2));
    view = { x: cx - halfW, y: cy - halfH, w, h: hgt };
    applyView();
  }
  const centre = () => ({ cx: view.x + view.w / 2, cy: view.y + view.h / 2 });
  zoomIn.addEventListener('click', () => { const { cx, cy } = centre(); setView(cx, cy, view.w / ZOOM_STEP); });
  zoomOut.addEventListener('click', () => { const { cx, cy } = centre(); setView(cx, cy, view.w * ZOOM_STEP); });
  zoomFit.addEventListener('click', () => { view = { ...fit }; applyView(); });

  function render() {
    const vis = visibleChain(chain, open, clusterOver);
    const labels = new Map();
    const labelText = (e) => {
      if (e.cluster) return '';
      const { key, args } = reasonLabel(e.reasons[0], 18);
      labels.set(`${e.from}-${e.to}`, { key, args });
      // Space for the label in the language shown now (Vietnamese and English differ little).
      const text = t(key, args);
      return e.reasons.length > 1 ? `${text} +${e.reasons.length - 1}` : text;
    };
    const lay = layout(dagre, vis, labelText);
    bounds = { width: lay.width, height: lay.height };
    // The box's shape: the drawing's, kept between ASPECT_MIN and ASPECT_MAX (a wide chain is
    // shown small in the middle, to be zoomed; it never makes the element wider).
    const aspect = Math.min(ASPECT_MAX, Math.max(ASPECT_MIN, lay.width / lay.height));
    const fw = Math.max(lay.width, lay.height * aspect);
    const fh = fw / aspect;
    fit = { x: (lay.width - fw) / 2, y: (lay.height - fh) / 2, w: fw, h: fh };

    const next = s('svg', {
      class: 'chain-svg', testid: 'chain-svg', role: 'group',
      'data-nodes': vis.nodes.length, 'data-edges': vis.edges.length,
      'data-width': Math.round(lay.width), 'data-height': Math.round(lay.height),
    });
    markI18n(next, 'aria-label', 'tracing.chain_label');
    const defs = s('defs');
    const marker = s('marker', { id: 'chain-arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
    marker.appendChild(s('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'chain-arrow' }));
    defs.appendChild(marker);
    next.appendChild(defs);

    const edgeLayer = s('g', { class: 'chain-edges' });
    const labelLayer = s('g', { class: 'chain-labels' });
    for (const e of vis.edges) {
      const route = lay.routes.get(`${e.from}-${e.to}`);
      const g = s('g', {
        class: e.cluster ? 'chain-edge chain-edge-cluster' : 'chain-edge',
        testid: e.cluster ? `chain-edge-${e.from}-cluster` : `chain-edge-${e.from}-${e.to}`,
        'data-from': e.from, 'data-to': e.to,
      });
      g.appendChild(s('path', { d: pathOf(route.points), 'marker-end': 'url(#chain-arrow)' }));
      edgeLayer.appendChild(g);
      const lab = labels.get(`${e.from}-${e.to}`);
      if (lab && route.label) {
        const label = s('text', {
          x: r1(route.label.x), y: r1(route.label.y), class: 'chain-edge-label', 'text-anchor': 'middle', dy: '0.35em',
          testid: `chain-edge-label-${e.from}-${e.to}`, 'data-source': e.reasons[0] ? e.reasons[0].source : '',
        });
        markI18n(label, 'text', lab.key, lab.args);
        if (e.reasons.length > 1) label.appendChild(document.createTextNode(` +${e.reasons.length - 1}`));
        labelLayer.appendChild(label);
      }
    }

    const nodeLayer = s('g', { class: 'chain-nodes' });
    const top = -NODE_H / 2;
    for (const n of vis.nodes) {
      const p = lay.pos.get(String(n.id));
      const g = s('g', {
        class: `chain-node chain-d${n.degree}`, testid: `chain-node-${n.id}`, 'data-degree': n.degree,
        'data-status': n.status || '', tabindex: 0, role: 'button', transform: `translate(${r1(p.x)} ${r1(p.y)})`,
        'aria-pressed': selected === n.id ? 'true' : 'false',
      });
      markI18n(g, 'aria-label', 'tracing.node_open');
      // The whole box takes taps; it is also what no edge may cross.
      g.appendChild(s('rect', { class: 'chain-hit', x: -NODE_W / 2, y: top, width: NODE_W, height: NODE_H }));
      g.appendChild(s('circle', { cy: top + NODE_R, r: NODE_R }));
      const deg = s('text', { class: 'chain-node-deg', 'text-anchor': 'middle', y: top + NODE_R, dy: '0.35em' });
      deg.textContent = `F${n.degree}`;
      g.appendChild(deg);
      const name = s('text', { class: 'chain-node-name', 'text-anchor': 'middle', y: top + 2 * NODE_R + 13 });
      const short = shortName(n);
      if (short) name.textContent = short;
      else markI18n(name, 'text', 'tracing.outside_area');
      g.appendChild(name);
      const choose = () => {
        for (const other of nodeLayer.querySelectorAll('[aria-pressed="true"]')) other.setAttribute('aria-pressed', 'false');
        g.setAttribute('aria-pressed', 'true');
        selected = n.id;
        if (onSelect) onSelect(n);
      };
      g.addEventListener('click', choose);
      g.addEventListener('keydown', (ev) => {
        if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); choose(); }
      });
      nodeLayer.appendChild(g);
    }
    for (const c of vis.clusters) {
      const p = lay.pos.get(c.key);
      const g = s('g', {
        class: `chain-cluster chain-d${c.degree}`, testid: `chain-cluster-${c.parent}`, 'data-count': c.count,
        'data-degree': c.degree, 'data-expanded': c.open ? 'true' : 'false', 'aria-expanded': c.open ? 'true' : 'false',
        tabindex: 0, role: 'button', transform: `translate(${r1(p.x)} ${r1(p.y)})`,
      });
      markI18n(g, 'aria-label', c.open ? 'tracing.cluster_close' : 'tracing.cluster_open', { n: c.count, degree: `F${c.degree}` });
      g.appendChild(s('rect', { class: 'chain-hit', x: -NODE_W / 2, y: top, width: NODE_W, height: NODE_H }));
      g.appendChild(s('rect', { class: 'chain-cluster-pill', x: -40, y: top + 2, width: 80, height: 2 * NODE_R - 4, rx: NODE_R - 2 }));
      const count = s('text', { class: 'chain-cluster-count', 'text-anchor': 'middle', y: top + NODE_R, dy: '0.35em', testid: `chain-cluster-count-${c.parent}` });
      count.textContent = `${c.open ? '−' : '+'}${c.count} F${c.degree}`;
      g.appendChild(count);
      const hint = s('text', { class: 'chain-node-name', 'text-anchor': 'middle', y: top + 2 * NODE_R + 13 });
      markI18n(hint, 'text', c.open ? 'tracing.cluster_hint_close' : 'tracing.cluster_hint_open');
      g.appendChild(hint);
      const toggle = () => {
        const opening = !open.has(c.key);
        if (opening) open.add(c.key);
        else open.delete(c.key);
        const at = render();
        const again = svg.querySelector(`[data-testid="chain-cluster-${c.parent}"]`);
        if (again) again.focus({ preventScroll: true });
        // An opened group can be far wider than the screen: show its start, between the parent
        // and the group, at a readable size; "show all" and the zoom buttons go from there.
        const me = at.get(c.key);
        const parent = at.get(String(c.parent));
        if (opening && me && parent && svg.clientWidth) {
          setView(me.x, (me.y + parent.y) / 2, svg.clientWidth / OPEN_PX_PER_UNIT);
        }
      };
      g.addEventListener('click', toggle);
      g.addEventListener('keydown', (ev) => {
        if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); toggle(); }
      });
      nodeLayer.appendChild(g);
    }
    next.appendChild(edgeLayer);
    next.appendChild(labelLayer);
    next.appendChild(nodeLayer);
    attachPan(next);
    if (svg) svg.replaceWith(next);
    else box.appendChild(next);
    svg = next;
    view = { ...fit };
    applyView();
    return lay.pos;
  }

  /* Dragging moves a zoomed view. The pointer is captured only once the drag has begun, so a
   * tap still reaches the node under it. */
  function attachPan(el) {
    let start = null;
    let dragged = false;
    el.addEventListener('pointerdown', (ev) => {
      if (ev.button !== 0) return;
      start = { x: ev.clientX, y: ev.clientY, view: { ...view }, id: ev.pointerId };
      dragged = false;
    });
    el.addEventListener('pointermove', (ev) => {
      if (!start || ev.pointerId !== start.id) return;
      const dx = ev.clientX - start.x;
      const dy = ev.clientY - start.y;
      if (!dragged && Math.hypot(dx, dy) < 6) return;
      if (!el.classList.contains('zoomed')) return;
      if (!dragged) { dragged = true; el.setPointerCapture(ev.pointerId); }
      const k = start.view.w / (el.clientWidth || 1);
      setView(start.view.x + start.view.w / 2 - dx * k, start.view.y + start.view.h / 2 - dy * k, start.view.w);
    });
    const end = () => { start = null; };
    el.addEventListener('pointerup', end);
    el.addEventListener('pointercancel', end);
    // A drag is not a tap on what it ended over.
    el.addEventListener('click', (ev) => {
      if (dragged) { ev.stopPropagation(); ev.preventDefault(); dragged = false; }
    }, true);
  }

  pngBtn.addEventListener('click', async () => {
    pngBtn.disabled = true;
    try {
      const blob = await toPng(svg, bounds);
      const url = URL.createObjectURL(blob);
      const a = h('a', { href: url, download: `chuoi-lay-ca-${caseId}.png`, hidden: true });
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } finally {
      pngBtn.disabled = false;
    }
  });

  render();
  // The element size is known once it is on the page: the zoom limits follow it.
  requestAnimationFrame(applyView);
  return root;
}

/* ---------------------------------------------------------------- PNG */

const PAINT = ['fill', 'stroke', 'stroke-width', 'stroke-dasharray', 'font-size', 'font-family', 'font-weight',
  'paint-order', 'opacity', 'text-anchor'];

/**
 * The whole drawing as a PNG Blob (white background, at most PNG_MAX pixels on the long side).
 * The page's styles do not reach an SVG drawn as an image, so each element's computed paint is
 * copied onto the copy as presentation attributes.
 */
export async function toPng(svg, bounds) {
  const scale = Math.min(2, PNG_MAX / bounds.width, PNG_MAX / bounds.height);
  const w = Math.max(1, Math.min(PNG_MAX, Math.round(bounds.width * scale)));
  const hgt = Math.max(1, Math.min(PNG_MAX, Math.round(bounds.height * scale)));
  const copy = svg.cloneNode(true);
  const from = [svg, ...svg.querySelectorAll('*')];
  const to = [copy, ...copy.querySelectorAll('*')];
  from.forEach((el, i) => {
    const cs = getComputedStyle(el);
    for (const p of PAINT) {
      const v = cs.getPropertyValue(p);
      if (v) to[i].setAttribute(p, v);
    }
    to[i].removeAttribute('class');
  });
  copy.setAttribute('viewBox', `0 0 ${bounds.width} ${bounds.height}`);
  copy.setAttribute('width', String(w));
  copy.setAttribute('height', String(hgt));
  const text = new XMLSerializer().serializeToString(copy);
  const url = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = w;
    canvas.height = hgt;
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, w, hgt);
    ctx.drawImage(img, 0, 0, w, hgt);
    return await new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('png'))), 'image/png'));
  } finally {
    URL.revokeObjectURL(url);
  }
}
