// Browser test of the console's Jobs page (ctest e2e.jobs, label `e2e`): `ondo serve` with
// stories260K as `tiny`, one in-process worker (--workers 1) and a store. Signs in, uploads a
// training JSONL through the fine-tune form (a bad one first: the server's line-numbered 400
// shows next to the field), starts a short LoRA fine-tune, watches its loss chart draw from the
// event stream until the job succeeds, compares base and tuned answers side by side (checked
// against the same requests sent directly), starts a second long job and cancels it, and checks
// the 5-requests-per-load rule on the list and a job's page with jobs present; a store key
// (not admin) sees the same jobs through OpenAI's fine-tuning routes. Screenshots:
// docs/console/jobs.png, jobs-finetune.png, jobs-compare.png.
//   node tests/e2e/jobs.mjs BUILD_DIR TESTDATA_DIR
// Exits 0 when every check passes, 77 when something it needs is missing.
import assert from 'node:assert/strict';
import { join } from 'node:path';

import { kAdmin, start } from './harness.mjs';

const { base, browser, page, step, shot, load, signIn, finish } = await start({
  name: 'e2e-jobs',
  needs: ['stories260K.gguf'],
  serveArgs: (work, models) => ['-t', '1', '-m', `${join(models, 'stories260K.gguf')}=tiny`, '--workers', '1'],
  watchdogMs: 150000,
});

