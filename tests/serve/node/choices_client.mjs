// n > 1 and prompt batches through the official openai npm client (called by
// tests/serve/openai_server_test.cpp): node choices_client.mjs BASE_URL MODEL.
// Choices come with index 0..n-1, the same seeded request twice gives the same choices,
// choice 0 is the n = 1 answer, usage sums the completion tokens (counted through logprobs),
// the prompt is evaluated once (the server's prompt-token counter), streaming chunks carry
// each choice's index and reassemble to the blocking answer, several prompts answer in
// order (prompt i x n), and n above the cap is a 400 naming `n`. Exits 0 when all pass.
import assert from 'node:assert/strict';
import OpenAI from 'openai';

const [baseURL, model] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey: 'unused', maxRetries: 0 });
const root = baseURL.replace(/\/v1$/, '');

async function evaluatedPromptTokens() {
  const text = await (await fetch(`${root}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`ondo_prompt_tokens_evaluated_total{model="${model}"}`));
  assert.ok(line, 'ondo_prompt_tokens_evaluated_total in /metrics');
  return Number(line.split(' ').pop());
}

const messages = [{ role: 'user', content: 'Tell me a story about a cat who found a red ball in the garden.' }];

async function chat() {
  const req = { model, messages, n: 3, seed: 42, max_tokens: 16, temperature: 1, logprobs: true, ignore_eos: true };
  const before = await evaluatedPromptTokens();
  const a = await client.chat.completions.create(req);
  const evaluated = (await evaluatedPromptTokens()) - before;
  assert.equal(a.choices.length, 3);
  assert.deepEqual(a.choices.map((c) => c.index), [0, 1, 2]);
  // each choice ran its own prompt's last token only: the prompt is evaluated once
  assert.equal(evaluated, a.usage.prompt_tokens + 2, `prompt tokens evaluated: ${evaluated}`);
  const tokens = a.choices.reduce((n, c) => n + c.logprobs.content.length, 0);
  assert.equal(a.usage.completion_tokens, tokens, 'usage sums the choices');
  assert.equal(a.usage.total_tokens, a.usage.prompt_tokens + tokens);
  assert.ok(new Set(a.choices.map((c) => c.message.content)).size >= 2, 'samples differ');
  const b = await client.chat.completions.create(req);
  assert.deepEqual(b.choices.map((c) => c.message.content), a.choices.map((c) => c.message.content), 'reproducible');
  const one = await client.chat.completions.create({ ...req, n: 1 });
  assert.equal(one.choices[0].message.content, a.choices[0].message.content, 'choice 0 is the n = 1 answer');

  const stream = await client.chat.completions.create({ ...req, stream: true, stream_options: { include_usage: true } });
  const text = ['', '', ''];
  const finish = [null, null, null];
  const roles = new Set();
  let usage = null;
  for await (const chunk of stream) {
    if (chunk.usage) usage = chunk.usage;
    for (const c of chunk.choices) {
      assert.ok(c.index >= 0 && c.index < 3, `index ${c.index}`);
      if (c.delta.role) roles.add(c.index);
      text[c.index] += c.delta.content ?? '';
      if (c.finish_reason) finish[c.index] = c.finish_reason;
    }
  }
  assert.deepEqual(text, a.choices.map((c) => c.message.content), 'stream = blocking');
  assert.deepEqual(finish, a.choices.map((c) => c.finish_reason));
  assert.equal(roles.size, 3, 'each choice starts with its role');
  assert.equal(usage.completion_tokens, a.usage.completion_tokens);
}

async function completions() {
  const prompts = ['Once upon a time', 'The little dog'];
  const req = { model, prompt: prompts, n: 2, seed: 7, max_tokens: 12, ignore_eos: true };
  const r = await client.completions.create(req);
  assert.equal(r.choices.length, 4);
  assert.deepEqual(r.choices.map((c) => c.index), [0, 1, 2, 3]);
  let promptTokens = 0;
  for (let p = 0; p < 2; p++) {
    const alone = await client.completions.create({ ...req, prompt: prompts[p], n: 2 });
    promptTokens += alone.usage.prompt_tokens;
    assert.deepEqual(r.choices.slice(2 * p, 2 * p + 2).map((c) => c.text), alone.choices.map((c) => c.text), `prompt ${p}`);
  }
  assert.equal(r.usage.prompt_tokens, promptTokens, 'each prompt counted once');
  assert.equal(r.usage.completion_tokens, 4 * 12);
  const again = await client.completions.create(req);
  assert.deepEqual(again.choices.map((c) => c.text), r.choices.map((c) => c.text), 'reproducible');

  const ids = await client.completions.create({ model, prompt: [[1, 403, 407], [1, 21, 22, 23]], n: 2, seed: 3, max_tokens: 4 });
  assert.equal(ids.choices.length, 4);

  const stream = await client.completions.create({ ...req, stream: true });
  const text = ['', '', '', ''];
  for await (const chunk of stream) for (const c of chunk.choices) text[c.index] += c.text;
  assert.deepEqual(text, r.choices.map((c) => c.text), 'stream = blocking');
}

async function limits() {
  for (const body of [{ model, messages, n: 17 }, { model, prompt: ['a', 'b'], n: 9 }]) {
    const create = body.messages ? () => client.chat.completions.create(body) : () => client.completions.create(body);
    await assert.rejects(create, (err) => {
      assert.equal(err.status, 400);
      assert.equal(err.param, 'n');
      return true;
    });
  }
}

await chat();
await completions();
await limits();
console.log('all checks passed');
