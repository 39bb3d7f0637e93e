// LoRA adapters through the official openai npm client (called by
// tests/serve/lora_server_test.cpp): node lora_client.mjs BASE_URL BASE F16_ADAPTER_PATH.
// The server runs BASE with adapters "attn" and "mlp" (--lora). Checks: /v1/models lists the
// adapters with their parent; greedy answers of the base, "model": adapter, and the "lora"
// field (by name and id, with scales, two at once) differ from the base's; the same requests
// sent all at once (one batch of mixed adapters) answer exactly as each did alone; unknown
// adapters are 404s naming them; POST /v1/adapters loads one at run time, GET lists it and
// DELETE unloads it. Exits 0 when all pass.
import assert from 'node:assert/strict';
import OpenAI from 'openai';

const [baseURL, base, f16Path] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey: 'unused', maxRetries: 0 });

const prompts = ['Once upon a time', 'The little dog ran to the'];
const variants = [
  { name: 'base', body: { model: base } },
  { name: 'attn', body: { model: 'attn' } },
  { name: 'mlp', body: { model: 'mlp' } },
  { name: 'lora mlp@0.5', body: { model: base, lora: [{ name: 'mlp', scale: 0.5 }] } },
  { name: 'lora attn(id 0)+mlp', body: { model: base, lora: [{ id: 0, scale: 1.0 }, { name: 'mlp', scale: 1.0 }] } },
];

async function complete(body, prompt) {
  const r = await client.completions.create({ ...body, prompt, max_tokens: 24, temperature: 0, ignore_eos: true,
                                                 logprobs: 0 });
  return { text: r.choices[0].text, tokens: r.choices[0].logprobs.tokens.join('\u0001'), model: r.model };
}

async function models() {
  const list = await client.models.list();
  const ids = list.data.map((m) => m.id);
  for (const a of ['attn', 'mlp']) {
    const m = list.data.find((x) => x.id === a);
    assert.ok(m, `${a} in /v1/models: ${ids}`);
    assert.equal(m.parent, base, `${a}'s parent`);
  }
  const one = await client.models.retrieve('attn');
  assert.equal(one.parent, base);
}

async function solosAndBatch() {
  const solo = {};
  for (const v of variants) {
    for (const p of prompts) solo[`${v.name}|${p}`] = await complete(v.body, p);
  }
  for (const v of variants.slice(1)) {
    const changed = prompts.filter((p) => solo[`${v.name}|${p}`].tokens !== solo[`base|${p}`].tokens);
    assert.ok(changed.length > 0, `${v.name} changes the answer to some prompt`);
  }
  assert.equal(solo[`attn|${prompts[0]}`].model, 'attn', 'the response names the adapter');
  // all at once, twice over, in an order that mixes adapters in each batch
  const jobs = [];
  for (let round = 0; round < 2; ++round) {
    for (const p of prompts) {
      for (const v of (round ? [...variants].reverse() : variants)) jobs.push({ key: `${v.name}|${p}`, run: complete(v.body, p) });
    }
  }
  const results = await Promise.all(jobs.map((j) => j.run));
  jobs.forEach((j, i) => assert.deepEqual(results[i], solo[j.key], `batched = alone: ${j.key}`));
  // streaming with an adapter gives the same text
  const stream = await client.completions.create({ model: 'attn', prompt: prompts[0], max_tokens: 24, temperature: 0,
                                                   ignore_eos: true, stream: true });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.text ?? '';
  assert.equal(text, solo[`attn|${prompts[0]}`].text, 'stream = blocking');
}

async function errors() {
  await assert.rejects(client.completions.create({ model: 'nope', prompt: 'x', max_tokens: 2 }), (e) => {
    assert.equal(e.status, 404);
    assert.match(e.message, /'nope' is not served here.*adapters: attn, mlp/);
    return true;
  });
  await assert.rejects(client.completions.create({ model: base, prompt: 'x', max_tokens: 2, lora: [{ name: 'nope' }] }),
    (e) => {
      assert.equal(e.status, 404);
      assert.match(e.message, /lora\[0\]\.name: adapter 'nope' is not loaded/);
      return true;
    });
  await assert.rejects(client.completions.create({ model: base, prompt: 'x', max_tokens: 2, lora: [{ id: 99 }] }),
    (e) => e.status === 404 && /lora\[0\]\.id: no adapter has id 99/.test(e.message));
  await assert.rejects(client.completions.create({ model: base, prompt: 'x', max_tokens: 2, lora: [{ scale: 1 }] }),
    (e) => e.status === 400 && /lora\[0\]: give exactly one of id and name/.test(e.message));
}

async function loadAndUnload() {
  const post = (body) => client.post('/adapters', { body });
  const loaded = await post({ name: 'f16', path: f16Path, model: base });
  assert.equal(loaded.name, 'f16');
  assert.equal(loaded.model, base);
  assert.equal(loaded.rank, 8);
  const list = await client.get('/adapters');
  assert.deepEqual(list.data.map((a) => a.name), ['attn', 'mlp', 'f16']);
  const viaF16 = await complete({ model: 'f16' }, prompts[0]);
  assert.equal(viaF16.model, 'f16');
  assert.notEqual(viaF16.tokens, (await complete({ model: base }, prompts[0])).tokens, 'f16 changes the answer');
  await assert.rejects(post({ name: 'f16', path: f16Path, model: base }), (e) => e.status === 400 && /already loaded/.test(e.message));
  await assert.rejects(post({ name: 'bad', path: '/nonexistent/a.gguf', model: base }), (e) => e.status === 404 || e.status === 400);
  await assert.rejects(post({ name: 'x', path: f16Path, model: 'nope' }), (e) => e.status === 404 && /'nope' is not served/.test(e.message));
  const del = await client.delete('/adapters/f16');
  assert.equal(del.deleted, true);
  await assert.rejects(complete({ model: 'f16' }, prompts[0]), (e) => e.status === 404);
  await assert.rejects(client.delete('/adapters/f16'), (e) => e.status === 404 && /'f16' is not loaded/.test(e.message));
}

await models();
await solosAndBatch();
await errors();
await loadAndUnload();
console.log('all checks passed');
