// Browser test of the web console (ctest label `e2e`): starts `ondo serve` (a tiny chat model, a
// tiny embedding model, a store, an admin key, prices) and drives the console in Debian's
// chromium, headless, through playwright-core: sign in (by keyboard), chat with streaming,
// JSON-schema mode, a tool call answered with a tool result, the models page with a LoRA adapter
// loaded and unloaded and one used from the playground, the metrics page, a prompt with two
// versions and a label moved then run with its variables from the playground, a vector store with
// an uploaded file searched and asked about (citations), the usage row of the chat, a key created
// and revoked, the jobs page, sign out; the CSRF and cookie rules; at most 5 requests per page load.
// Writes a screenshot of every page into docs/console/. The harness (server, browser, checks
// shared by every e2e script) is harness.mjs.
//   node tests/e2e/console.mjs BUILD_DIR TESTDATA_DIR
// Exits 0 when every check passes, 77 when something it needs is missing (skipped; a failure
// when ONDO_TESTDATA is set).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { kAdmin, start } from './harness.mjs';

const { base, models, browser, context, page, step, shot, load, signIn, finish } = await start({
  name: 'e2e',
  needs: ['stories260K.gguf', 'ref-bert-mean-f32.gguf', 'ref-llama-spm-q8_0.gguf', 'lora/ref-llama-spm-lora-attn.gguf', 'lora/ref-llama-spm-lora-mlp.gguf'],
  before: (work) => writeFileSync(join(work, 'prices.json'), JSON.stringify({ '*': { input: 1.0, output: 2.0 } })),
  serveArgs: (work, models) => [
    '-t', '1', '-m', `${join(models, 'stories260K.gguf')}=tiny`, '-m', `${join(models, 'ref-bert-mean-f32.gguf')}=emb`,
    '--prices', join(work, 'prices.json'),
    // a random llama the reference LoRA adapters fit (testdata/README.md), with one adapter at start
    '-m', `${join(models, 'ref-llama-spm-q8_0.gguf')}=spm`, '--lora', `attn@spm=${join(models, 'lora', 'ref-llama-spm-lora-attn.gguf')}:0.5`,
  ],
});

