'use strict';
// Who may call what: every route of the service, authentication, units, accounts and audit
// sections of docs/api.md x every role x {inside scope, outside scope}
// plus anonymous, against the explicit table below.
//
// Accounts of the Hà Nội roles: national_admin at VN, province_admin at 01, district_admin at
// 001 (Ba Đình), commune_admin and every operational role at 00001 (Phúc Xá). "inside" targets
// a unit or account at 00001, inside every one of these scopes; "outside" targets 79
// (Hồ Chí Minh) or an account at 26734 (Tân Định, HCM). "self" routes act on the caller only;
// "public" routes need no sign-in.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { startServer, REPO_ROOT } = require('../lib/server');
const { ROLES, UNITS, HANOI_UNIT_FOR_ROLE, PASSWORD, createAccount } = require('../lib/fixtures');

// 2xx: any success; 401, 403: exactly that status; -: not applicable.
const MATRIX = `
method route                      scope    natl prov dist comm smpl lab  vacc trac chkp venu anon
GET    /healthz                   public   2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx
GET    /metrics                   public   2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx
POST   /api/v1/auth/login         public   -    -    -    -    -    -    -    -    -    -    2xx
GET    /api/v1/units              public   2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx
GET    /api/v1/units?parent=CODE  public   2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx
GET    /api/v1/units/search       public   2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx
GET    /api/v1/units/{code}       public   2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx
GET    /api/v1/auth/me            self     2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  401
POST   /api/v1/auth/logout        self     2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  2xx  401
GET    /api/v1/accounts           inside   2xx  2xx  2xx  2xx  403  403  403  403  403  403  401
GET    /api/v1/accounts           outside  2xx  403  403  403  403  403  403  403  403  403  401
POST   /api/v1/accounts           inside   2xx  2xx  2xx  2xx  403  403  403  403  403  403  401
POST   /api/v1/accounts           outside  2xx  403  403  403  403  403  403  403  403  403  401
GET    /api/v1/accounts/{id}      inside   2xx  2xx  2xx  2xx  403  403  403  403  403  403  401
GET    /api/v1/accounts/{id}      outside  2xx  403  403  403  403  403  403  403  403  403  401
PATCH  /api/v1/accounts/{id}      inside   2xx  2xx  2xx  2xx  403  403  403  403  403  403  401
PATCH  /api/v1/accounts/{id}      outside  2xx  403  403  403  403  403  403  403  403  403  401
GET    /api/v1/audit              inside   2xx  2xx  2xx  2xx  403  403  403  403  403  403  401
GET    /api/v1/audit              outside  2xx  403  403  403  403  403  403  403  403  403  401
`;

function parseMatrix(text) {
  const lines = text.trim().split('\n').map((l) => l.trim().split(/\s+/));
  const header = lines[0];
  const colRoles = header.slice(3);
  assert.equal(colRoles.length, ROLES.length + 1);
  const abbrev = {
    natl: 'national_admin', prov: 'province_admin', dist: 'district_admin', comm: 'commune_admin',
    smpl: 'sampler', lab: 'lab', vacc: 'vaccinator', trac: 'tracer', chkp: 'checkpoint_officer',
    venu: 'venue_owner', anon: 'anonymous',
  };
  const rows = [];
  for (const cols of lines.slice(1)) {
    const [method, route, scope, ...cells] = cols;
    assert.equal(cells.length, colRoles.length, `row ${cols.join(' ')}`);
    const expect = {};
    colRoles.forEach((c, i) => { expect[abbrev[c]] = cells[i]; });
    rows.push({ method, route, scope, expect });
  }
  return rows;
}
const ROWS = parseMatrix(MATRIX);

let srv;
const tokens = {};       // role -> token
const targets = {};      // inside / outside -> account

before(async () => {
  srv = await startServer();
  tokens.national_admin = await srv.login(srv.adminUsername, srv.adminPassword);
  for (const role of ROLES.slice(1)) {
    const username = `m.${role.replace(/_/g, '.')}`;
    await createAccount(srv, tokens.national_admin, { username, role, unit_code: HANOI_UNIT_FOR_ROLE[role] });
    tokens[role] = await srv.login(username, PASSWORD);
  }
  targets.inside = await createAccount(srv, tokens.national_admin,
    { username: 'm.target.inside', role: 'sampler', unit_code: UNITS.phucXa });
  targets.outside = await createAccount(srv, tokens.national_admin,
    { username: 'm.target.outside', role: 'sampler', unit_code: UNITS.tanDinh });
});
after(async () => { if (srv) await srv.stop(); });

const usernameFor = (role) => (role === 'national_admin' ? srv.adminUsername : `m.${role.replace(/_/g, '.')}`);
const passwordFor = (role) => (role === 'national_admin' ? srv.adminPassword : PASSWORD);
let cellSeq = 0;

