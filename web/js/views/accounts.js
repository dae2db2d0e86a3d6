// Accounts in an admin's scope: the list for one unit (and everything below it),
// enable/disable, setting or removing an account's e-mail address, and a form to create an account.

import { h, replace, clear, loading, field, withBusy, tx } from '../dom.js';
import { get, post, patch, seg, isAbort } from '../api.js';
import { link } from '../router.js';
import { current } from '../session.js';
import { creatableRoles, roleKey, adminLevel } from '../roles.js';
import { errorBox, accessDenied, showFormError, clearFormErrors } from '../errors.js';
import { formatNumber } from '../i18n.js';
import { getUnit, unitName, isNation, NATION } from '../units.js';
import { unitPicker } from '../components/unit-picker.js';

const PAGE = 50;

export async function accountsView({ root, query, signal }) {
  const me = current();
  const unitCode = query.get('unit') || me.unit_code;

  const unitLine = h('p', { class: 'meta', testid: 'accounts-unit' }, tx('common.loading'));
  const toolbar = h('div', { class: 'actions' });
  const notice = h('div', { class: 'notices', 'aria-live': 'polite' });
  const createBox = h('div', { class: 'create-box' });
  const listBox = h('div', { class: 'list-box', testid: 'accounts-list-box' }, loading());

  root.appendChild(h('section', { class: 'panel', testid: 'accounts-view' },
    h('h1', { t: 'accounts.title' }), unitLine, toolbar, notice, createBox, listBox));

  // The unit's name, for the line under the title (does not block the list).
  (isNation({ code: unitCode }) ? Promise.resolve({ code: NATION, level: 0 }) : getUnit(unitCode))
    .then((u) => {
      if (signal.aborted) return;
      replace(unitLine, h('span', { t: 'accounts.unit' }), ' ',
        h('strong', { testid: 'accounts-unit-name' }, unitName(u)), ' ',
        h('a', { href: link(isNation(u) ? '/units' : `/units/${u.code}`), testid: 'accounts-unit-browse', t: 'accounts.browse_unit' }));
    })
    .catch(() => { if (!signal.aborted) replace(unitLine, h('span', { t: 'accounts.unit' }), ' ', h('code', null, unitCode)); });

  /* ---- the list ---- */
  const ul = h('ul', { class: 'cards', testid: 'accounts-list' });
  const total = h('p', { class: 'meta', testid: 'accounts-total' });
  const more = h('button', { type: 'button', class: 'btn btn-block', testid: 'accounts-more', t: 'accounts.more', hidden: true });
  const moreErr = h('div');
  let shown = 0;

  async function loadPage(offset) {
    return get('/api/v1/accounts', { query: { unit: unitCode, limit: PAGE, offset }, signal });
  }

  function addRows(accounts, count) {
    for (const a of accounts) ul.appendChild(accountCard(a, me));
    shown += accounts.length;
    total.setAttribute('data-total', String(count));
    replace(total, tx('accounts.total', { n: formatNumber(count) }));
    more.hidden = shown >= count || accounts.length === 0;
  }

  more.addEventListener('click', async () => {
    clear(moreErr);
    try {
      const res = await withBusy(more, () => loadPage(shown));
      addRows(res.accounts || [], res.total ?? shown);
    } catch (e) {
      if (!isAbort(e)) moreErr.appendChild(errorBox(e, 'list'));
    }
  });

  async function reload() {
    const res = await loadPage(0);
    if (signal.aborted) return;
    clear(ul);
    shown = 0;
    addRows(res.accounts || [], res.total ?? (res.accounts || []).length);
    if (!shown) ul.appendChild(h('li', { class: 'muted empty', testid: 'accounts-empty', t: 'accounts.empty' }));
  }

  try {
    await reload();
  } catch (e) {
    if (isAbort(e) || signal.aborted) return;
    replace(listBox, e.status === 403 ? accessDenied() : errorBox(e, 'list', 'accounts-error'));
    return;
  }
  replace(listBox, total, ul, more, moreErr);

  /* ---- creating an account ---- */
  const openBtn = h('button', { type: 'button', class: 'btn btn-primary', testid: 'account-create-open', 'aria-expanded': 'false', t: 'accounts.create_open' });
  toolbar.appendChild(openBtn);
  let form = null;
  openBtn.addEventListener('click', () => {
    const open = openBtn.getAttribute('aria-expanded') !== 'true';
    openBtn.setAttribute('aria-expanded', String(open));
    if (open && !form) {
      form = createForm(me, unitCode, async (created) => {
        replace(notice, h('div', { class: 'alert alert-ok', role: 'status', testid: 'account-created' },
          h('span', { t: 'accounts.created', tArgs: { username: created.username } })));
        try { await reload(); } catch (e) { if (!isAbort(e)) replace(notice, errorBox(e, 'list')); }
      });
      createBox.appendChild(form.el);
    }
    if (form) form.el.hidden = !open;
    if (open && form) form.focus();
  });
}

