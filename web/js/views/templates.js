// Message templates for the national admin: the Vietnamese and English text of each kind of
// message, with the fields it may use ({code}, {minutes}, ...) listed and explained beside it.
// A refused text shows its error under the text, naming the field that is wrong.

import { h, replace, loading, field, withBusy, tx } from '../dom.js';
import { get, put, seg, isAbort } from '../api.js';
import { errorBox, accessDenied, showFormError, clearFormErrors } from '../errors.js';
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
  const title = has(`templates.kind.${k}`) ? `templates.kind.${k}` : `outbox.kind.${k}`;
  const fields = tpl.fields.length
    ? h('ul', { class: 'meta template-fields', testid: `template-${k}-fields` }, tpl.fields.map((f) =>
      h('li', null, h('code', { class: 'badge' }, `{${f}}`), ' ',
        has(`templates.field.${f}`) ? h('span', { t: `templates.field.${f}` }) : null)))
    : h('p', { class: 'meta', testid: `template-${k}-fields`, t: 'templates.no_fields' });
  const form = h('form', { class: 'card form', testid: `template-${k}`, novalidate: true },
    h('h2', null, has(title) ? tx(title) : h('code', null, k)),
    h('p', { class: 'meta', t: 'templates.fields' }), fields,
    viF.wrap, enF.wrap, h('div', { class: 'actions' }, save, reset), status);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(form, status);
    try {
      await withBusy(save, () => put(`/api/v1/notify/templates/${seg(k)}`, { body_vi: vi.value, body_en: en.value }));
      replace(status, h('p', { class: 'alert alert-ok', testid: `template-${k}-saved`, t: 'templates.saved' }));
    } catch (e) {
      if (isAbort(e)) return;
      showFormError(form, status, e, 'update');
      const box = status.querySelector('[role=alert]');
      if (box) box.setAttribute('data-testid', `template-${k}-error`);
    }
  });
  return form;
}
