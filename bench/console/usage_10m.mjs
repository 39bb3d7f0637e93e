// The Usage page over 10 M usage rows (issue 19.4): every request the page makes on load, and
// the page itself rendered in Debian's chromium, must each take under 1 s. A bench: it prints
// medians and asserts nothing.
//   node bench/console/usage_10m.mjs BUILD_DIR TESTDATA [--rows N] [--dir DIR] [--runs R]
// 1. Fills DIR (default $TMPDIR/ondo-usage-10m-N, kept for the next run) with N usage rows
//    through build/bench_usage_10m_fill (Store::record_usage, rows + rollups; skipped when
//    DIR/usage_10m.json says it is filled).
// 2. Starts `ondo serve` on DIR through tests/e2e/harness.mjs (admin key, the tiny model).
// 3. Times each API request of the page (the load's two and the other group-by choices, a
//    30-day and a 365-day range) with the admin key: median of R.
// 4. Signs in in chromium and times R fresh loads of /console/usage from navigation until the
//    tiles and both tables are filled (nothing says "Loading…"), with each request's time as
//    chromium saw it; then the harness's requests-per-load check (at most 5).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { kAdmin, start } from '../../tests/e2e/harness.mjs';

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : dflt;
};
const buildDir = resolve(argv[0] ?? 'build');
const rows = Number(opt('--rows', '10000000'));
const runs = Number(opt('--runs', '3'));
const dir = resolve(opt('--dir', join(tmpdir(), `ondo-usage-10m-${rows}`)));
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const fmt = (ms) => `${ms.toFixed(1)} ms`;

if (!existsSync(join(dir, 'usage_10m.json'))) {
  rmSync(dir, { recursive: true, force: true });  // a fill that did not finish
  console.log(`filling ${dir} with ${rows} rows (bench_usage_10m_fill)`);
  const fill = spawnSync(join(buildDir, 'bench_usage_10m_fill'), ['--data-dir', dir, '--rows', String(rows)], { stdio: 'inherit' });
  if (fill.status !== 0) throw new Error(`bench_usage_10m_fill failed (${fill.status ?? fill.signal})`);
}
const filled = JSON.parse(readFileSync(join(dir, 'usage_10m.json'), 'utf8'));
console.log(`store: ${filled.rows} rows over ${filled.days} days (filled in ${filled.fill_s.toFixed(0)} s); load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);

const { base, page, step, signIn, load, finish } = await start({
  name: 'usage-10m',
  needs: ['stories260K.gguf'],
  serveArgs: (work, models) => ['-m', `${join(models, 'stories260K.gguf')}=tiny`, '-t', '1'],
  before: (work) => symlinkSync(dir, join(work, 'data')),
  watchdogMs: 3 * 3600 * 1000,
});

// --- 3. The API requests, timed from node with the admin key. ---
const day = (d) => d.toISOString().slice(0, 10);
const now = new Date();
const today = day(now);
const month = day(new Date(now.getTime() - 29 * 86400e3));  // the page's default range
const year = day(new Date(now.getTime() - 364 * 86400e3));
const paths = [];
for (const [from, label] of [[month, '30 days'], [year, '365 days']]) {
  for (const g of ['model', 'key', 'prompt', 'day', 'key,model', 'model,day']) {
    paths.push([`${label}, group_by=${g}${from === month && g === 'model' ? ' (page load)' : ''}`, `/v1/usage?from=${from}&to=${today}&group_by=${g}`]);
  }
}
paths.push(['requests on the last day, first 20 (page load)', `/v1/usage/requests?from=${today}&limit=20`]);
paths.push(['requests, one key, last 30 days, first 100', `/v1/usage/requests?from=${month}&key=k100000000003&limit=100`]);
paths.push(['requests, every key, last 30 days, first 100', `/v1/usage/requests?from=${month}&limit=100`]);
paths.push(['requests, every key, last 365 days, first 100', `/v1/usage/requests?from=${year}&limit=100`]);
step('timing the API requests');
const apiLines = [];
for (const [label, path] of paths) {
  const ms = [];
  let size = 0;
  let n = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = await fetch(base + path, { headers: { Authorization: `Bearer ${kAdmin}` } });
    const body = await r.text();
    ms.push(performance.now() - t0);
    if (r.status !== 200) throw new Error(`${path}: ${r.status} ${body.slice(0, 300)}`);
    size = body.length;
    n = JSON.parse(body).data.length;
  }
  apiLines.push(`| ${label} | ${fmt(median(ms))} | ${fmt(Math.max(...ms))} | ${n} | ${(size / 1024).toFixed(1)} KiB |`);
}

// --- 4. The page in chromium. ---
step('signing in');
await page.goto(`${base}/console`);
await signIn();
const renders = [];
const seen = new Map();  // request path -> [ms]
const onFinished = (req) => {
  const t = req.timing();
  const u = new URL(req.url());
  const key = u.pathname.startsWith('/console/assets/') ? u.pathname.replace(/-[\w-]+\./, '-*.') : u.pathname;
  if (!seen.has(key)) seen.set(key, []);
  seen.get(key).push(t.responseEnd);
};
page.on('requestfinished', onFinished);
for (let i = 0; i < runs; i++) {
  step(`page load ${i + 1} of ${runs}`);
  const t0 = performance.now();
  await page.goto(`${base}/console/usage`);
  await page.waitForFunction(() => document.querySelector('.tiles') && !document.body.innerText.includes('Loading…'), null,
    { timeout: 60000, polling: 'raf' });
  renders.push(performance.now() - t0);
}
page.off('requestfinished', onFinished);
const perLoad = await load('/console/usage');  // the harness asserts at most 5

console.log(`\nUsage page over ${filled.rows} rows (median of ${runs}; load average now ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')})\n`);
console.log('| API request (admin key, from node) | median | max | rows | body |');
console.log('|---|---|---|---|---|');
for (const l of apiLines) console.log(l);
console.log(`\n| in chromium | median | max |\n|---|---|---|`);
console.log(`| page rendered (navigation to tiles and tables filled) | ${fmt(median(renders))} | ${fmt(Math.max(...renders))} |`);
for (const [path, ms] of seen) console.log(`| request ${path} | ${fmt(median(ms))} | ${fmt(Math.max(...ms))} |`);
console.log(`| requests per load | ${perLoad} | |`);
await finish();
