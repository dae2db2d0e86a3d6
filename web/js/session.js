// Who is signed in. The session itself is the HttpOnly cookie; this keeps the account object.

import { api } from './api.js';

let account = null;
const listeners = new Set();

export function current() {
  return account;
}

export function onSessionChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function set(next) {
  account = next;
  for (const fn of listeners) fn(account);
}

/** Ask the server who we are; resolves with the account or null. Network errors propagate. */
export async function restore() {
  try {
    set(await api('GET', '/api/v1/auth/me', { auth: false }));
  } catch (e) {
    if (e.status === 401) set(null);
    else throw e;
  }
  return account;
}

export async function login(username, password) {
  const res = await api('POST', '/api/v1/auth/login', { body: { username, password }, auth: false });
  set(res.account);
  return res.account;
}

export async function logout() {
  try {
    await api('POST', '/api/v1/auth/logout', { auth: false });
  } finally {
    set(null);
  }
}

/** Forget the account locally (the server already said the session is gone). */
export function expire() {
  set(null);
}
