// A case's transmission chain drawn as SVG, without a graph library: a layered layout with the
// case (F0) on top, its F1 below and their F2 below them. Each layer is cut into rows of at
// most COLS nodes so the drawing stays readable on a 360 px phone (the SVG scales to the width
// of its box through its viewBox). Each edge is labelled with its first reason (the venue and
// minutes, household, interview). Nodes are buttons: clicking one (or Enter / Space) calls
// onSelect(node). Text goes in through textContent only.

import { markI18n } from '../i18n.js';

const NS = 'http://www.w3.org/2000/svg';
const COLS = 3;
const COL_W = 120;
const ROW_H = 120;
const NODE_R = 22;
const PAD = 16;
const NAME_GAP = 18;

function s(tag, attrs = {}) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null) continue;
    if (k === 'testid') el.setAttribute('data-testid', v);
    else el.setAttribute(k, String(v));
  }
  return el;
}

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
  return { key: 'tracing.reason.other', args: { source: reason.source || '' } };
}

function shortName(n) {
  if (!n.name) return null;
  const parts = String(n.name).trim().split(/\s+/);
  // The given name is last in Vietnamese names: keep the last two words on a small node.
  const text = parts.slice(-2).join(' ');
  return text.length > 16 ? `${text.slice(0, 15)}…` : text;
}

/**
 * Positions: { id -> {x, y} } and the drawing size. Nodes of each degree in the order given
 * (the caller sorts them), cut into rows of COLS, each row centred.
 */
export function layout(nodes) {
  const layers = [0, 1, 2].map((d) => nodes.filter((n) => (n.degree ?? 0) === d));
  const width = COLS * COL_W + 2 * PAD;
  const pos = new Map();
  let y = PAD + NODE_R + 8;
  for (const layer of layers) {
    if (!layer.length) continue;
    for (let i = 0; i < layer.length; i += COLS) {
      const row = layer.slice(i, i + COLS);
      const x0 = PAD + (COLS - row.length) * COL_W / 2 + COL_W / 2;
      row.forEach((n, j) => pos.set(n.id, { x: x0 + j * COL_W, y }));
      y += ROW_H;
    }
  }
  return { pos, width, height: y - ROW_H + NODE_R + 30 + PAD };
}

/**
 * The SVG element for a chain ({nodes, edges} as the API answers it).
 * opts.onSelect(node) is called when a node is chosen.
 */
export function chainGraph(chain, { onSelect } = {}) {
  const nodes = (chain.nodes || []).slice().sort((a, b) => (a.degree - b.degree) || ((b.risk || 0) - (a.risk || 0)) || (a.id - b.id));
  const edges = chain.edges || [];
  const { pos, width, height } = layout(nodes);
  const svg = s('svg', {
    class: 'chain-svg', testid: 'chain-svg', viewBox: `0 0 ${width} ${height}`, role: 'group',
    'data-nodes': nodes.length, 'data-edges': edges.length,
  });
  markI18n(svg, 'aria-label', 'tracing.chain_label');

  const defs = s('defs');
  const marker = s('marker', { id: 'chain-arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
  marker.appendChild(s('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'chain-arrow' }));
  defs.appendChild(marker);
  svg.appendChild(defs);

  const edgeLayer = s('g', { class: 'chain-edges' });
  const labelLayer = s('g', { class: 'chain-labels' });
  for (const e of edges) {
    const a = pos.get(e.from);
    const b = pos.get(e.to);
    if (!a || !b) continue;
    // From below the source's name to the target's circle, so no line crosses a name.
    const x1 = a.x;
    const y1 = a.y + NODE_R + NAME_GAP;
    const dx = b.x - x1;
    const dy = b.y - y1;
    const len = Math.hypot(dx, dy) || 1;
    const ux = dx / len;
    const uy = dy / len;
    const g = s('g', { class: 'chain-edge', testid: `chain-edge-${e.from}-${e.to}`, 'data-from': e.from, 'data-to': e.to });
    g.appendChild(s('line', {
      x1, y1, x2: b.x - ux * (NODE_R + 2), y2: b.y - uy * (NODE_R + 2),
      'marker-end': 'url(#chain-arrow)',
    }));
    edgeLayer.appendChild(g);
    const reasons = e.reasons || [];
    const { key, args } = reasonLabel(reasons[0], 18);
    // The label sits beside the middle of its edge, on the side the edge leans to, so the
    // labels of edges fanning out from one node do not cover each other.
    const mx = x1 + dx * 0.5;
    const my = y1 + dy * 0.5;
    const side = Math.abs(dx) < 4 ? 'start' : dx > 0 ? 'start' : 'end';
    const label = s('text', {
      x: mx + (side === 'start' ? 6 : -6), y: my, class: 'chain-edge-label', 'text-anchor': side, dy: '0.35em',
      testid: `chain-edge-label-${e.from}-${e.to}`, 'data-source': reasons[0] ? reasons[0].source : '',
    });
    markI18n(label, 'text', key, args);
    if (reasons.length > 1) label.appendChild(document.createTextNode(` +${reasons.length - 1}`));
    labelLayer.appendChild(label);
  }
  svg.appendChild(edgeLayer);

  const nodeLayer = s('g', { class: 'chain-nodes' });
  for (const n of nodes) {
    const p = pos.get(n.id);
    const g = s('g', {
      class: `chain-node chain-d${n.degree}`, testid: `chain-node-${n.id}`, 'data-degree': n.degree,
      'data-status': n.status || '', tabindex: 0, role: 'button', transform: `translate(${p.x} ${p.y})`,
    });
    markI18n(g, 'aria-label', 'tracing.node_open');
    g.appendChild(s('circle', { r: NODE_R }));
    const deg = s('text', { class: 'chain-node-deg', 'text-anchor': 'middle', dy: '0.35em' });
    deg.textContent = `F${n.degree}`;
    g.appendChild(deg);
    const name = s('text', { class: 'chain-node-name', 'text-anchor': 'middle', y: NODE_R + 14 });
    const short = shortName(n);
    if (short) name.textContent = short;
    else markI18n(name, 'text', 'tracing.outside_area');
    g.appendChild(name);
    const choose = () => {
      for (const other of nodeLayer.querySelectorAll('.chain-node[aria-pressed="true"]')) other.setAttribute('aria-pressed', 'false');
      g.setAttribute('aria-pressed', 'true');
      if (onSelect) onSelect(n);
    };
    g.addEventListener('click', choose);
    g.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); choose(); }
    });
    nodeLayer.appendChild(g);
  }
  svg.appendChild(labelLayer);
  svg.appendChild(nodeLayer);
  return svg;
}
