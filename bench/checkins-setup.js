'use strict';
// Venues for bench/checkins.sh: against a running server, as its national admin, makes a
// commune official and a venue owner in Phường Phúc Xá, registers N venues, approves them and
// prints one line per venue, "CODE KID.SIG": the code and the signature a poster carries.
//
//   node bench/checkins-setup.js URL ADMIN_USERNAME ADMIN_PASSWORD N
const [url, adminUser, adminPassword, count] = process.argv.slice(2);
const PASSWORD = 'Mat-khau-Ban-Do-2021';

async function api(method, path, body, token) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const r = await fetch(url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  return { status: r.status, json: text ? JSON.parse(text) : null, text };
}

async function must(what, status, p) {
  const r = await p;
  if (r.status !== status) throw new Error(`${what}: ${r.status} ${r.text}`);
  return r.json;
}

async function login(username, password) {
  return (await must(`login ${username}`, 200, api('POST', '/api/v1/auth/login', { username, password }))).token;
}

async function main() {
  const admin = await login(adminUser, adminPassword);
  for (const [username, role] of [['bench.official', 'commune_admin'], ['bench.owner', 'venue_owner']]) {
    await must(`account ${username}`, 201, api('POST', '/api/v1/accounts',
      { username, role, unit_code: '00001', full_name: 'Nguyễn Văn Đo', password: PASSWORD }, admin));
  }
  const official = await login('bench.official', PASSWORD);
  const owner = await login('bench.owner', PASSWORD);
  const out = [];
  for (let i = 0; i < Number(count); i++) {
    const v = await must('venue', 201, api('POST', '/api/v1/venues', {
      name: `Cửa hàng Đo ${i + 1}`, type: 'other', commune_code: '00001', street: `${i + 1} Phó Đức Chính`,
      capacity: 100,
    }, owner));
    await must('approve', 200, api('POST', `/api/v1/venues/${v.id}/approve`, undefined, official));
    const got = await must('venue', 200, api('GET', `/api/v1/venues/${v.id}`, undefined, owner));
    const u = new URL(got.poster_url);
    out.push(`${v.code} ${u.searchParams.get('k')}.${u.searchParams.get('s')}`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

main().catch((e) => {
  process.stderr.write(`bench/checkins-setup.js: ${e.message}\n`);
  process.exit(1);
});
