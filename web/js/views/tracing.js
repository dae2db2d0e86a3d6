// Contact tracing (docs/api-tracing.md): the commune work list of F1 and F2 with contact
// details, the reasons each was found and the team's status, updated in place and exported
// as CSV or XLSX; and a case's chain drawn as a graph (components/chain-graph.js) whose
// nodes open the person's reasons. For the four admin roles and tracers, inside their unit.

import { h, replace, clear, loading, field, withBusy } from '../dom.js';
import { get, patch, seg, isAbort } from '../api.js';
import { current } from '../session.js';
import { errorBox, accessDenied } from '../errors.js';
import { formatTime, formatNumber, markI18n, formatDay } from '../i18n.js';
import { link, navigate } from '../router.js';
import { getUnit } from '../units.js';
import { chainGraph, reasonLabel } from '../components/chain-graph.js';

export const TRACING_ROLES = ['national_admin', 'province_admin', 'district_admin', 'commune_admin', 'tracer'];
export const CONTACT_STATUSES = ['not_reached', 'reached', 'tested', 'in_quarantine', 'cleared'];
const PAGE = 200;

export function statusBadge(status, testid) {
  return h('span', { class: `badge contact-status status-${status}`, testid, 'data-status': status, t: `tracing.status.${status}` });
}

function degreeBadge(degree) {
  return h('span', { class: `badge degree degree-${degree}`, 'data-degree': degree }, `F${degree}`);
}

/** "623 / 1000" as the share of 1000 the server scores risk on. */
function riskText(risk) {
  return h('span', { class: 'risk', t: 'tracing.risk', tArgs: { risk: formatNumber(risk ?? 0) } });
}

/** A unit's name filled in when it arrives (the code until then). */
function unitName(code) {
  const el = h('span', { class: 'unit-name', 'data-code': code || '' }, code || '');
  if (code) getUnit(code).then((u) => { if (u && u.name) el.textContent = u.name; }).catch(() => {});
  return el;
}

/** One reason as a list item: what, when, through whom. names maps person ids to names. */
export function reasonItem(r, names, testid, caseId = null) {
  const { key, args } = reasonLabel(r);
  const name = r.through != null ? names.get(r.through) : null;
  // An F1's reasons all run through the case itself, whom the work list does not name.
  let through = null;
  if (name) through = h('span', { class: 'muted small', t: 'tracing.through', tArgs: { who: name } });
  else if (caseId != null) through = h('span', { class: 'muted small', t: 'tracing.through_case', tArgs: { id: caseId } });
  else if (r.through != null) through = h('span', { class: 'muted small', t: 'tracing.through', tArgs: { who: `#${r.through}` } });
  return h('li', { class: 'reason', testid, 'data-source': r.source || '', 'data-through': r.through ?? '' },
    h('span', { class: 'reason-what', t: key, tArgs: args }),
    r.at ? h('span', { class: 'muted small', 'data-time': r.at }, formatTime(r.at)) : null,
    through);
}

/* ---------------------------------------------------------------- the work list */