function accountCard(a, me) {
  const li = h('li', { class: 'card account', testid: `account-row-${a.username}`, 'data-id': a.id });
  fillCard(li, a, me);
  return li;
}

function fillCard(li, a, me) {
  const status = h('span', {
    class: `badge ${a.disabled ? 'badge-off' : 'badge-on'}`, testid: `account-status-${a.username}`,
    'data-disabled': String(Boolean(a.disabled)), t: a.disabled ? 'accounts.disabled' : 'accounts.enabled',
  });
  const err = h('div', { class: 'card-error' });
  let toggle = null;
  if (!me || me.id !== a.id) {
    toggle = h('button', {
      type: 'button', class: `btn btn-small ${a.disabled ? '' : 'btn-danger'}`, testid: `account-toggle-${a.username}`,
      t: a.disabled ? 'accounts.enable' : 'accounts.disable',
    });
    toggle.addEventListener('click', async () => {
      clear(err);
      try {
        const updated = await withBusy(toggle, () => patch(`/api/v1/accounts/${seg(a.id)}`, { disabled: !a.disabled }));
        fillCard(li, updated && updated.id !== undefined ? updated : { ...a, disabled: !a.disabled }, me);
        const again = li.querySelector(`[data-testid="account-toggle-${CSS.escape(a.username)}"]`);
        if (again) again.focus();
      } catch (e) {
        if (!isAbort(e)) err.appendChild(errorBox(e, 'update'));
      }
    });
  }
  const emailEdit = h('button', {
    type: 'button', class: 'btn btn-small', testid: `account-email-edit-${a.username}`, t: 'accounts.email_edit', 'aria-expanded': 'false',
  });
  const emailBox = h('div');
  emailEdit.addEventListener('click', () => {
    const open = !emailBox.firstChild;
    emailEdit.setAttribute('aria-expanded', String(open));
    replace(emailBox, open ? emailForm(a, (updated) => { fillCard(li, updated, me); }) : null);
  });
  replace(li,
    h('div', { class: 'card-main' },
      h('strong', { class: 'card-title' }, a.full_name || a.username),
      h('span', { class: 'username' }, a.username)),
    h('div', { class: 'card-meta' },
      h('span', { class: 'badge badge-role', t: roleKey(a.role) }),
      h('span', { class: 'unit-name' }, a.unit_name || a.unit_code),
      a.phone ? h('span', { class: 'phone' }, a.phone) : null,
      a.email ? h('span', { class: 'email', testid: `account-email-${a.username}` }, a.email) : null,
      status),
    toggle ? h('div', { class: 'card-actions' }, toggle, ' ', emailEdit) : null,
    toggle ? emailBox : null,
    err);
}

