// Turning API errors into messages in the current language, and showing them.

import { h, clear, withBusy } from './dom.js';
import { postFile, isAbort } from './api.js';
import { has } from './i18n.js';
import { current } from './session.js';

function fieldArg(field) {
  if (!field) return '';
  if (has(`field.${field}`)) return { t: `field.${field}` };
  // person_ids[1], answers.fever: the name of the list or object they belong to
  const base = field.split(/[[.]/)[0];
  return has(`field.${base}`) ? { t: `field.${base}` } : field;
}

// Codes whose status alone says too little; the others are told apart by status below.
const CODE_KEYS = {
  method_not_allowed: 'error.method_not_allowed',
  body_too_large: 'error.too_large',
  unsupported_media_type: 'error.media_type',
  file_too_complex: 'error.file_too_complex',
  bad_request: 'error.bad_request',
  unavailable: 'error.unavailable',
};

/**
 * The translation key and parameters for an error.
 * context: 'login' | 'list' (reading an area's data) | 'create' | 'update' | 'other'
 */
export function describe(err, context = 'other') {
  const status = err && err.status;
  const code = err && err.code;
  const field = err && err.field;
  if (!err || status === undefined) return { key: 'error.unknown', args: { status: '', code: String(err) } };
  if (code === 'network') return { key: 'error.network' };
  if (code === 'timeout') return { key: 'error.timeout' };
  if (code === 'bad_response') return { key: 'error.bad_response' };
  if (status === 401) return { key: context === 'login' ? 'error.login_failed' : 'error.session_expired' };
  if (status === 429) {
    const secs = Number(err.retryAfter);
    if (secs > 0) return { key: 'error.rate_limited', args: { minutes: Math.max(1, Math.ceil(secs / 60)) } };
    return { key: 'error.rate_limited_later' };
  }
  if (status === 403) {
    if (context === 'list') return { key: 'error.no_area_access' };
    if (context === 'create') return { key: 'error.forbidden_create' };
    if (context === 'update') return { key: 'error.forbidden_update' };
    return { key: 'error.forbidden' };
  }
  if (status === 409) {
    if (has(`error.conflict.${field}`)) return { key: `error.conflict.${field}` };
    return { key: 'error.conflict', args: { field: fieldArg(field) } };
  }
  if (code === 'missing_field') return { key: 'error.missing_field', args: { field: fieldArg(field) } };
  if (code === 'invalid_field') {
    if (field && has(`error.invalid.${field}`)) return { key: `error.invalid.${field}` };
    return { key: 'error.invalid_field', args: { field: fieldArg(field) } };
  }
  if (code === 'unknown_field') return { key: 'error.unknown_field', args: { field: fieldArg(field) } };
  if (code === 'invalid_json') return { key: 'error.invalid_json' };
  if (CODE_KEYS[code]) return { key: CODE_KEYS[code] };
  if (status === 404) return { key: 'error.not_found' };
  if (status >= 500) return { key: 'error.server', args: { status } };
  if (status >= 400) return { key: 'error.rejected', args: { code } };
  return { key: 'error.unknown', args: { status, code } };
}

/** An alert box for an error: translated message, then the server's own words and the request id. */
export function errorBox(err, context, testid = 'error') {
  const { key, args } = describe(err, context);
  return h('div', {
    class: 'alert alert-error', role: 'alert', testid,
    'data-code': err && err.code, 'data-status': err && err.status, 'data-field': err && err.field,
  },
  h('p', { class: 'alert-title', t: key, tArgs: args }),
  err && err.status > 0 && err.message
    ? h('p', { class: 'detail' }, h('span', { t: 'error.detail' }), ' ', h('span', { class: 'server-message' }, err.message))
    : null,
  err && err.requestId
    ? h('p', { class: 'detail' }, h('span', { t: 'error.request_id' }), ' ', h('code', null, err.requestId))
    : null);
}

/** The message shown when the server refuses an area outside the caller's scope (403). */
export function accessDenied() {
  const me = current();
  return h('div', { class: 'alert alert-denied', role: 'alert', testid: 'access-denied' },
    h('p', { class: 'alert-title', t: 'error.no_area_access' }),
    me ? h('p', { t: 'error.no_area_access_hint', tArgs: { unit: me.unit_name || me.unit_code } }) : null);
}

/** Remove the error box and field highlights a previous submit left in a form. */
export function clearFormErrors(form, box) {
  if (box) clear(box);
  for (const el of form.querySelectorAll('.field.invalid')) el.classList.remove('invalid');
  for (const el of form.querySelectorAll('[aria-invalid="true"]')) el.removeAttribute('aria-invalid');
  for (const el of form.querySelectorAll('.field-error')) {
    const input = el.parentElement && el.parentElement.querySelector('[aria-describedby]');
    if (input) {
      const rest = input.getAttribute('aria-describedby').split(' ').filter((id) => id !== el.id).join(' ');
      if (rest) input.setAttribute('aria-describedby', rest); else input.removeAttribute('aria-describedby');
    }
    el.remove();
  }
}

/**
 * Show an API error for a form: the alert in `box`, and when the server names a field,
 * that field highlighted with the message under it and focused.
 */
export function showFormError(form, box, err, context) {
  clearFormErrors(form, box);
  box.appendChild(errorBox(err, context, 'form-error'));
  if (!err || !err.field) return;
  const wrap = form.querySelector(`.field[data-field="${CSS.escape(err.field)}"]`);
  if (!wrap) return;
  wrap.classList.add('invalid');
  const { key, args } = describe(err, context);
  const msg = h('p', { class: 'field-error', id: `${wrap.getAttribute('data-field')}-error-${Date.now()}`, testid: `field-error-${err.field}`, t: key, tArgs: args });
  wrap.appendChild(msg);
  const input = wrap.querySelector('input:not([type=hidden]), select, textarea, button');
  if (input) {
    input.setAttribute('aria-invalid', 'true');
    const described = input.getAttribute('aria-describedby');
    input.setAttribute('aria-describedby', described ? `${described} ${msg.id}` : msg.id);
    input.focus();
  }
}

/**
 * Sends the file chosen in a form's file input as the raw body of a POST to path: clears the
 * form's errors, refuses a missing file or one over max bytes on the file field (as the server
 * would), and keeps button busy meanwhile. Resolves with the JSON answer, or null when the error
 * is shown in the form (or the request was aborted).
 */
export async function submitFile(form, box, { input, button, max, path, signal }) {
  clearFormErrors(form, box);
  const file = input.files && input.files[0];
  if (!file) { showFormError(form, box, { status: 400, code: 'missing_field', field: 'file' }, 'create'); return null; }
  if (file.size > max) { showFormError(form, box, { status: 413, code: 'body_too_large', field: 'file', message: `${file.size} bytes` }, 'create'); return null; }
  try {
    return await withBusy(button, () => postFile(path, file, signal));
  } catch (e) {
    if (!isAbort(e)) showFormError(form, box, e, 'create');
    return null;
  }
}
