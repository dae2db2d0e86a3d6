'use strict';
// The HTTP side of bench/situation.sh: times GET /api/v1/situation for the nation, Hà Nội and
// Phúc Xá (p50, p99), then computes the same figures by plain SQL over the raw tables (sqlite3 on
// its own connection: cases, check-ins, declarations, doses, samples, quarantine orders) and
// fails when any differs.
//
// usage: node bench/situation.js URL ADMIN_PASSWORD REQUESTS DB_FILE

const { execFileSync } = require('node:child_process');

const [url, password, requestsArg, db] = process.argv.slice(2);
const requests = Number(requestsArg);
const UNITS = [['VN', null], ['01', 'province_code'], ['00001', 'commune_code']];

function fail(msg) {
  console.error(`situation: ${msg}`);
  process.exit(1);
}

function pct(v, q) {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * q))];
}

async function get(path, token) {
  const r = await fetch(url + path, { headers: { authorization: `Bearer ${token}` } });
  const text = await r.text();
  if (r.status !== 200) fail(`${path}: ${r.status} ${text.slice(0, 200)}`);
  return JSON.parse(text);
}

function sql(q) {
  return execFileSync('sqlite3', [db, q], { encoding: 'utf8' }).trim();
}

async function main() {
  let login;
  for (let attempt = 0; ; attempt += 1) { // a busy store answers 503 with Retry-After: wait as told, a few times
    login = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password }) });
    if (login.status !== 503 || attempt === 5) break;
    await new Promise((r) => setTimeout(r, 1000 * Number(login.headers.get('retry-after') || 1)));
  }
  if (login.status !== 200) fail(`login: ${login.status}`);
  const token = (await login.json()).token;
  const vnNow = Math.floor(Date.now() / 1000) + 7 * 3600;
  const dayStart = (n) => (Math.floor(vnNow / 86400) - n) * 86400 - 7 * 3600; // start of the local day n days ago
  const end = dayStart(-1);
  let bad = 0;
  for (const [code, col] of UNITS) {
    const times = [];
    let s;
    for (let i = 0; i < requests; i += 1) {
      const a = performance.now();
      s = await get(`/api/v1/situation?unit=${code}`, token);
      times.push(performance.now() - a);
    }
    const where = col ? ` AND ${col} = '${code}'` : '';
    const a = performance.now();
    const ref = {
      'new_f0 7d': sql(`SELECT COUNT(*) FROM cases WHERE confirmed_at >= ${dayStart(6)} AND confirmed_at < ${end}${where}`),
      'new_f0 14d': sql(`SELECT COUNT(*) FROM cases WHERE confirmed_at >= ${dayStart(13)} AND confirmed_at < ${end}${where}`),
      'checkins 7d': sql(`SELECT COUNT(*) FROM checkins WHERE checked_in_at >= ${dayStart(6)} AND checked_in_at < ${end}${where}`),
      'checkins 14d': sql(`SELECT COUNT(*) FROM checkins WHERE checked_in_at >= ${dayStart(13)} AND checked_in_at < ${end}${where}`),
      'declarations_flagged 14d': sql(`SELECT COUNT(*) FROM declarations WHERE flagged = 1 AND declared_at >= ${dayStart(13)} AND declared_at < ${end}${where}`),
      'samples_taken 14d': sql(`SELECT COUNT(*) FROM testing_samples WHERE collected_at >= ${dayStart(13)} AND collected_at < ${end}${where}`),
      'vaccinated_dose1': sql(`SELECT COUNT(*) FROM vaccine_doses WHERE dose_number = 1 AND administered_at < ${end}${where}`),
      'in_quarantine': sql(`SELECT COUNT(*) FROM quarantine_orders WHERE status <> 'cancelled' AND start_day <= ${Math.floor(vnNow / 86400)}`
        + ` AND end_day >= ${Math.floor(vnNow / 86400)} AND created_at < ${end} AND (ended_at IS NULL OR ended_at >= ${end})${where}`),
    };
    const sqlMs = performance.now() - a;
    const api = {
      'new_f0 7d': s.total.new_f0['7d'], 'new_f0 14d': s.total.new_f0['14d'],
      'checkins 7d': s.total.checkins['7d'], 'checkins 14d': s.total.checkins['14d'],
      'declarations_flagged 14d': s.total.declarations_flagged['14d'], 'samples_taken 14d': s.total.samples_taken['14d'],
      vaccinated_dose1: s.total.vaccinated_dose1, in_quarantine: s.total.in_quarantine,
    };
    for (const k of Object.keys(ref)) {
      if (String(api[k]) !== ref[k]) { bad += 1; console.error(`situation: ${code} ${k}: API ${api[k]}, SQL ${ref[k]}`); }
    }
    console.log(`${code}: p50 ${pct(times, 0.5).toFixed(2)} ms, p99 ${pct(times, 0.99).toFixed(2)} ms over ${requests};`
      + ` SQL over the raw tables (8 figures) ${sqlMs.toFixed(1)} ms; new F0 7 days ${api['new_f0 7d']},`
      + ` check-ins 14 days ${api['checkins 14d']}: ${bad ? 'DIFFER' : 'agree'}`);
  }
  if (bad) fail(`${bad} figures differ from the SQL over the raw tables`);
}

main().catch((e) => fail(e.stack || String(e)));
