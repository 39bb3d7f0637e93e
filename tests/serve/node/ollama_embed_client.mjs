// Ollama's embedding routes through the official ollama npm client (called by
// tests/serve/ollama_embed_server_test.cpp): node ollama_embed_client.mjs HOST MODEL
// REFERENCE_JSON RERANK_MODEL GENERATOR_MODEL. REFERENCE_JSON is llama.cpp's reference for
// MODEL (testdata/reference/embeddings). ollama.embed (/api/embed): every case's text, in one
// request, comes back as llama.cpp's normalised vector (max abs diff <= 1e-4) and as the same
// numbers /v1/embeddings gives; prompt_eval_count, durations, the :latest tag, dimensions,
// truncation (Ollama's default) and truncate false, the load call. ollama.embeddings
// (/api/embeddings): llama.cpp's pooled vector, not normalised (max abs diff <= 2e-4). Errors in
// Ollama's shape naming the field (a text generation model, a reranker, an unknown model, bad
// inputs). Exits 0 when every check passes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Ollama } from 'ollama';

const [host, model, refPath, rerankModel, genModel] = process.argv.slice(2);
const ollama = new Ollama({ host });
const ref = JSON.parse(readFileSync(refPath, 'utf8'));
const cases = ref.cases;
const texts = cases.map((c) => c.text);

function maxDiff(a, b) {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; ++i) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
function norm(v) { return Math.sqrt(v.reduce((s, x) => s + x * x, 0)); }

// POST /v1/embeddings with plain fetch: the OpenAI route's vectors for the same inputs.
async function openaiVectors(body) {
  const res = await fetch(`${host}/v1/embeddings`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model, ...body }),
  });
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()).data.map((d) => d.embedding);
}

async function refused(promise, status, start, fragment) {
  await assert.rejects(promise, (e) => {
    assert.equal(e.name, 'ResponseError', String(e));
    assert.equal(e.status_code, status, e.error);
    assert.ok(e.error.startsWith(start), e.error);
    if (fragment) assert.ok(e.error.includes(fragment), e.error);
    return true;
  });
}

async function embed() {
  const r = await ollama.embed({ model, input: texts });
  assert.equal(r.model, model);
  assert.equal(r.embeddings.length, cases.length);
  let worst = 0;
  for (const [i, c] of cases.entries()) {
    assert.equal(r.embeddings[i].length, ref.n_embd);
    worst = Math.max(worst, maxDiff(r.embeddings[i], c.embedding_normalized));
    assert.ok(Math.abs(norm(r.embeddings[i]) - 1) < 1e-5, `case ${i} is normalised`);
  }
  assert.ok(worst <= 1e-4, `max abs diff ${worst} from llama.cpp over ${cases.length} cases`);
  assert.equal(r.prompt_eval_count, cases.reduce((s, c) => s + c.n_tokens, 0));
  assert.ok(Number.isInteger(r.total_duration) && r.total_duration > 0, `total_duration ${r.total_duration}`);
  assert.equal(r.load_duration, 0);
  // The OpenAI route's numbers for the same request, exactly.
  assert.deepEqual(r.embeddings, await openaiVectors({ input: texts, encoding_format: 'float' }));

  // One string, the model named with Ollama's tag: the same vector, the name echoed.
  const one = await ollama.embed({ model: `${model}:latest`, input: texts[1], keep_alive: '5m', options: { temperature: 0 } });
  assert.equal(one.model, `${model}:latest`);
  assert.deepEqual(one.embeddings, [r.embeddings[1]]);
  assert.equal(one.prompt_eval_count, cases[1].n_tokens);

  // dimensions: the first components normalised again, as /v1/embeddings does.
  const dims = await ollama.embed({ model, input: [texts[0], texts[2]], dimensions: 16 });
  assert.equal(dims.embeddings[0].length, 16);
  assert.deepEqual(dims.embeddings, await openaiVectors({ input: [texts[0], texts[2]], dimensions: 16, encoding_format: 'float' }));
  await refused(ollama.embed({ model, input: 'x', dimensions: ref.n_embd + 1 }), 400, 'dimensions: ');

  // Too long: cut to the context by default (Ollama's truncate true), refused with truncate false.
  const long = 'word '.repeat(600);
  const cut = await ollama.embed({ model, input: ['short', long] });
  assert.equal(cut.embeddings.length, 2);
  assert.equal(cut.prompt_eval_count, 3 + 512);
  assert.deepEqual(cut.embeddings, await openaiVectors({ input: ['short', long], truncate: true, encoding_format: 'float' }));
  await refused(ollama.embed({ model, input: ['short', long], truncate: false }), 400, 'input[1]: ', '602 tokens');

  // No input: Ollama's "load the model" call.
  const load = await ollama.embed({ model, input: [] });
  assert.deepEqual(load.embeddings, []);
  assert.equal(load.prompt_eval_count, 0);
  return worst;
}

async function embeddings(normalised) {
  let worst = 0;
  let n = 0;
  for (const [i, c] of cases.entries()) {
    const r = await ollama.embeddings({ model, prompt: c.text });
    assert.deepEqual(Object.keys(r), ['embedding']);
    if (c.text === '') {  // an empty prompt is Ollama's "load the model" call
      assert.deepEqual(r.embedding, []);
      continue;
    }
    ++n;
    assert.equal(r.embedding.length, ref.n_embd);
    worst = Math.max(worst, maxDiff(r.embedding, c.embedding));
    // Normalised, it is /api/embed's vector.
    const l2 = norm(r.embedding);
    assert.ok(Math.abs(l2 - c.l2_norm) < 1e-3, `case ${i}: norm ${l2}, llama.cpp ${c.l2_norm}`);
    assert.ok(maxDiff(r.embedding.map((x) => x / l2), normalised[i]) < 1e-6, `case ${i}`);
  }
  assert.ok(n >= cases.length - 1, `${n} cases compared`);
  assert.ok(worst <= 2e-4, `max abs diff ${worst} from llama.cpp's pooled vectors`);
  assert.deepEqual(await ollama.embeddings({ model, prompt: '' }), { embedding: [] });
  return worst;
}

async function errors() {
  for (const call of [(m) => ollama.embed({ model: m, input: 'x' }), (m) => ollama.embeddings({ model: m, prompt: 'x' })]) {
    await refused(call(genModel), 400, 'model: ', `'${genModel}' is a text generation model`);
    await refused(call(rerankModel), 400, 'model: ', 'is a reranker');
    await refused(call('no-such-model'), 404, 'model: ');
  }
  // The load call checks the model too.
  await refused(ollama.embed({ model: genModel, input: [] }), 400, 'model: ', genModel);
  await refused(ollama.embed({ model, input: [1, 2] }), 400, 'input[0]: ');
  await refused(ollama.embed({ model, input: 'x', options: 'fast' }), 400, 'options: ');
  await refused(ollama.embeddings({ model, prompt: 42 }), 400, 'prompt: ');
  // The shape of a raw error body.
  const res = await fetch(`${host}/api/embed`, { method: 'POST', body: '{"model": "no-such-model", "input": "x"}' });
  assert.equal(res.status, 404);
  const body = await res.json();
  assert.deepEqual(Object.keys(body), ['error']);
  assert.equal(typeof body.error, 'string');
}

async function main() {
  const first = await embed();
  const normalised = (await ollama.embed({ model, input: texts })).embeddings;
  const raw = await embeddings(normalised);
  await errors();
  console.log(`/api/embed max abs diff ${first.toExponential(2)}, /api/embeddings ${raw.toExponential(2)} ` +
    `over ${cases.length} cases; all checks passed`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