// Static files: cache headers, SPA fallback, no console-only data route.
step('Static files');
{
  const index = await fetch(`${base}/`);
  assert.equal(index.status, 200);
  assert.equal(index.headers.get('cache-control'), 'no-cache');
  const html = await index.text();
  const js = /\/console\/assets\/[^"]+\.js/.exec(html)[0];
  const asset = await fetch(base + js);
  assert.equal(asset.status, 200);
  assert.match(asset.headers.get('cache-control'), /immutable/);
  assert.match(asset.headers.get('content-type'), /^text\/javascript/);
  assert.equal(await (await fetch(`${base}/console/keys`)).text(), html);  // client route -> index.html
  assert.equal((await fetch(`${base}/console/assets/missing-0000.js`)).status, 404);
  assert.equal((await fetch(`${base}/v1/models`)).status, 401);  // the API still needs a key
}

// Sign in, by keyboard alone.
step('Sign in, by keyboard alone.');
await load('/console/playground');
await page.getByRole('heading', { name: 'ondo console' }).waitFor();
await shot('signin');
await page.keyboard.type('wrong-key');
await page.keyboard.press('Enter');
await page.getByRole('alert').filter({ hasText: 'incorrect API key' }).waitFor();
await signIn();

const cookies = await context.cookies();
const session = cookies.find((c) => c.name === 'ondo_session');
assert.ok(session, 'session cookie set');
assert.equal(session.httpOnly, true);
assert.equal(session.sameSite, 'Strict');
assert.equal(await page.evaluate(() => document.cookie), '', 'the page cannot read the cookie');
assert.ok(!(await page.evaluate(() => JSON.stringify(localStorage))).includes(kAdmin), 'the key is not in localStorage');

// CSRF: the cookie alone does not change anything; GETs work with it.
step('CSRF');
const csrf = await page.evaluate(async () => {
  const a = await fetch('/v1/prompts', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"name":"x"}' });
  const b = await fetch('/v1/prompts', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Ondo-CSRF': 'nope' }, body: '{"name":"x"}' });
  const c = await fetch('/v1/models');
  return [a.status, (await a.json()).error.message, b.status, c.status];
});
assert.deepEqual(csrf.slice(0, 1).concat(csrf.slice(2)), [403, 403, 200]);
assert.match(csrf[1], /X-Ondo-CSRF/);

// Keyboard navigation: Tab reaches the nav links.
step('Keyboard navigation');
await page.keyboard.press('Tab');
let focusedNav = false;
for (let i = 0; i < 12 && !focusedNav; i++) {
  focusedNav = await page.evaluate(() => document.activeElement?.closest('nav') !== null);
  if (!focusedNav) await page.keyboard.press('Tab');
}
assert.ok(focusedNav, 'a nav link takes keyboard focus');

// Playground: a streamed chat.
step('Playground');
let streamed = false;
page.on('response', (r) => {
  if (r.url().endsWith('/v1/chat/completions') && (r.headers()['content-type'] ?? '').startsWith('text/event-stream')) streamed = true;
});
await load('/console/playground');
await page.getByLabel('temperature').fill('0');
await page.getByLabel('Message', { exact: true }).fill('Once upon a time');
await page.getByRole('button', { name: 'Send' }).click();
await page.locator('.msg.assistant').first().waitFor();
await page.getByTestId('stats').filter({ hasText: /completion \d+ tokens · [\d.]+ tokens\/s/ }).waitFor();
assert.ok(streamed, 'the chat was streamed (text/event-stream)');
const answer = await page.locator('.msg.assistant .content').first().textContent();
assert.ok(answer.length > 0, 'an answer arrived');
await page.getByRole('button', { name: 'Copy as curl' }).click();
assert.match(await page.getByTestId('snippet').textContent(), /curl http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions/);
await shot('playground');
await page.getByRole('button', { name: 'Close' }).click();
// JSON-schema mode: the output is checked against the schema live.
step('JSON-schema mode');
await page.getByRole('button', { name: 'Clear' }).click();
await page.getByLabel('JSON schema mode').check();
await page.getByLabel('Schema', { exact: true }).fill('{"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]}');
await page.getByLabel('Message', { exact: true }).fill('Answer in JSON.');
await page.getByRole('button', { name: 'Send' }).click();
await page.getByTestId('schema-state').filter({ hasText: 'output matches the schema' }).waitFor();
await shot('playground-json');

// Tools: the editor checks the JSON live; a named tool_choice guarantees a call (stories260K
// would not call on its own), shown as a card; a tool result goes back and the chat continues.
step('Tools');
await page.getByRole('button', { name: 'Clear' }).click();
await page.getByLabel('JSON schema mode').uncheck();
await page.getByLabel('Tools', { exact: true }).check();
await page.getByLabel('Tools (JSON)').fill('[{"type": "function"}]');
await page.getByTestId('tools-error').filter({ hasText: 'tools[0].function: must be an object' }).waitFor();
await page.getByLabel('Message', { exact: true }).fill('Set a timer for the pasta.');
assert.ok(await page.getByRole('button', { name: 'Send', exact: true }).isDisabled(), 'no send with broken tools');
await page.getByLabel('Tools (JSON)').fill(JSON.stringify([{ type: 'function', function: { name: 'set_timer', description: 'Start a kitchen timer',
  parameters: { type: 'object', properties: { minutes: { type: 'integer', minimum: 1, maximum: 120 } }, required: ['minutes'], additionalProperties: false } } }], null, 2));
await page.getByTestId('tools-ok').filter({ hasText: '1 function: set_timer' }).waitFor();
await page.getByLabel('tool_choice').selectOption('fn:set_timer');
const [toolReq] = await Promise.all([
  page.waitForRequest((r) => r.url().endsWith('/v1/chat/completions')),
  page.getByRole('button', { name: 'Send', exact: true }).click(),
]);
assert.deepEqual(toolReq.postDataJSON().tool_choice, { type: 'function', function: { name: 'set_timer' } });
const card = page.locator('.msg.assistant').getByTestId('call-card');
await card.waitFor();
await page.getByTestId('stats').filter({ hasText: 'finish tool_calls' }).waitFor();
assert.match(await card.textContent(), /set_timer\s*call_/);
const args = JSON.parse(await card.locator('pre').textContent());
assert.ok(Number.isInteger(args.minutes) && args.minutes >= 1 && args.minutes <= 120, JSON.stringify(args));
const callId = (await card.locator('code').textContent()).trim();
await page.getByLabel(/^Result of set_timer/).fill('{"ok": true, "ends_at": "12:10"}');
await page.getByLabel('tool_choice').selectOption('none');
const [contReq, contRes] = await Promise.all([
  page.waitForRequest((r) => r.url().endsWith('/v1/chat/completions')),
  page.waitForResponse((r) => r.url().endsWith('/v1/chat/completions')),
  page.getByRole('button', { name: 'Send tool result and continue' }).click(),
]);
const contMessages = contReq.postDataJSON().messages;
assert.deepEqual(contMessages.slice(-2).map((m) => m.role), ['assistant', 'tool']);
assert.equal(contMessages.at(-2).tool_calls[0].id, callId);
assert.equal(contMessages.at(-2).content, null);
assert.deepEqual(contMessages.at(-1), { role: 'tool', tool_call_id: callId, content: '{"ok": true, "ends_at": "12:10"}' });
assert.equal(contRes.status(), 200);
await page.locator('.msg.tool').filter({ hasText: callId }).waitFor();
await page.locator('.msg.assistant').nth(1).waitFor();
await page.getByTestId('stats').filter({ hasText: /finish (stop|length)/ }).waitFor();
await shot('playground-tools');

// Models and metrics.
step('Models and metrics.');
await load('/console/models');
await page.getByRole('cell', { name: 'tiny' }).waitFor();
await page.getByRole('cell', { name: 'emb' }).waitFor();
// Adapters: the one given at start, one loaded from the page, a bad file refused, an unload.
await page.getByRole('cell', { name: 'attn', exact: true }).waitFor();
await page.getByLabel('Adapter name').fill('broken');
await page.getByLabel(/^Adapter file/).fill('/nonexistent/adapter.gguf');
await page.getByLabel('Base model').selectOption('spm');
await page.getByRole('button', { name: 'Load adapter' }).click();
await page.getByRole('alert').filter({ hasText: '/nonexistent/adapter.gguf' }).waitFor();
await page.getByLabel('Adapter name').fill('mlp');
await page.getByLabel(/^Adapter file/).fill(join(models, 'lora', 'ref-llama-spm-lora-mlp.gguf'));
await page.getByLabel('Scale').fill('0.5');
await page.getByRole('button', { name: 'Load adapter' }).click();
await page.getByRole('status').filter({ hasText: 'Loaded mlp on spm' }).waitFor();
await page.getByRole('cell', { name: 'mlp', exact: true }).waitFor();
assert.equal(await page.getByRole('alert').count(), 0, 'the error went away');
await shot('models');
page.once('dialog', (d) => { assert.match(d.message(), /Unload adapter mlp/); d.accept(); });
await page.getByRole('button', { name: 'Unload mlp' }).click();
await page.getByRole('status').filter({ hasText: 'Unloaded mlp' }).waitFor();
await page.getByRole('cell', { name: 'mlp', exact: true }).waitFor({ state: 'detached' });
const adapterList = await (await page.request.get(`${base}/v1/adapters`)).json();
assert.deepEqual(adapterList.data.map((a) => [a.name, a.model, a.scale]), [['attn', 'spm', 0.5]]);
// The playground lists adapters as models, and puts one on its base with a scale (`lora`).
step('Adapters in the playground');
await load('/console/playground');
await page.getByRole('combobox', { name: /^Model/ }).locator('option', { hasText: 'attn (on spm)' }).waitFor({ state: 'attached' });
await page.getByRole('combobox', { name: /^Model/ }).selectOption('spm');
await page.getByRole('combobox', { name: /^Adapter/ }).selectOption('attn');
await page.getByLabel('Adapter scale').fill('0.25');
await page.getByLabel('max_tokens').fill('8');
await page.getByLabel('Message', { exact: true }).fill('Hello');
const [loraReq] = await Promise.all([
  page.waitForRequest((r) => r.url().endsWith('/v1/chat/completions')),
  page.getByRole('button', { name: 'Send', exact: true }).click(),
]);
assert.deepEqual(loraReq.postDataJSON().lora, [{ name: 'attn', scale: 0.25 }]);
assert.equal(loraReq.postDataJSON().model, 'spm');
await page.getByTestId('stats').filter({ hasText: /finish (stop|length)/ }).waitFor();
assert.equal(await page.getByRole('alert').count(), 0, 'the adapter chat succeeded');
await load('/console/metrics');
await page.locator('.tile strong').nth(4).filter({ hasText: /^[1-9]/ }).waitFor();  // completion tokens so far
// Traffic while the page polls: tokens/s goes above 0.
for (let i = 0; i < 3; i++) {
  const r = await fetch(`${base}/v1/chat/completions`, {
    method: 'POST', headers: { Authorization: `Bearer ${kAdmin}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ model: 'tiny', messages: [{ role: 'user', content: 'A story' }], max_tokens: 128, temperature: 0.8, seed: i }),
  });
  assert.equal(r.status, 200);
}
await page.getByTestId('tps').filter({ hasText: /^[1-9]/ }).waitFor();
await page.waitForTimeout(2500);
await shot('metrics');

// Prompts: create one, two versions (Korean text), move the production label 1 -> 2, diff.
step('Prompts');
await load('/console/prompts');
await page.getByLabel('Name').fill('greet');
await page.getByLabel('Description').fill('인사 프롬프트 (greeting)');
await page.getByRole('button', { name: 'Create prompt' }).click();
await page.getByRole('heading', { name: 'greet' }).waitFor();
await page.getByLabel('System template').fill('당신은 친절한 이야기꾼입니다.');
await page.getByRole('button', { name: 'Create version' }).click();
await page.getByRole('cell', { name: 'v1', exact: true }).waitFor();
await page.getByLabel('To version').fill('1');
await page.getByRole('button', { name: 'Move label' }).click();
await page.getByTestId('label-production').filter({ hasText: 'production → v1' }).waitFor();
await page.getByLabel('System template').fill('You are a storyteller for {{ who }}.');
await page.getByLabel('Variables (JSON)').fill('{"who": {"type": "string", "default": "children"}}');
await page.getByRole('button', { name: 'Create version' }).click();
await page.getByRole('cell', { name: 'v2', exact: true }).waitFor();
await page.getByLabel('To version').fill('2');
await page.getByRole('button', { name: 'Move label' }).click();
await page.getByTestId('label-production').filter({ hasText: 'production → v2' }).waitFor();
await page.getByLabel('from').fill('1');
await page.getByLabel('to', { exact: true }).fill('2');
await page.getByRole('button', { name: 'Diff' }).click();
await page.getByTestId('diff').filter({ hasText: '+ ' }).waitFor();
const label = await (await page.request.get(`${base}/v1/prompts/greet/labels/production`)).json();
assert.deepEqual(label.versions, [{ version: 2, weight: 1 }], JSON.stringify(label));
await shot('prompts');
// "Try in the playground": version 2 picked, its variable with its default, run as the API does.
step('Prompt in the playground');
assert.equal(await page.getByRole('link', { name: 'Try v2 in the playground' }).getAttribute('href'), '/console/playground?prompt=greet&version=2');
await page.getByRole('link', { name: 'Try v2 in the playground' }).click();
const who = page.getByLabel(/^who/);
await who.waitFor();
assert.equal(await who.inputValue(), 'children');
assert.equal(await page.getByLabel('Version or label').inputValue(), 'v:2');
await who.fill('용감한 아이들');
await page.getByLabel('max_tokens').fill('16');
const [promptReq] = await Promise.all([
  page.waitForRequest((r) => r.url().endsWith('/v1/chat/completions')),
  page.getByRole('button', { name: 'Run prompt' }).click(),
]);
assert.deepEqual(promptReq.postDataJSON().prompt, { name: 'greet', version: 2, variables: { who: '용감한 아이들' } });
assert.deepEqual(promptReq.postDataJSON().messages, []);
await page.getByTestId('stats').filter({ hasText: 'prompt greet@2' }).waitFor();
// What the server renders from that field (POST /v1/prompts/render): the variable is in the system text.
await page.getByRole('button', { name: 'Preview the rendered prompt' }).click();
await page.getByTestId('prompt-preview').filter({ hasText: 'greet@2' }).filter({ hasText: 'system You are a storyteller for 용감한 아이들.' }).waitFor();
// The default (no version or label): the production label's version serves.
await page.getByLabel('Version or label').selectOption('');
await page.getByLabel('Message', { exact: true }).fill('Once');
const [defaultReq] = await Promise.all([
  page.waitForRequest((r) => r.url().endsWith('/v1/chat/completions')),
  page.getByRole('button', { name: 'Send', exact: true }).click(),
]);
assert.deepEqual(defaultReq.postDataJSON().prompt, { name: 'greet', variables: { who: '용감한 아이들' } });
await page.locator('.msg.assistant:not(.streaming)').nth(1).waitFor();
await page.getByTestId('stats').filter({ hasText: 'prompt greet@2' }).waitFor();
await shot('playground-prompt');
// The Python snippet passes the ondo fields through extra_body (the client refuses unknown kwargs).
await page.getByRole('button', { name: 'Copy as Python' }).click();
assert.match(await page.getByTestId('snippet').textContent(), /extra_body=\{"prompt":\{"name":"greet","variables":\{"who":"용감한 아이들"\}\}\}/);
// The same link as a fresh page load stays within 5 requests.
await load('/console/playground?prompt=greet&version=2');
assert.equal(await page.getByLabel(/^who/).inputValue(), 'children');

// Collections: a store, a file uploaded with progress and ingested, a search with its plan.
step('Collections');
await load('/console/collections');
await page.getByRole('textbox', { name: 'New vector store' }).fill('manuals');
await page.getByRole('button', { name: 'Create' }).click();
await page.getByRole('heading', { name: 'manuals' }).waitFor();
await page.getByLabel('Attributes (JSON)').fill('{"kind": "manual", "lang": "ko"}');
await page.getByLabel(/^Files/).setInputFiles({
  name: 'fridge.md', mimeType: 'text/markdown',
  buffer: Buffer.from('# Fridge manual\n\nKeep milk at 4 degrees in the back of the fridge.\n\n## Freezer\n\nDefrost the freezer twice a year. 냉동실은 일 년에 두 번 성에를 제거하세요.\n'),
});
await page.getByRole('button', { name: 'Upload' }).click();
await page.getByTestId('file-status').filter({ hasText: 'completed' }).waitFor({ timeout: 60000 });
await page.getByLabel('Query').fill('how cold for milk');
await page.getByLabel('Filter attribute').fill('kind');
await page.getByLabel('Value').fill('manual');
await page.getByRole('button', { name: 'Search' }).click();
await page.getByTestId('plan').waitFor();
await page.getByTestId('hits').locator('li').first().filter({ hasText: 'fridge.md' }).waitFor();
assert.match(await page.getByTestId('hits').textContent(), /score \d\.\d{4}/);
await shot('collections');
// Ask: a streamed answer from the store's chunks, with numbered citations that expand.
step('Ask with citations');
await page.locator('summary').filter({ hasText: 'Ask with citations' }).click();
await page.getByLabel('Chat model').locator('option', { hasText: 'tiny' }).waitFor({ state: 'attached' });
await page.getByLabel('Chat model').selectOption('tiny');
await page.getByLabel('Question').fill('How cold should milk be kept?');
const [askReq, askRes] = await Promise.all([
  page.waitForRequest((r) => r.url().endsWith('/v1/chat/completions')),
  page.waitForResponse((r) => r.url().endsWith('/v1/chat/completions')),
  page.getByRole('button', { name: 'Ask', exact: true }).click(),
]);
const askBody = askReq.postDataJSON();
assert.equal(askBody.stream, true);
assert.equal(askBody.rag.vector_store_ids.length, 1);
assert.match(askBody.rag.vector_store_ids[0], /^vs_/);
assert.match(askRes.headers()['content-type'], /^text\/event-stream/);
const firstCite = page.getByTestId('citations').locator('li').first();
await firstCite.filter({ hasText: /\[1\] fridge\.md score \d\.\d{4}/ }).waitFor();
await page.getByRole('button', { name: 'Ask', exact: true }).waitFor();  // streaming ended
assert.ok((await page.getByTestId('answer').textContent()).length > 0, 'an answer arrived');
assert.equal(await firstCite.locator('blockquote').isVisible(), false, 'the chunk is folded');
await firstCite.locator('summary').click();
await firstCite.locator('blockquote').filter({ hasText: /milk|Freezer|냉동실/ }).waitFor();
await shot('collections-ask');

// Usage: the chats above are a row for model tiny.
step('Usage');
await load('/console/usage');
const tinyRow = page.getByRole('row').filter({ has: page.getByRole('cell', { name: 'tiny', exact: true }) }).first();
await tinyRow.waitFor();
assert.match(await tinyRow.textContent(), /\$0\.\d+/);
await page.getByRole('cell', { name: '/v1/chat/completions' }).first().waitFor();
await shot('usage');

// Keys: create (secret shown once), see it, revoke it.
step('Keys');
await load('/console/keys');
await page.getByLabel('Name').fill('ci');
await page.getByLabel('Requests / min').fill('60');
await page.getByRole('button', { name: 'Create key' }).click();
const secret = await page.getByTestId('secret').textContent();
assert.match(secret, /^ondo-sk-k[0-9a-f]{12}-[0-9a-f]{40}$/);
const id = /^ondo-sk-(k[0-9a-f]{12})-/.exec(secret)[1];
assert.equal((await fetch(`${base}/v1/models`, { headers: { Authorization: `Bearer ${secret}` } })).status, 200);
await shot('keys');
// The new store key signs in too (in a second browser), without the admin pages.
const other = await browser.newContext({ viewport: { width: 1280, height: 800 } });
const page2 = await other.newPage();
page2.setDefaultTimeout(30000);
await page2.goto(`${base}/console/keys`);
await page2.getByLabel('Key').fill(secret);
await page2.getByRole('button', { name: 'Sign in' }).click();
await page2.getByText('Managing keys needs the admin key').waitFor();
assert.equal(await page2.locator('.who').textContent(), `key:${id}`);
page.once('dialog', (d) => d.accept());
await page.getByRole('button', { name: `Revoke ${id}` }).click();
await page.getByRole('row').filter({ hasText: id }).filter({ hasText: 'revoked' }).waitFor();
assert.equal((await fetch(`${base}/v1/models`, { headers: { Authorization: `Bearer ${secret}` } })).status, 401);
// Its console session ends with it: a reload shows the sign-in form again.
await page2.reload();
await page2.getByRole('heading', { name: 'ondo console' }).waitFor();
await page2.getByRole('alert').filter({ hasText: 'was revoked' }).waitFor();
await other.close();
await page.getByRole('button', { name: 'Done' }).click();
assert.equal(await page.getByTestId('secret').count(), 0, 'the secret is gone once dismissed');

// Jobs: the store's queue (empty here).
step('Jobs');
await load('/console/jobs');
await page.getByTestId('jobs-list').getByText('No jobs yet.').waitFor();  // jobs.png: tests/e2e/jobs.mjs

// Dark theme.
step('Dark theme.');
await load('/console/playground');
await page.getByRole('button', { name: 'Switch to dark theme' }).click();
assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
await shot('playground-dark');
await page.getByRole('button', { name: 'Switch to light theme' }).click();

// Sign out: the cookie no longer works.
step('Sign out');
const token = (await context.cookies()).find((c) => c.name === 'ondo_session').value;
await page.getByRole('button', { name: 'Sign out' }).click();
await page.getByRole('heading', { name: 'ondo console' }).waitFor();
const after = await fetch(`${base}/v1/models`, { headers: { Cookie: `ondo_session=${token}` } });
assert.equal(after.status, 401);
assert.match((await after.json()).error.message, /console session/);

await finish();
