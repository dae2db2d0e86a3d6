// Sign-in page.

import { h, field, withBusy } from '../dom.js';
import { login } from '../session.js';
import { showFormError, clearFormErrors } from '../errors.js';

export function loginView({ root }, { onSuccess }) {
  const user = field({
    name: 'username', label: 'field.username',
    attrs: { autocomplete: 'username', autocapitalize: 'none', autocorrect: 'off', spellcheck: 'false', required: true, testid: 'login-username', maxlength: 64 },
  });
  const pass = field({
    name: 'password', label: 'field.password', type: 'password',
    attrs: { autocomplete: 'current-password', required: true, testid: 'login-password', maxlength: 128 },
  });
  const errors = h('div', { class: 'form-errors', 'aria-live': 'assertive' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block', testid: 'login-submit', t: 'login.submit' });

  const form = h('form', { class: 'form', testid: 'login-form', novalidate: true },
    user.wrap, pass.wrap, errors, submit);

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(form, errors);
    const username = user.input.value.trim();
    const password = pass.input.value;
    if (!username || !password) {
      const missing = !username ? 'username' : 'password';
      showFormError(form, errors, { status: 400, code: 'missing_field', field: missing }, 'login');
      return;
    }
    try {
      const me = await withBusy(submit, () => login(username, password));
      onSuccess(me);
    } catch (e) {
      if (e.name === 'AbortError') return;
      pass.input.value = '';
      showFormError(form, errors, e, 'login');
      if (!e.field) pass.input.focus();
    }
  });

  root.appendChild(h('section', { class: 'panel panel-narrow citizen-entry', testid: 'citizen-entry' },
    h('p', { class: 'lead', t: 'login.citizen_lead' }),
    h('a', { class: 'btn btn-primary btn-block btn-big', href: '#/citizen/login', testid: 'to-citizen-login', t: 'login.citizen_button' })));
  root.appendChild(h('section', { class: 'panel panel-narrow login', testid: 'login-view' },
    h('h1', { t: 'login.title' }),
    h('p', { class: 'lead', t: 'login.lead' }),
    form));
  user.input.focus();
}