export async function workListView({ root, query, signal }) {
  const me = current();
  const q = {
    unit: query.get('unit') || '',
    degree: query.get('degree') || '',
    status: query.get('status') || '',
    case_id: query.get('case_id') || '',
  };

  /* filters (a GET form: the hash keeps them, so a reload shows the same list) */
  const unitF = field({ name: 'unit', label: 'tracing.filter_unit', hint: 'tracing.filter_unit_hint', attrs: { value: q.unit, inputmode: 'numeric', autocomplete: 'off', testid: 'filter-unit' } });
  const degreeSel = h('select', { testid: 'filter-degree' },
    h('option', { value: '', t: 'tracing.all_degrees' }),
    h('option', { value: '1', selected: q.degree === '1' }, 'F1'),
    h('option', { value: '2', selected: q.degree === '2' }, 'F2'));
  const degreeF = field({ name: 'degree', label: 'tracing.filter_degree', input: degreeSel });
  const statusSel = h('select', { testid: 'filter-status' }, h('option', { value: '', t: 'tracing.all_statuses' }),
    CONTACT_STATUSES.map((st) => h('option', { value: st, selected: q.status === st, t: `tracing.status.${st}` })));
  const statusF = field({ name: 'status', label: 'tracing.filter_status', input: statusSel });
  const caseF = field({ name: 'case_id', label: 'tracing.filter_case', type: 'number', attrs: { value: q.case_id, min: '1', testid: 'filter-case' } });
  const filters = h('form', { class: 'form filters', testid: 'tracing-filters', novalidate: true },
    h('div', { class: 'row' }, degreeF.wrap, statusF.wrap),
    h('div', { class: 'row' }, caseF.wrap, unitF.wrap),
    h('button', { type: 'submit', class: 'btn', testid: 'filter-apply', t: 'tracing.filter_apply' }));
  filters.addEventListener('submit', (ev) => {
    ev.preventDefault();
    navigate(link('/tracing', {
      unit: unitF.input.value.trim(), degree: degreeSel.value, status: statusSel.value, case_id: caseF.input.value.trim(),
    }));
  });

  /* opening a chain by case number */
  const chainInput = h('input', { type: 'number', min: '1', name: 'chain_case', testid: 'chain-case-input', inputmode: 'numeric' });
  markI18n(chainInput, 'aria-label', 'tracing.open_chain_case');
  const chainForm = h('form', { class: 'search-row', testid: 'chain-open-form' }, chainInput,
    h('button', { type: 'submit', class: 'btn', testid: 'chain-open', t: 'tracing.open_chain' }));
  chainForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const id = chainInput.value.trim();
    if (/^\d+$/.test(id)) navigate(`#/tracing/cases/${id}`);
  });

  const exportQuery = (format) => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...q, format })) if (v) p.set(k, v);
    return `/api/v1/tracing/contacts/export?${p}`;
  };
  const exports = h('div', { class: 'actions' },
    h('a', { class: 'btn btn-small', href: exportQuery('csv'), download: '', testid: 'contacts-csv', t: 'tracing.export_csv' }),
    h('a', { class: 'btn btn-small', href: exportQuery('xlsx'), download: '', testid: 'contacts-xlsx', t: 'tracing.export_xlsx' }));

  const box = h('div', { testid: 'contacts-box' }, loading());
  const heading = h('p', { class: 'meta', testid: 'contacts-unit' });
  root.appendChild(h('section', { class: 'panel', testid: 'tracing-view' },
    h('h1', { t: 'tracing.title' }), h('p', { class: 'lead', t: 'tracing.lead' }),
    heading, filters, chainForm, exports, box));

  const names = new Map();
  const ul = h('ul', { class: 'cards contacts', testid: 'contacts-list' });
  const more = h('button', { type: 'button', class: 'btn btn-block', testid: 'contacts-more', t: 'tracing.more', hidden: true });
  let offset = 0;

  async function loadPage() {
    const res = await get('/api/v1/tracing/contacts', {
      query: { ...q, limit: PAGE, offset }, signal,
    });
    const list = res.contacts || [];
    for (const c of list) names.set(c.person_id, c.full_name);
    // the F1 each F2 was found through, named by the server when inside the caller's area
    for (const c of list) {
      if (c.degree === 2 && c.through_name && !names.has(c.through_person_id)) names.set(c.through_person_id, c.through_name);
    }
    for (const c of list) ul.appendChild(contactCard(c, names));
    offset += list.length;
    more.hidden = list.length < PAGE;
    return res;
  }

  try {
    const res = await loadPage();
    replace(heading, h('span', { t: 'tracing.unit_is' }), ' ', unitName(res.unit || me.unit_code));
    if (!offset) { replace(box, h('p', { class: 'muted empty', testid: 'contacts-empty', t: 'tracing.no_contacts' })); return; }
    replace(box, ul, more);
  } catch (e) {
    if (!isAbort(e)) replace(box, e.status === 403 ? accessDenied() : errorBox(e, 'list'));
    return;
  }
  more.addEventListener('click', async () => {
    try {
      await withBusy(more, loadPage);
    } catch (e) {
      if (!isAbort(e)) box.appendChild(errorBox(e, 'list'));
    }
  });
}