/** The inline form that sets (or, left empty, removes) an account's e-mail address. */
function emailForm(a, onSaved) {
  const email = field({
    name: 'email', label: 'field.email_optional', type: 'email', hint: 'hint.account_email',
    attrs: { inputmode: 'email', autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false', maxlength: 254, testid: `account-email-input-${a.username}` },
  });
  email.input.value = a.email || '';
  const errors = h('div', { class: 'form-errors', 'aria-live': 'assertive' });
  const save = h('button', { type: 'submit', class: 'btn btn-primary btn-small', testid: `account-email-save-${a.username}`, t: 'accounts.email_save' });
  const form = h('form', { class: 'form inline-form', novalidate: true }, email.wrap, errors, save);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(form, errors);
    const value = email.input.value.trim();
    try {
      const updated = await withBusy(save, () => patch(`/api/v1/accounts/${seg(a.id)}`, { email: value || null }));
      onSaved(updated);
    } catch (e) {
      if (!isAbort(e)) showFormError(form, errors, e, 'update');
    }
  });
  setTimeout(() => email.input.focus(), 0);
  return form;
}

function createForm(me, unitCode, onCreated) {
  const username = field({
    name: 'username', label: 'field.username', hint: 'hint.username',
    attrs: { autocomplete: 'off', autocapitalize: 'none', autocorrect: 'off', spellcheck: 'false', maxlength: 64, testid: 'new-username' },
  });
  const fullName = field({ name: 'full_name', label: 'field.full_name', attrs: { autocomplete: 'off', maxlength: 200, testid: 'new-full-name' } });
  const password = field({
    name: 'password', label: 'field.password', type: 'password', hint: 'hint.password',
    attrs: { autocomplete: 'new-password', maxlength: 128, testid: 'new-password' },
  });
  const phone = field({
    name: 'phone', label: 'field.phone_optional', type: 'tel', hint: 'hint.phone',
    attrs: { inputmode: 'tel', autocomplete: 'off', maxlength: 16, testid: 'new-phone' },
  });
  const email = field({
    name: 'email', label: 'field.email_optional', type: 'email', hint: 'hint.account_email',
    attrs: { inputmode: 'email', autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false', maxlength: 254, testid: 'new-email' },
  });
  const roleSelect = h('select', { testid: 'new-role' },
    h('option', { value: '', t: 'accounts.choose_role' }),
    creatableRoles(me.role).map((r) => h('option', { value: r, t: roleKey(r) })));
  const role = field({ name: 'role', label: 'field.role', input: roleSelect });
  const roleHint = h('p', { class: 'hint', testid: 'new-role-hint' });
  role.wrap.appendChild(roleHint);
  roleSelect.addEventListener('change', () => {
    const lvl = adminLevel(roleSelect.value);
    replace(roleHint, lvl === null ? null : tx(`hint.admin_level.${lvl}`));
  });

  const picker = unitPicker({ rootCode: me.unit_code, initial: unitCode, legend: 'field.unit_code', testid: 'new-unit' });
  const errors = h('div', { class: 'form-errors', 'aria-live': 'assertive' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block', testid: 'new-submit', t: 'accounts.create_submit' });

  const form = h('form', { class: 'form card', testid: 'account-create-form', novalidate: true },
    h('h2', { t: 'accounts.create_title' }),
    username.wrap, fullName.wrap, password.wrap, phone.wrap, email.wrap, role.wrap, picker.el, errors, submit);

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(form, errors);
    const body = {
      username: username.input.value.trim(),
      password: password.input.value,
      full_name: fullName.input.value.trim(),
      role: roleSelect.value,
      unit_code: picker.value(),
    };
    const ph = phone.input.value.replace(/[\s.-]/g, '');
    if (ph) body.phone = ph;
    const em = email.input.value.trim();
    if (em) body.email = em;
    // Required fields are checked here too, so the message names the field before a round trip.
    for (const f of ['username', 'full_name', 'password', 'role', 'unit_code']) {
      if (!body[f]) {
        showFormError(form, errors, { status: 400, code: 'missing_field', field: f }, 'create');
        return;
      }
    }
    try {
      const created = await withBusy(submit, () => post('/api/v1/accounts', body));
      for (const f of [username, fullName, password, phone, email]) f.input.value = '';
      await onCreated(created);
    } catch (e) {
      if (!isAbort(e)) showFormError(form, errors, e, 'create');
    }
  });

  return { el: form, focus: () => username.input.focus() };
}
