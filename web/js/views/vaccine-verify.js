// The certificate verifier (public): scan an EU DCC QR code with the camera or paste its "HC1:"
// text; the server checks it against its trust list and the page shows valid or invalid with
// the exact reason and what the certificate says (components/dcc-result.js).

import { h, replace, clear, loading, withBusy, field } from '../dom.js';
import { post, isAbort } from '../api.js';
import { errorBox } from '../errors.js';
import { qrScanner } from '../components/qr-scanner.js';
import { dccResult } from '../components/dcc-result.js';

export async function verifyView({ root, signal }) {
  const text = field({ name: 'payload', label: 'dcc.payload', hint: 'dcc.payload_hint',
    input: h('textarea', { rows: 4, spellcheck: 'false', autocomplete: 'off', autocapitalize: 'off', testid: 'verify-payload', class: 'mono' }) });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-big btn-block', testid: 'verify-submit', t: 'dcc.check' });
  const out = h('div', { testid: 'verify-out', 'aria-live': 'polite' });
  const form = h('form', { class: 'form', testid: 'verify-form', novalidate: true }, text.wrap, submit);

  async function check(raw) {
    // A pasted code often carries a line break or spaces around it; inside, every character counts.
    const payload = String(raw || '').trim();
    if (!payload) { text.input.focus(); return; }
    replace(out, loading());
    try {
      const v = await withBusy(submit, () => post('/api/v1/certificates/verify', { payload }, { signal, auth: false }));
      replace(out, dccResult(v));
    } catch (e) {
      if (!isAbort(e)) replace(out, errorBox(e, 'other', 'verify-error'));
    }
  }

  const scanner = qrScanner({
    signal,
    testid: 'verify-scanner',
    onCode(code) {
      text.input.value = code;
      check(code);
      return true; // one code at a time: the verifier reads the answer, then scans again
    },
  });
  const scanBtn = h('button', { type: 'button', class: 'btn btn-primary btn-block btn-big', testid: 'verify-scan', t: 'dcc.scan' });
  scanBtn.addEventListener('click', async () => {
    clear(out);
    await withBusy(scanBtn, () => scanner.start());
  });
  form.addEventListener('submit', (ev) => { ev.preventDefault(); scanner.stop(); check(text.input.value); });

  root.appendChild(h('section', { class: 'panel panel-narrow', testid: 'verify-view' },
    h('h1', { t: 'dcc.verify_title' }), h('p', { class: 'lead', t: 'dcc.verify_lead' }),
    scanBtn, scanner.el, h('p', { class: 'or muted', t: 'dcc.or_paste' }), form, out));
}
