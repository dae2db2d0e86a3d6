'use strict';
// The HTTP side of bench/tracing_api.sh: waits for the server's contact index, then times
// POST /api/v1/tracing/runs for one case at a time (p50, p99: first run of each case, then the
// same cases again) and for a batch of cases (requests of 500, the API's most, two in flight); after
// each phase, how long the server's run writer took to write what the answers promised, and that
// it wrote what they said.  Writes what each one-case call answered (case F1 F2) for the SQL
// reference to trace the same cases.
//
// usage: node bench/tracing_api.js URL FIRST_CASE ONE BATCH COUNTS_FILE SQL_CASES SERVER_PID

const fs = require('node:fs');

const [url, firstArg, oneArg, batchArg, countsFile, sqlArg, pidArg] = process.argv.slice(2);
const first = Number(firstArg);
const one = Number(oneArg);
const batch = Number(batchArg);
const sqlCases = Number(sqlArg);

async function call(method, path, token, body) {
  const r = await fetch(url + path, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  return { status: r.status, text, json: text && text[0] === '{' ? JSON.parse(text) : null };
}

function pct(v, q) {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * q))];
}

function fail(msg) {
  console.error(`tracing_api: ${msg}`);
  process.exit(1);
}

async function main() {
  let r = await call('POST', '/api/v1/auth/login', null, { username: 'bench.tracer', password: 'Bench-Tracer-2021!' });
  if (r.status !== 200) fail(`login: ${r.status} ${r.text}`);
  const token = r.json.token;
  const t0 = performance.now();
  let metrics = '';
  for (;;) {
    metrics = (await call('GET', '/metrics')).text;
    if (/^cordon_tracing_index_ready 1$/m.test(metrics)) break;
    if (performance.now() - t0 > 3600e3) fail('the contact index was not ready within an hour');
    await new Promise((res) => setTimeout(res, 200));
  }
  const gauge = (name) => Number((metrics.match(new RegExp(`^${name} (\\S+)$`, 'm')) || [])[1]);
  console.log(`index: ready ${((performance.now() - t0) / 1000).toFixed(1)} s after the server answered;` +
    ` built in ${gauge('cordon_tracing_index_build_seconds').toFixed(1)} s; ${gauge('cordon_tracing_index_checkins')}` +
    ` check-ins, ${(gauge('cordon_tracing_index_bytes') / 1e6).toFixed(1)} MB`);

  // The runs' contacts and orders are written behind the answers by the server's run writer: after
  // each phase, how long it took to catch up, and its time per run (from its own counters).
  const writer = async (since) => {
    for (;;) {
      metrics = (await call('GET', '/metrics')).text;
      if (/^cordon_tracing_runs_pending 0$/m.test(metrics)) break;
      if (performance.now() - since > 3600e3) fail('the run writer did not catch up within an hour');
      await new Promise((res) => setTimeout(res, 20));
    }
    return { s: (performance.now() - since) / 1000, runs: gauge('cordon_tracing_runs_written_total'),
      seconds: gauge('cordon_tracing_run_write_seconds_total') };
  };
  const caughtUp = async (name, since, before) => {
    const w = await writer(since);
    console.log(`${name}_written_s ${w.s.toFixed(2)}`);
    console.log(`${name}_write_ms ${((w.seconds - before.seconds) * 1000 / Math.max(1, w.runs - before.runs)).toFixed(2)}`);
    return w;
  };

  const runOne = async (id) => {
    const a = performance.now();
    const x = await call('POST', '/api/v1/tracing/runs', token, { case_ids: [id] });
    const ms = performance.now() - a;
    if (x.status !== 201 && x.status !== 200) fail(`run of case ${id}: ${x.status} ${x.text}`);
    return { ms, run: x.json.runs[0] };
  };
  let w = await writer(performance.now());
  const firstMs = [], againMs = [], counts = [], answered = new Map();
  let f1 = 0, f2 = 0;
  let p0 = performance.now();
  for (let i = 0; i < one; i++) {
    const { ms, run } = await runOne(first + i);
    firstMs.push(ms);
    counts.push(`${first + i} ${run.f1} ${run.f2}`);
    answered.set(first + i, run);
    f1 += run.f1;
    f2 += run.f2;
  }
  w = await caughtUp('api_one', p0, w);
  // what the writer wrote is what the answers said (the same data, traced again)
  for (const [id, run] of [...answered].slice(0, sqlCases)) {
    const x = await call('GET', `/api/v1/tracing/runs?case_id=${id}`, token);
    const stored = x.json && x.json.runs.find((y) => y.id === run.run_id);
    if (!stored || stored.pending || stored.f1 !== run.f1 || stored.f2 !== run.f2) {
      fail(`case ${id}: answered ${run.f1} F1 ${run.f2} F2, written ${x.text}`);
    }
  }
  p0 = performance.now();
  for (let i = 0; i < one; i++) {
    const { ms, run } = await runOne(first + i);
    againMs.push(ms);
    if (run.created) fail(`case ${first + i}: a repeated run made a new run`);
  }
  w = await caughtUp('api_again', p0, w);
  fs.writeFileSync(countsFile, counts.slice(0, sqlCases).join('\n') + '\n');
  if (f1 === 0) fail('no F1 found in any case: the index is empty or wrong');
  console.log(`api_one_cases ${one}`);
  console.log(`api_one_p50_ms ${pct(firstMs, 0.5).toFixed(3)}`);
  console.log(`api_one_p99_ms ${pct(firstMs, 0.99).toFixed(3)}`);
  console.log(`api_again_p50_ms ${pct(againMs, 0.5).toFixed(3)}`);
  console.log(`api_again_p99_ms ${pct(againMs, 0.99).toFixed(3)}`);
  console.log(`api_mean_f1 ${(f1 / one).toFixed(1)}`);
  console.log(`api_mean_f2 ${(f2 / one).toFixed(1)}`);

  // The batch: requests of 500 (the API's most), two in flight, as a client with the whole list would send them.
  const b0 = performance.now();
  let bf1 = 0, bf2 = 0, done = 0, next = 0;
  const sender = async () => {
    while (next < batch) {
      const from = next;
      next = Math.min(batch, next + 500);
      const ids = [];
      for (let k = from; k < next; k++) ids.push(first + one + k);
      const x = await call('POST', '/api/v1/tracing/runs', token, { case_ids: ids });
      if (x.status !== 201 && x.status !== 200) fail(`batch: ${x.status} ${x.text}`);
      for (const run of x.json.runs) {
        bf1 += run.f1;
        bf2 += run.f2;
        done++;
      }
    }
  };
  await Promise.all([sender(), sender()]);
  if (done !== batch) fail(`batch: ${done} runs answered for ${batch} cases`);
  console.log(`api_batch_cases ${batch}`);
  console.log(`api_batch_s ${((performance.now() - b0) / 1000).toFixed(2)}`);
  console.log(`api_batch_f1 ${bf1}`);
  console.log(`api_batch_f2 ${bf2}`);
  await caughtUp('api_batch', b0, w);
  const status = fs.readFileSync(`/proc/${pidArg}/status`, 'utf8');
  const kib = (key) => Number((status.match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm')) || [0, 0])[1]);
  console.log(`server_rss_mb ${(kib('VmRSS') / 1024).toFixed(0)}`);
  console.log(`server_peak_mb ${(kib('VmHWM') / 1024).toFixed(0)}`);
  metrics = (await call('GET', '/metrics')).text;
  console.log(`index_bytes ${gauge('cordon_tracing_index_bytes')}`);
}

main().catch((e) => fail(e.stack || String(e)));
