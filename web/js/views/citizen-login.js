// Citizen sign-in: a phone number, then the one-time code sent to it by SMS.

import { h, field, withBusy, replace, clear } from '../dom.js';
import { requestOtp, citizenLogin } from '../session.js';
import { showFormError, clearFormErrors } from '../errors.js';

const CODE_RE = /^\d{6}$/;

export function citizenLoginView({ root }, { onSuccess }) {
  const phone = field({
    name: 'phone', label: 'field.phone', type: 'tel', hint: 'hint.phone',
    attrs: { inputmode: 'tel', autocomplete: 'tel', maxlength: 16, required: true, testid: 'otp-phone' },
  });
  const sendBtn = h('button', { type: 'submit', class: 'btn btn-primary btn-block btn-big', testid: 'otp-send', t: 'citizen.send_code' });
  const phoneErrors = h('div', { class: 'form-errors', 'aria-live': 'assertive' });
  const phoneForm = h('form', { class: 'form', testid: 'otp-phone-form', novalidate: true }, phone.wrap, phoneErrors, sendBtn);

  const code = field({
    name: 'code', label: 'field.otp_code', hint: 'hint.otp_code',
    attrs: { inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: 6, pattern: '[0-9]*', required: true, testid: 'otp-code' },
  });
  const sentTo = h('p', { class: 'alert alert-ok', role: 'status', testid: 'otp-sent' });
  const loginBtn = h('button', { type: 'submit', class: 'btn btn-primary btn-block btn-big', testid: 'otp-login', t: 'citizen.login' });
  const again = h('button', { type: 'button', class: 'btn btn-ghost btn-block', testid: 'otp-change-phone', t: 'citizen.change_phone' });
  const codeErrors = h('div', { class: 'form-errors', 'aria-live': 'assertive' });
  const codeForm = h('form', { class: 'form', testid: 'otp-code-form', novalidate: true, hidden: true },
    sentTo, code.wrap, codeErrors, loginBtn, again);

  let number = '';

  phoneForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(phoneForm, phoneErrors);
    number = phone.input.value.replace(/[\s.-]/g, '');
    if (!number) {
      showFormError(phoneForm, phoneErrors, { status: 400, code: 'missing_field', field: 'phone' }, 'other');
      return;
    }
    try {
      await withBusy(sendBtn, () => requestOtp(number));
    } catch (e) {
      if (e.status === 429) {
        replace(phoneErrors, h('div', { class: 'alert alert-error', role: 'alert', testid: 'form-error', 'data-status': '429' },
          h('p', { class: 'alert-title', t: 'citizen.too_many_codes' })));
      } else {
        showFormError(phoneForm, phoneErrors, e, 'other');
      }
      return;
    }
    replace(sentTo, h('span', { t: 'citizen.code_sent', tArgs: { phone: number } }));
    phoneForm.hidden = true;
    codeForm.hidden = false;
    code.input.value = '';
    code.input.focus();
  });

  again.addEventListener('click', () => {
    clearFormErrors(codeForm, codeErrors);
    codeForm.hidden = true;
    phoneForm.hidden = false;
    phone.input.focus();
  });

  codeForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(codeForm, codeErrors);
    const value = code.input.value.replace(/\s/g, '');
    if (!CODE_RE.test(value)) {
      showFormError(codeForm, codeErrors, { status: 400, code: value ? 'invalid_field' : 'missing_field', field: 'code' }, 'other');
      return;
    }
    try {
      const me = await withBusy(loginBtn, () => citizenLogin(number, value));
      onSuccess(me);
    } catch (e) {
      code.input.value = '';
      if (e.status === 401) {
        clear(codeErrors);
        codeErrors.appendChild(h('div', { class: 'alert alert-error', role: 'alert', testid: 'form-error', 'data-status': '401' },
          h('p', { class: 'alert-title', t: 'citizen.wrong_code' })));
        code.input.focus();
      } else {
        showFormError(codeForm, codeErrors, e, 'other');
      }
    }
  });

  root.appendChild(h('section', { class: 'panel panel-narrow login', testid: 'citizen-login-view' },
    h('h1', { t: 'citizen.login_title' }),
    h('p', { class: 'lead', t: 'citizen.login_lead' }),
    phoneForm, codeForm,
    h('p', { class: 'small' }, h('a', { href: '#/login', testid: 'to-staff-login', t: 'citizen.staff_link' }))));
  phone.input.focus();
}
