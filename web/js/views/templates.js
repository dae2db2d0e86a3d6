// Message templates for the national admin: the Vietnamese and English text of each kind of
// message, with the fields it may use ({code}, {minutes}, ...).

import { h, replace, loading, field, withBusy, tx } from '../dom.js';
import { get, put, seg, isAbort } from '../api.js';
import { errorBox, accessDenied } from '../errors.js';
import { has } from '../i18n.js';

export async function templatesView({ root, signal }) {
  const listBox = h('div', { class: 'list-box', testid: 'templates-box' }, loading());
  root.appendChild(h('section', { class: 'panel', testid: 'templates-view' },
    h('h1', { t: 'templates.title' }), h('p', { class: 'lead', t: 'templates.lead' }), listBox));
  let res;
  try {
    res = await get('/api/v1/notify/templates', { signal });
  } catch (e) {
    if (isAbort(e) || signal.aborted) return;
    replace(listBox, e.status === 403 ? accessDenied() : errorBox(e, 'list'));
    return;
  }
  replace(listBox, h('div', null, (res.templates || []).map(templateCard)));
}

function templateCard(tpl) {
  const k = tpl.kind;
  const vi = h('textarea', { rows: 3, maxlength: 480, testid: `template-${k}-vi` });
  const en = h('textarea', { rows: 3, maxlength: 480, testid: `template-${k}-en` });
  vi.value = tpl.body_vi;
  en.value = tpl.body_en;
  const viF = field({ name: 'body_vi', label: 'field.body_vi', input: vi });
  const enF = field({ name: 'body_en', label: 'field.body_en', input: en });
  const status = h('div', { 'aria-live': 'polite' });
  const save = h('button', { type: 'submit', class: 'btn btn-primary', testid: `template-${k}-save`, t: 'templates.save' });
  const reset = h('button', { type: 'button', class: 'btn btn-ghost', testid: `template-${k}-default`, t: 'templates.default' });
  reset.addEventListener('click', () => { vi.value = tpl.default_vi; en.value = tpl.default_en; });
  const form = h('form', { class: 'card form', testid: `template-${k}`, novalidate: true },
    h('h2', null, has(`outbox.kind.${k}`) ? tx(`outbox.kind.${k}`) : h('code', null, k)),
    h('p', { class: 'meta' }, h('span', { t: 'templates.fields' }), ' ',
      tpl.fields.map((f) => [h('code', { class: 'badge' }, `{${f}}`), ' '])),
    viF.wrap, enF.wrap, h('div', { class: 'actions' }, save, reset), status);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    replace(status);
    try {
      await withBusy(save, () => put(`/api/v1/notify/templates/${seg(k)}`, { body_vi: vi.value, body_en: en.value }));
      replace(status, h('p', { class: 'alert alert-ok', testid: `template-${k}-saved`, t: 'templates.saved' }));
    } catch (e) {
      if (!isAbort(e)) replace(status, errorBox(e, 'update', `template-${k}-error`));
    }
  });
  return form;
}
