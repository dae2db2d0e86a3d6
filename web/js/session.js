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

/**
 * A citizen's session as the UI keeps it: an account-like object with role 'citizen'
 * (so the header and the guard treat both kinds alike) plus the person and managed members.
 */
export function citizenAccount(me) {
  const p = (me && me.person) || {};
  return {
    role: 'citizen',
    username: p.full_name || p.phone || '',
    unit_name: '',
    person: p,
    profile_complete: Boolean(me && me.profile_complete),
    managed: (me && me.managed) || [],
  };
}

export function isCitizen(acc = account) {
  return Boolean(acc && acc.role === 'citizen');
}

/**
 * Ask the server who we are; resolves with the account or null. Network errors propagate.
 * Staff sessions answer /auth/me; a citizen's session is refused there (403) and answers /me.
 */
export async function restore() {
  try {
    set(await api('GET', '/api/v1/auth/me', { auth: false }));
  } catch (e) {
    if (e.status === 401) set(null);
    else if (e.status === 403) await refreshCitizen();
    else throw e;
  }
  return account;
}

/** Re-read the signed-in citizen (after a profile or family change). */
export async function refreshCitizen() {
  try {
    set(citizenAccount(await api('GET', '/api/v1/me', { auth: false })));
  } catch (e) {
    if (e.status === 401 || e.status === 403) set(null);
    else throw e;
  }
  return account;
}

/** Ask for a one-time code by SMS. */
export function requestOtp(phone) {
  return api('POST', '/api/v1/citizen/otp', { body: { phone }, auth: false });
}

/** Sign a citizen in with the code; resolves with the account-like object. */
export async function citizenLogin(phone, code) {
  await api('POST', '/api/v1/citizen/login', { body: { phone, code }, auth: false });
  return refreshCitizen();
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