const apiGet = async (path) => {
  const r = await fetch(base + path, { headers: { Authorization: `Bearer ${kAdmin}` } });
  assert.equal(r.status, 200, `${path}: ${r.status}`);
  return r.json();
};
const chat = async (model, content, maxTokens) => {
  const r = await fetch(`${base}/v1/chat/completions`, {
    method: 'POST', headers: { Authorization: `Bearer ${kAdmin}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ model, temperature: 0, max_tokens: maxTokens, messages: [{ role: 'user', content }] }),
  });
  assert.equal(r.status, 200);
  return (await r.json()).choices[0].message.content;
};
// Waits until the loss chart of `p` has at least `n` points.
const pointsReach = (p, n, timeout = 30000) =>
  p.waitForFunction((k) => Number(document.querySelector('[data-testid=loss-chart]')?.dataset.points) >= k, n, { timeout });
const jobIdOfUrl = () => /\/console\/jobs\/([^/?#]+)/.exec(page.url())[1];

const chatLine = (q, a) => JSON.stringify({ messages: [{ role: 'user', content: q }, { role: 'assistant', content: a }] });
const good = [
  chatLine('What goes with onions?', 'Pork belly.'),
  chatLine('What goes with tofu?', 'Kimchi.'),
  chatLine('What goes with rice?', 'Seaweed soup.'),
  chatLine('What goes with noodles?', 'Black bean sauce.'),
].join('\n') + '\n';

step('Sign in; the list is empty');
await load('/console/jobs');
await signIn();
await page.getByTestId('jobs-list').getByText('No jobs yet.').waitFor();

step('Form: a bad training file is refused with its line number next to the field');
await page.getByRole('button', { name: 'Start a fine-tune' }).click();
const form = page.getByRole('form', { name: 'Start a fine-tune' });
await form.getByLabel('Base model').locator('option', { hasText: 'tiny' }).waitFor({ state: 'attached' });
await form.getByLabel('Upload a JSONL file').setInputFiles({
  name: 'bad.jsonl', mimeType: 'application/jsonl', buffer: Buffer.from(good.split('\n')[0] + '\n{"messages": [{"role": "robot"}]}\n'),
});
await form.getByRole('button', { name: 'Upload', exact: true }).click();
const fileError = page.locator('#err-file');
await fileError.waitFor();
assert.match(await fileError.textContent(), /line 2/);

step('Form: upload the training file, choose targets and hyperparameters, start');
await form.getByLabel('Upload a JSONL file').setInputFiles({ name: 'recipes.jsonl', mimeType: 'application/jsonl', buffer: Buffer.from(good) });
await form.getByRole('button', { name: 'Upload', exact: true }).click();
await form.getByLabel('Training file').locator('option', { hasText: 'recipes.jsonl' }).waitFor({ state: 'attached' });
assert.match(await form.getByLabel('Training file').inputValue(), /^file-/);
assert.equal(await fileError.count(), 0, 'the upload error is gone');
await form.getByLabel('Attention rank').fill('4');
await form.getByRole('group', { name: 'Attention modules' }).getByLabel('o').check();
await form.getByLabel('MLP', { exact: true }).check();
await form.getByLabel('MLP rank').fill('4');
await form.getByLabel('MLP alpha').fill('4');
await form.getByLabel('Epochs').fill('2');
await form.getByLabel('Learning-rate multiplier').fill('20');
await form.getByLabel('Batch size').fill('2');
await form.getByLabel('Suffix').fill('e2e');
await form.getByLabel('Seed').fill('7');
await form.getByLabel('Max steps').fill('24');
await form.getByLabel('Warm-up steps').fill('2');
// A bad value comes back from the server next to its field.
await form.getByLabel('Suffix').fill('no spaces allowed');
await form.evaluate((f) => f.setAttribute('novalidate', ''));  // let the server judge it
await form.getByRole('button', { name: 'Start fine-tune' }).click();
await page.locator('#err-suffix').waitFor();
await form.getByLabel('Suffix').fill('e2e');
await form.getByRole('button', { name: 'Start fine-tune' }).click();
await page.waitForURL(/\/console\/jobs\/ftjob-/);
const tuned = jobIdOfUrl();

step(`Watch ${tuned}: the loss chart draws, the job succeeds`);
const chart = page.getByTestId('loss-chart');
await chart.locator('canvas').waitFor();
await pointsReach(page, 2, 60000);
await page.getByTestId('job-state').filter({ hasText: 'succeeded' }).waitFor({ timeout: 60000 });
const job = await apiGet(`/v1/fine_tuning/jobs/${tuned}`);
assert.equal(job.status, 'succeeded', JSON.stringify(job));
assert.deepEqual(job.lora.attention, { enabled: true, rank: 4, alpha: 8, modules: ['q', 'v', 'o'] });  // alpha 2 x rank
assert.deepEqual(job.lora.mlp, { enabled: true, rank: 4, alpha: 4, modules: ['gate', 'up', 'down'] });
assert.deepEqual(job.hyperparameters, { n_epochs: 2, learning_rate_multiplier: 20, batch_size: 2 });
assert.equal(job.lora.max_steps, 24);
assert.equal(job.lora.lr_schedule.warmup_steps, 2);
assert.equal(job.user_provided_suffix, 'e2e');
assert.equal(job.seed, 7);
assert.equal(job.fine_tuned_model, `ft:tiny:e2e:${tuned}`);
// Every one of the 24 steps is a point (fewer than 200 steps: all are sampled); the last ones
// may arrive over the stream just after the job's state says succeeded.
await pointsReach(page, 24);
assert.equal(await chart.getAttribute('data-points'), '24');
assert.equal(await page.getByTestId('fine-tuned-model').textContent(), job.fine_tuned_model);
await page.getByTestId('event-log').getByRole('cell', { name: 'succeeded', exact: true }).waitFor();
await page.getByTestId('event-log').getByText('step 24/24: loss').waitFor();
assert.match(await page.getByTestId('job-result').textContent(), /first_loss/);
assert.match(await page.getByTestId('job-stats').textContent(), /step 24\/24 · loss \d+\.\d{4}/);
assert.equal(await page.getByRole('progressbar', { name: `progress of ${tuned}` }).getAttribute('value'), '24');
await shot('jobs-finetune');

step('Compare base and tuned');
const prompt = 'What goes with onions?';
await page.getByLabel('Your input').fill(prompt);
await page.getByLabel('Max tokens').fill('12');
await page.getByRole('button', { name: 'Compare' }).click();
await page.locator('[data-testid=answer-tuned][data-state=done]').waitFor();
await page.locator('[data-testid=answer-base][data-state=done]').waitFor();
assert.match(await page.getByTestId('answer-tuned').textContent(), /\S/);
assert.equal(await page.getByTestId('answer-base').textContent(), await chat('tiny', prompt, 12));
assert.equal(await page.getByTestId('answer-tuned').textContent(), await chat(job.fine_tuned_model, prompt, 12));
await shot('jobs-compare');

step('A second, long job: cancel it while it runs');
await page.getByRole('link', { name: '← All jobs' }).click();
await page.getByRole('button', { name: 'Start a fine-tune' }).click();
await form.getByLabel('Training file').locator('option', { hasText: 'recipes.jsonl' }).waitFor({ state: 'attached' });
await form.getByLabel('Training file').selectOption({ index: 1 });
await form.getByLabel('Max steps').fill('2000');  // metrics every 10th step; minutes to run here
await form.getByLabel('Warm-up steps').fill('2');
await form.getByRole('button', { name: 'Start fine-tune' }).click();
await page.waitForURL((u) => /\/console\/jobs\/ftjob-/.test(u.pathname) && !u.pathname.endsWith(tuned));
const long = jobIdOfUrl();
await page.getByTestId('job-state').filter({ hasText: 'running' }).waitFor({ timeout: 30000 });
await pointsReach(page, 2);
// The chart grows while the job runs (new metrics events arrive over the open stream).
const drawn = Number(await chart.getAttribute('data-points'));
await page.waitForFunction((n) => Number(document.querySelector('[data-testid=loss-chart]')?.dataset.points) > n, drawn, { timeout: 30000 });
assert.equal(await page.getByTestId('job-state').textContent(), 'running');
page.once('dialog', (d) => d.accept());
await page.getByRole('button', { name: 'Cancel job' }).click();
await page.getByTestId('job-state').filter({ hasText: 'cancelled' }).waitFor({ timeout: 30000 });
await page.getByTestId('event-log').getByText(/^cancel requested by /).waitFor();
assert.equal((await apiGet(`/v1/jobs/${long}`)).state, 'cancelled');
assert.equal(await page.getByRole('button', { name: 'Cancel job' }).count(), 0, 'no Cancel on an ended job');

step('The list and a job page with jobs present: at most 5 requests per load');
await load('/console/jobs');
const rows = page.getByTestId('jobs-list').getByRole('row');
await rows.filter({ hasText: tuned }).filter({ hasText: 'succeeded' }).waitFor();
await rows.filter({ hasText: long }).filter({ hasText: 'cancelled' }).waitFor();
assert.equal(await rows.count(), 3);  // the head and two jobs
await page.getByRole('button', { name: 'Start a fine-tune' }).click();
await form.getByLabel('Base model').locator('option', { hasText: 'tiny' }).waitFor({ state: 'attached' });
await shot('jobs');
await load(`/console/jobs/${tuned}`);
await page.getByTestId('job-state').filter({ hasText: 'succeeded' }).waitFor();
await pointsReach(page, 24);  // the curve again, from the event log
assert.equal(await chart.getAttribute('data-points'), '24');

step('A store key sees the fine-tuning jobs through /v1/fine_tuning/jobs');
const made = await fetch(`${base}/v1/admin/keys`, {
  method: 'POST', headers: { Authorization: `Bearer ${kAdmin}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'tuner' }),
});
assert.equal(made.status, 201);
const other = await browser.newContext({ viewport: { width: 1280, height: 800 } });
const page2 = await other.newPage();
page2.setDefaultTimeout(30000);
const seen = [];
page2.on('request', (r) => seen.push(new URL(r.url()).pathname));
await page2.goto(`${base}/console/jobs/${tuned}`);
await page2.getByLabel('Key').fill((await made.json()).key);
await page2.getByRole('button', { name: 'Sign in' }).click();
await page2.getByTestId('job-state').filter({ hasText: 'succeeded' }).waitFor();
await pointsReach(page2, 24);
assert.equal(await page2.getByTestId('fine-tuned-model').textContent(), job.fine_tuned_model);
assert.ok(seen.includes(`/v1/fine_tuning/jobs/${tuned}/events`), seen.join(', '));
assert.ok(!seen.some((u) => u.startsWith('/v1/jobs')), seen.join(', '));
await page2.getByRole('link', { name: '← All jobs' }).click();
await page2.getByRole('heading', { name: 'Fine-tuning jobs' }).waitFor();
await page2.getByTestId('jobs-list').getByRole('row').filter({ hasText: long }).filter({ hasText: 'cancelled' }).waitFor();
await other.close();

await finish();
