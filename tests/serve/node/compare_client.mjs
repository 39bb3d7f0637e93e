// POST /v1/compare through the official openai npm client's generic client.post (called by
// tests/serve/compare_server_test.cpp): node compare_client.mjs BASE_URL BASE. The server
// runs BASE with adapters "attn" and "mlp" (--lora). Checks: the rows come in request order,
// each equal to its solo chat completion (greedy, sampled with a seed, with the "lora" field),
// with usage and latency; without a seed the rows share the seed the reply names; every bad
// field is named. Exits 0 when all pass.
import assert from 'node:assert/strict';
import OpenAI from 'openai';

const [baseURL, base] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey: 'unused', maxRetries: 0 });
const messages = [{ role: 'user', content: 'The little dog ran to the' }];
const params = { messages, max_tokens: 16, temperature: 0, ignore_eos: true };
const compare = (body) => client.post('/compare', { body });

async function solo(model, extra = {}) {
  const r = await client.chat.completions.create({ ...params, model, ...extra });
  return { content: r.choices[0].message.content, finish_reason: r.choices[0].finish_reason,
    prompt_tokens: r.usage.prompt_tokens, completion_tokens: r.usage.completion_tokens };
}

function row(r) {
  return { content: r.message.content, finish_reason: r.finish_reason, prompt_tokens: r.usage.prompt_tokens,
    completion_tokens: r.usage.completion_tokens };
}

async function expectError(body, status, param, fragment) {
  await assert.rejects(compare(body), (e) => {
    assert.equal(e.status, status, e.message);
    assert.equal(e.param, param, JSON.stringify(e.error));
    if (fragment) assert.ok(e.message.includes(fragment), e.message);
    return true;
  });
}

const models = [base, 'attn', 'mlp'];
const alone = {};
for (const m of models) alone[m] = await solo(m);
assert.notEqual(alone.attn.content, alone[base].content, 'attn changes the answer');
assert.notEqual(alone.mlp.content, alone[base].content, 'mlp changes the answer');

const cmp = await compare({ ...params, models, seed: 3 });
assert.equal(cmp.object, 'compare');
assert.match(cmp.id, /^cmp-/);
assert.equal(cmp.seed, 3);
assert.deepEqual(cmp.results.map((r) => r.model), models);
cmp.results.forEach((r, i) => {
  assert.deepEqual(row(r), alone[models[i]], `row ${i} = its solo request`);
  assert.equal(r.message.role, 'assistant');
  assert.equal(r.usage.total_tokens, r.usage.prompt_tokens + r.usage.completion_tokens);
  assert.ok(Number.isInteger(r.latency_ms) && r.latency_ms >= 0, JSON.stringify(r));
});
// in another order, twice over (a model may appear more than once), and at the same time as
// solo requests: the same answers
const order = ['mlp', base, 'mlp', 'attn'];
const [again, soloAttn] = await Promise.all([compare({ ...params, models: order }), solo('attn')]);
assert.deepEqual(again.results.map(row), order.map((m) => alone[m]));
assert.deepEqual(soloAttn, alone.attn);

// sampled: each row equals its solo request with the same seed; without a seed, the named one
const sampled = { temperature: 0.9, top_k: 40 };
const withSeed = await compare({ ...params, ...sampled, models: [base, 'attn'], seed: 11 });
for (const [i, m] of [base, 'attn'].entries()) assert.deepEqual(row(withSeed.results[i]), await solo(m, { ...sampled, seed: 11 }));
const drawn = await compare({ ...params, ...sampled, models: [base, 'attn'] });
assert.ok(Number.isInteger(drawn.seed), JSON.stringify(drawn));
assert.deepEqual(row(drawn.results[1]), await solo('attn', { ...sampled, seed: drawn.seed }));

// the "lora" field applies to every row (on the same base)
const lora = [{ name: 'mlp', scale: 0.5 }];
const withLora = await compare({ ...params, models: [base, 'attn'], lora });
assert.deepEqual(row(withLora.results[0]), await solo(base, { lora }));
assert.deepEqual(row(withLora.results[1]), await solo('attn', { lora }));

await expectError({ ...params }, 400, 'models', 'missing');
await expectError({ ...params, models: [base] }, 400, 'models', 'expected an array of 2 to 4 model ids (seen 1 ids)');
await expectError({ ...params, models: [base, base, base, base, base] }, 400, 'models', '(seen 5 ids)');
await expectError({ ...params, models: 'attn' }, 400, 'models');
await expectError({ ...params, models: [base, 7] }, 400, 'models[1]');
await expectError({ ...params, models: [base, 'nope'] }, 404, 'models[1]', "'nope' is not served here");
await expectError({ ...params, models: [base, 'attn'], model: base }, 400, 'model', 'models');
await expectError({ ...params, models: [base, 'attn'], stream: true }, 400, 'stream');
await expectError({ ...params, models: [base, 'attn'], n: 2 }, 400, 'n');
await expectError({ models: [base, 'attn'], max_tokens: 4 }, 400, 'messages');
await expectError({ ...params, models: [base, 'attn'], temperature: -1 }, 400, 'temperature');
await expectError({ ...params, models: [base, 'attn'], lora: [{ name: 'nope' }] }, 404, 'lora[0].name', "'nope' is not loaded");
console.log('all checks passed');