/** The request for one cell: {method, path, body}. */
function requestFor(row, role) {
  const scopeUnit = row.scope === 'outside' ? UNITS.hcm : UNITS.phucXa;
  const target = row.scope === 'outside' ? targets.outside : targets.inside;
  const commune = row.scope === 'outside' ? UNITS.tanDinh : UNITS.phucXa;
  switch (`${row.method} ${row.route}`) {
    case 'GET /healthz': return { path: '/healthz' };
    case 'GET /metrics': return { path: '/metrics' };
    case 'POST /api/v1/auth/login':
      return { path: '/api/v1/auth/login', body: { username: 'm.target.inside', password: PASSWORD } };
    case 'GET /api/v1/units': return { path: '/api/v1/units' };
    case 'GET /api/v1/units?parent=CODE': return { path: '/api/v1/units?parent=01' };
    case 'GET /api/v1/units/search': return { path: '/api/v1/units/search?q=ha%20noi' };
    case 'GET /api/v1/units/{code}': return { path: '/api/v1/units/00001' };
    case 'GET /api/v1/auth/me': return { path: '/api/v1/auth/me' };
    case 'POST /api/v1/auth/logout': return { path: '/api/v1/auth/logout', fresh: true };
    case 'GET /api/v1/accounts': return { path: `/api/v1/accounts?unit=${scopeUnit}` };
    case 'POST /api/v1/accounts':
      cellSeq += 1;
      return {
        path: '/api/v1/accounts',
        body: {
          username: `m.new.${cellSeq}`, password: PASSWORD, full_name: 'Đỗ Văn Mới', role: 'sampler', unit_code: commune,
        },
      };
    case 'GET /api/v1/accounts/{id}': return { path: `/api/v1/accounts/${target.id}` };
    case 'PATCH /api/v1/accounts/{id}':
      return { path: `/api/v1/accounts/${target.id}`, body: { full_name: `Người Thử ${role === 'anonymous' ? 'Ẩn' : 'Có'}` } };
    case 'GET /api/v1/audit': return { path: `/api/v1/audit?unit=${scopeUnit}` };
    default: throw new Error(`no request for ${row.method} ${row.route}`);
  }
}

function checkClass(r, expected, label) {
  const msg = `${label}: expected ${expected}, got ${r.status} ${r.text.slice(0, 200)}`;
  if (expected === '2xx') assert.ok(r.status >= 200 && r.status < 300, msg);
  else assert.equal(String(r.status), expected, msg);
  if (expected === '401') assert.equal(r.json && r.json.error && r.json.error.code, 'unauthenticated', msg);
  if (expected === '403') assert.equal(r.json && r.json.error && r.json.error.code, 'forbidden', msg);
}

// The sections of docs/api.md this matrix covers; routes of other sections have their own tests.
const SECTIONS = ['Service', 'Authentication', 'Administrative units', 'Accounts (staff)', 'Audit log'];

test('every route of the covered sections of docs/api.md has rows in the matrix', () => {
  const doc = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'api.md'), 'utf8');
  const norm = (p) => p.replace(/\?.*$/, (q) => (q.startsWith('?parent') ? '?parent=CODE' : ''));
  const documented = new Set();
  let section = null;
  for (const line of doc.split('\n')) {
    const h = /^## (.+?)\s*$/.exec(line);
    if (h) section = h[1];
    const m = /^\|\s*(GET|POST|PUT|PATCH|DELETE)\s*\|\s*`([^`]+)`/.exec(line);
    if (m && SECTIONS.includes(section)) documented.add(`${m[1]} ${norm(m[2])}`);
  }
  for (const s of SECTIONS) assert.ok(doc.includes(`\n## ${s}\n`), `docs/api.md has a section "${s}"`);
  assert.ok(documented.size >= 10, `routes found in docs/api.md: ${[...documented]}`);
  const covered = new Set(ROWS.map((r) => `${r.method} ${r.route}`));
  for (const d of documented) assert.ok(covered.has(d), `${d} is not in the matrix`);
});

for (const row of ROWS) {
  describe(`${row.method} ${row.route} (${row.scope})`, () => {
    for (const [who, expected] of Object.entries(row.expect)) {
      if (expected === '-') continue;
      test(who, async () => {
        const req = requestFor(row, who);
        let token;
        if (who !== 'anonymous') {
          token = req.fresh ? await srv.login(usernameFor(who), passwordFor(who)) : tokens[who];
        }
        const r = await srv.api(row.method, req.path, { token, body: req.body });
        checkClass(r, expected, `${row.method} ${req.path} as ${who}`);
      });
    }
  });
}