/** The contact's phone; without one, the phone of the relative who manages them, named. */
function contactPhone(c) {
  if (c.phone) return h('a', { href: `tel:${c.phone}`, testid: `contact-phone-${c.id}` }, c.phone);
  if (c.manager_phone) {
    return h('span', { testid: `contact-manager-${c.id}` },
      h('a', { href: `tel:${c.manager_phone}`, testid: `contact-phone-${c.id}` }, c.manager_phone), ' ',
      h('span', { class: 'muted small', t: 'tracing.manager_phone', tArgs: { who: c.manager_name || '' } }));
  }
  return h('span', { class: 'muted', t: 'tracing.no_phone' });
}

/** One contact: who, how to reach them, why they were found, and the team's status. */
function contactCard(c, names) {
  const badge = statusBadge(c.status, `contact-status-${c.id}`);
  const items = (c.reasons && c.reasons.items) || [];
  const reasons = h('ul', { class: 'reasons', testid: `contact-reasons-${c.id}` },
    items.map((r, i) => reasonItem(r, names, `contact-reason-${c.id}-${i}`, c.degree === 1 ? c.case_id : null)));
  const total = c.reasons && c.reasons.total > items.length
    ? h('p', { class: 'muted small', t: 'tracing.more_reasons', tArgs: { n: c.reasons.total - items.length } }) : null;

  const sel = h('select', { testid: `contact-status-select-${c.id}` },
    CONTACT_STATUSES.map((st) => h('option', { value: st, selected: c.status === st, t: `tracing.status.${st}` })));
  const statusF = field({ name: 'status', label: 'tracing.set_status', input: sel });
  const note = field({ name: 'note', label: 'tracing.note', attrs: { value: c.note || '', maxlength: '500', testid: `contact-note-${c.id}` } });
  const msg = h('div', { class: 'form-errors', 'aria-live': 'polite', testid: `contact-msg-${c.id}` });
  const save = h('button', { type: 'submit', class: 'btn btn-primary', testid: `contact-save-${c.id}`, t: 'common.save' });
  const form = h('form', { class: 'form contact-form', novalidate: true }, h('div', { class: 'row' }, statusF.wrap, note.wrap), msg, save);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clear(msg);
    const body = { status: sel.value };
    if (note.input.value !== (c.note || '')) body.note = note.input.value;
    try {
      const res = await withBusy(save, () => patch(`/api/v1/tracing/contacts/${seg(c.id)}`, body));
      Object.assign(c, res || body);
      badge.setAttribute('data-status', c.status);
      badge.className = `badge contact-status status-${c.status}`;
      markI18n(badge, 'text', `tracing.status.${c.status}`);
      msg.appendChild(h('p', { class: 'alert alert-ok', role: 'status', testid: `contact-saved-${c.id}`, t: 'tracing.saved' }));
    } catch (e) {
      if (!isAbort(e)) msg.appendChild(errorBox(e, 'update', `contact-error-${c.id}`));
    }
  });

  return h('li', { class: 'card contact', testid: `contact-${c.id}`, 'data-person': c.person_id, 'data-degree': c.degree },
    h('div', { class: 'card-main' },
      h('strong', { class: 'card-title', testid: `contact-name-${c.id}` }, c.full_name || `#${c.person_id}`),
      degreeBadge(c.degree), badge),
    h('div', { class: 'card-meta' },
      contactPhone(c),
      c.street ? h('span', { class: 'breakable' }, c.street) : null,
      unitName(c.commune_code),
      c.date_of_birth ? h('span', null, formatDay(c.date_of_birth)) : null,
      riskText(c.risk)),
    h('p', { class: 'sub-label', t: 'tracing.reasons' }), reasons, total,
    h('p', { class: 'actions' },
      h('a', { href: `#/tracing/cases/${c.case_id}`, testid: `contact-chain-${c.id}`, t: 'tracing.view_chain', tArgs: { id: c.case_id } }),
      h('a', { href: link('/quarantine/orders/new', { person_id: c.person_id, case_id: c.case_id }), testid: `contact-order-${c.id}`, t: 'tracing.order_quarantine' })),
    form);
}

/* ---------------------------------------------------------------- a case's chain */

