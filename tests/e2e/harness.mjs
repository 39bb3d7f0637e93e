// The shared part of the browser tests (ctest label `e2e`): skip rules, a watchdog, `ondo serve`
// started on a free port with an admin key, Debian's chromium through playwright-core, the
// requests-per-page-load check, keyboard sign-in and screenshots into docs/console/.
// Each test script (console.mjs, and one per feature) calls start() once and finish() at the end.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const kAdmin = 'adm-e2e-console';
const chromiumPath = process.env.ONDO_CHROMIUM ?? '/usr/bin/chromium';

// With ONDO_TESTDATA set (CI) nothing may be missing: a skip is then a failure, as in the
// C++ reference tests (tests/support/testdata.h).
export function skip(why) {
  if (process.env.ONDO_TESTDATA) {
    console.error(`FAILED: ${why} (ONDO_TESTDATA is set: nothing may be missing)`);
    process.exit(1);
  }
  console.log(`SKIPPED: ${why}`);
  process.exit(77);
}

function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// Starts the server and the browser. Options:
//   name        the test's name, for progress lines and the temp dir
//   needs       file names under TESTDATA/models the test uses (skip when missing)
//   serveArgs   (work, models) => the arguments after `ondo serve --port P --data-dir D --admin-key K`
//   before      optional async (work) => {}, run before the server starts (write config files)
//   watchdogMs  the whole run ends within this, whatever hangs (default 200 s)
// Returns { base, work, models, browser, context, page, step, shot, load, signIn, fail, finish }.
export async function start({ name, needs = [], serveArgs, before, watchdogMs = 200000 }) {
  const [buildDir, testdataArg] = process.argv.slice(2);
  const testdata = process.env.ONDO_TESTDATA || testdataArg;
  const models = join(testdata ?? '', 'models');
  const shots = join(here, '..', '..', 'docs', 'console');
  if (!existsSync(chromiumPath)) skip(`${chromiumPath} missing (scripts/setup installs chromium)`);
  if (!existsSync(join(here, 'node_modules', 'playwright-core'))) skip('tests/e2e/node_modules missing (run scripts/setup)');
  for (const m of needs) {
    if (!existsSync(join(models, m))) skip(`${join(models, m)} missing (ONDO_TESTDATA)`);
  }
  const { chromium } = await import('playwright-core');

  let current = 'start';
  const t0 = Date.now();
  const step = (what) => {
    current = what;
    console.log(`[${name} ${((Date.now() - t0) / 1000).toFixed(1)}s] ${what}`);
  };
  setTimeout(() => {
    console.error(`${name}: timed out during '${current}'`);
    process.exit(1);
  }, watchdogMs).unref();

  const work = mkdtempSync(join(tmpdir(), `ondo-${name}-`));
  if (before) await before(work);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const serverLog = [];
  const server = spawn(join(buildDir, 'ondo'), [
    'serve', '--port', String(port), '--data-dir', join(work, 'data'), '--admin-key', kAdmin,
    ...serveArgs(work, models),
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  server.stderr.on('data', (d) => serverLog.push(d.toString()));
  let browser;

  async function cleanup() {
    if (browser) await browser.close().catch(() => undefined);
    if (server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((r) => server.once('exit', r));
    }
    rmSync(work, { recursive: true, force: true });
  }
  async function fail(e) {
    console.error(e);
    console.error('--- server log (tail) ---\n' + serverLog.join('').slice(-4000));
    setTimeout(() => process.exit(1), 5000).unref();
    await cleanup();
    process.exit(1);
  }
  process.on('uncaughtException', fail);
  process.on('unhandledRejection', fail);

  for (let i = 0; ; i++) {  // bounded wait for the models to load
    try {
      if ((await fetch(`${base}/health`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (i > 600 || server.exitCode !== null) throw new Error('ondo serve did not become ready');
    await new Promise((r) => setTimeout(r, 100));
  }

  mkdirSync(shots, { recursive: true });
  browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox'] });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
  const page = await context.newPage();
  page.setDefaultTimeout(30000);
  const shot = (file) => page.screenshot({ path: join(shots, `${file}.png`), fullPage: true });

  // Requests per page load: a fresh load of a page, counted until the network is idle.
  async function load(path) {
    const seen = [];
    const onRequest = (r) => seen.push(r.url());
    page.on('request', onRequest);
    await page.goto(base + path);
    await page.waitForLoadState('networkidle');
    await page.waitForTimeout(300);
    page.off('request', onRequest);
    assert.ok(seen.length <= 5, `${path}: ${seen.length} requests on load (at most 5): ${seen.join(', ')}`);
    return seen.length;
  }

  // Sign in with `key` (the admin key by default) by keyboard alone, from the sign-in form.
  async function signIn(key = kAdmin) {
    await page.getByLabel('Key').fill('');
    await page.keyboard.type(key);
    await page.keyboard.press('Enter');
    await page.getByRole('navigation', { name: 'Pages' }).waitFor();
  }

  // Stops everything and exits 0 when the server is still healthy.
  async function finish() {
    await cleanup();
    const rc = server.exitCode;
    assert.ok(rc === 0 || rc === null, `ondo serve exited with ${rc}`);
    console.log('all checks passed');
    process.exit(0);
  }

  return { base, work, models, browser, context, page, step, shot, load, signIn, fail, finish };
}
