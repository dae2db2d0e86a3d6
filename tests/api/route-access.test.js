'use strict';
// The role gate of every route, generated from the route table: src/routes.c lists the routes,
// docs/access.md says who may call each. A route in one and not the other fails; then each route
// is called by each role (Hà Nội accounts, a signed-in citizen) and anonymously. A role the docs
// do not list must be stopped with 403 "your role may not do this" (401 when anonymous) before
// the handler runs; a listed role must get past the gate (any answer but those, never a 5xx).
// Path parameters name nothing that exists and bodies are empty: this test is about the gate;
// area and record rules have their own tests per domain (tests/api/access.test.js and others).

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { startServer, REPO_ROOT } = require('../lib/server');
const { ROLES, HANOI_UNIT_FOR_ROLE, PASSWORD, createAccount } = require('../lib/fixtures');
const { citizenLogin, uniquePhone } = require('../lib/people');

const ABBREV = {
  natl: 'national_admin', prov: 'province_admin', dist: 'district_admin', comm: 'commune_admin', smpl: 'sampler',
  lab: 'lab', vacc: 'vaccinator', trac: 'tracer', chkp: 'checkpoint_officer', venu: 'venue_owner', citz: 'citizen',
};
const CALLERS = [...ROLES, 'citizen', 'anonymous'];
const GATE = 'your role may not do this';

/** [{method, pattern}] of src/routes.c, in order. */
function codeRoutes() {
  const src = fs.readFileSync(path.join(REPO_ROOT, 'src', 'routes.c'), 'utf8');
  return [...src.matchAll(/\{"(GET|POST|PUT|PATCH|DELETE)", "([^"]+)",/g)].map((m) => ({ method: m[1], pattern: m[2] }));
}

/** Map "METHOD pattern" -> Set of callers allowed, from docs/access.md. */
function docRoutes() {
  const md = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'access.md'), 'utf8');
  const out = new Map();
  for (const m of md.matchAll(/^\| (GET|POST|PUT|PATCH|DELETE) \| `([^`]+)` \| ([a-z ]+) \|$/gm)) {
    const words = m[3].trim().split(/\s+/);
    let who;
    if (words[0] === 'public') who = new Set(CALLERS);
    else if (words[0] === 'any') who = new Set([...ROLES, 'citizen']);
    else if (words[0] === 'staff') who = new Set(ROLES);
    else who = new Set(words.map((w) => { assert.ok(ABBREV[w], `unknown role ${w} in docs/access.md`); return ABBREV[w]; }));
    const key = `${m[1]} ${m[2]}`;
    assert.ok(!out.has(key), `${key} twice in docs/access.md`);
    out.set(key, { who, isPublic: words[0] === 'public' });
  }
  return out;
}

const PARAMS = { id: '999999999', code: 'ZZZZZZZZ', ref: 'TK-20210101-AAAAAA', province: '01' };
const fill = (pattern) => pattern.replace(/\{(\w+)\}/g, (_, name) => PARAMS[name] || 'x');

let srv;
const tokens = {};

before(async () => {
  srv = await startServer();
  const admin = await srv.login(srv.adminUsername, srv.adminPassword);
  tokens.national_admin = admin;
  for (const role of ROLES.slice(1)) {
    const username = `ra.${role.replace(/_/g, '.')}`;
    await createAccount(srv, admin, { username, role, unit_code: HANOI_UNIT_FOR_ROLE[role] });
    tokens[role] = await srv.login(username, PASSWORD);
  }
  tokens.citizen = (await citizenLogin(srv, admin, uniquePhone())).token;
});
after(async () => { if (srv) await srv.stop(); });

test('docs/access.md lists exactly the routes of src/routes.c', () => {
  const code = codeRoutes().map((r) => `${r.method} ${r.pattern}`);
  const docs = docRoutes();
  assert.ok(code.length > 100, `only ${code.length} routes read from src/routes.c`);
  const missing = code.filter((k) => !docs.has(k));
  const stale = [...docs.keys()].filter((k) => !code.includes(k));
  assert.deepEqual(missing, [], 'routes with no row in docs/access.md');
  assert.deepEqual(stale, [], 'rows of docs/access.md for routes that do not exist');
});

test('every route x every role: the gate lets through exactly the roles docs/access.md lists', async () => {
  const docs = docRoutes();
  const failures = [];
  // logout ends the session of the token it is called with: last
  const routes = codeRoutes().sort((a, b) => (a.pattern === '/api/v1/auth/logout') - (b.pattern === '/api/v1/auth/logout'));
  for (const { method, pattern } of routes) {
    const spec = docs.get(`${method} ${pattern}`);
    if (!spec) continue; // reported by the test above
    for (const caller of CALLERS) {
      const token = caller === 'anonymous' ? undefined : tokens[caller];
      const body = method === 'GET' || method === 'DELETE' ? undefined : {};
      const r = await srv.api(method, fill(pattern), { token, body });
      const gated = r.status === 401 || (r.status === 403 && r.json && r.json.error && r.json.error.message === GATE);
      const where = `${method} ${pattern} as ${caller}: ${r.status} ${r.text.slice(0, 120)}`;
      if (r.status >= 500) failures.push(`server error: ${where}`);
      else if (spec.who.has(caller) && gated) failures.push(`stopped at the gate: ${where}`);
      else if (!spec.who.has(caller) && !spec.isPublic) {
        const want = caller === 'anonymous' ? 401 : 403;
        if (r.status !== want || (want === 403 && r.json.error.message !== GATE)) failures.push(`not stopped: ${where}`);
      }
    }
  }
  assert.deepEqual(failures, []);
});

/** The routes docs/access.md lists under "Lists by area". */
function areaRoutes() {
  const md = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'access.md'), 'utf8');
  const section = md.split('## Lists by area')[1].split('\n## ')[0];
  return [...section.matchAll(/^- `GET (\S+)`$/gm)].map((m) => m[1]);
}

test('every list by area answers inside the caller\'s area and refuses outside it', async () => {
  const routes = areaRoutes();
  const known = new Set(codeRoutes().filter((r) => r.method === 'GET').map((r) => r.pattern));
  assert.ok(routes.length > 20, `only ${routes.length} routes under "Lists by area"`);
  // the gate test above logged every token out (POST /auth/logout): sign in again
  const fresh = { national_admin: await srv.login(srv.adminUsername, srv.adminPassword) };
  for (const role of ['province_admin', 'district_admin', 'commune_admin']) {
    fresh[role] = await srv.login(`ra.${role.replace(/_/g, '.')}`, PASSWORD);
  }
  const failures = [];
  for (const route of routes) {
    if (!known.has(route)) { failures.push(`${route} is not a GET route of src/routes.c`); continue; }
    const ask = async (role, unit) => srv.api('GET', `${route}?unit=${unit}`, { token: fresh[role] });
    for (const role of ['province_admin', 'district_admin', 'commune_admin']) {
      const inside = await ask(role, '00001');
      if (inside.status !== 200) failures.push(`${route} as ${role} for its own commune: ${inside.status} ${inside.text.slice(0, 120)}`);
      const outside = await ask(role, '79');
      if (outside.status !== 403) failures.push(`${route} as ${role} for HCM: ${outside.status} ${outside.text.slice(0, 120)}`);
    }
    for (const unit of ['00001', '79']) {
      const r = await ask('national_admin', unit);
      if (r.status !== 200) failures.push(`${route} as national_admin for ${unit}: ${r.status} ${r.text.slice(0, 120)}`);
    }
  }
  assert.deepEqual(failures, []);
});