let dagreLoading = null;

/** The layout library (npm @dagrejs/dagre, served by the server at /vendor/dagre.js), loaded once. */
function loadDagre() {
  if (!dagreLoading) {
    dagreLoading = import('/vendor/dagre.js').then((m) => m.default || m)
      .catch((e) => { dagreLoading = null; throw e; });
  }
  return dagreLoading;
}

/** Draws the chain into root; answers the chain, or null when it could not be read. */
export async function chainView({ root, params, signal }) {
  const box = h('div', { testid: 'chain-box' }, loading());
  const title = h('h1', { t: 'tracing.chain_title', tArgs: { id: params.id } });
  root.appendChild(h('section', { class: 'panel', testid: 'chain-view' },
    h('p', null, h('a', { href: '#/tracing', t: 'tracing.back' })), title,
    h('p', { class: 'lead', t: 'tracing.chain_lead' }), box));
  let chain;
  try {
    chain = await get(`/api/v1/tracing/cases/${seg(params.id)}/chain`, { signal });
  } catch (e) {
    if (!isAbort(e)) replace(box, e.status === 403 ? accessDenied() : errorBox(e, 'other'));
    return null;
  }
  const nodes = chain.nodes || [];
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const names = new Map(nodes.filter((n) => n.name).map((n) => [n.id, n.name]));
  const count = (d) => nodes.filter((n) => n.degree === d).length;
  const summary = h('p', { class: 'meta', testid: 'chain-summary', t: 'tracing.chain_summary', tArgs: { f1: count(1), f2: count(2) } });
  const detail = h('div', { class: 'chain-detail', testid: 'chain-detail', 'aria-live': 'polite' },
    h('p', { class: 'muted', t: 'tracing.chain_pick' }));

  function showNode(n) {
    const incoming = (chain.edges || []).filter((e) => e.to === n.id);
    const items = [];
    for (const e of incoming) for (const r of e.reasons || []) items.push({ through: e.from, ...r });
    replace(detail,
      h('h2', { testid: 'chain-detail-name', 'data-id': n.id }, n.name || ''),
      n.name ? null : h('p', { class: 'muted', t: 'tracing.outside_area' }),
      h('div', { class: 'card-meta' },
        degreeBadge(n.degree),
        n.status ? statusBadge(n.status, 'chain-detail-status') : null,
        n.risk != null ? riskText(n.risk) : null,
        unitName(n.commune_code)),
      n.degree === 0
        ? h('p', { testid: 'chain-detail-case', t: 'tracing.is_case' })
        : h('ul', { class: 'reasons', testid: 'chain-detail-reasons' },
          items.map((r, i) => reasonItem(r, names, `chain-reason-${i}`))));
    if (n.degree > 0 && !items.length) detail.appendChild(h('p', { class: 'muted', t: 'tracing.no_reasons' }));
    detail.setAttribute('data-node', String(n.id));
  }

  if (!nodes.length) { replace(box, h('p', { class: 'muted empty', testid: 'chain-empty', t: 'tracing.chain_empty' })); return chain; }
  let dagre;
  try {
    dagre = await loadDagre();
  } catch {
    replace(box, summary, h('div', { class: 'alert alert-error', role: 'alert', testid: 'chain-graph-error', t: 'tracing.graph_unavailable' }));
    return chain;
  }
  if (signal && signal.aborted) return chain;
  const legend = h('ul', { class: 'chain-legend' },
    [0, 1, 2].map((d) => h('li', null, h('span', { class: `legend-dot chain-d${d}`, 'aria-hidden': 'true' }),
      h('span', { t: `tracing.legend.${d}` }))));
  const graph = chainGraph(chain, { dagre, onSelect: showNode, caseId: chain.case_id ?? params.id });
  replace(box, summary, legend, h('p', { class: 'muted small', t: 'tracing.chain_hint' }),
    h('div', { class: 'chain-wrap' }, graph), detail);
  // The case itself is shown first, so the panel is never empty of meaning.
  const f0 = nodes.find((n) => n.degree === 0);
  if (f0 && byId.has(f0.id)) showNode(f0);
  return chain;
}
