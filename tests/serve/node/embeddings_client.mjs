// POST /v1/embeddings through the official openai npm client (called by
// tests/serve/embeddings_server_test.cpp): node embeddings_client.mjs BASE_URL MODEL REFERENCE_JSON
// RERANK_MODEL. REFERENCE_JSON is llama.cpp's reference for the model (testdata/reference/
// embeddings): every case's text must come back as its normalised vector (max abs diff
// <= 1e-4), in one batched request, with encoding_format float, base64 and the SDK default
// (base64 decoded by the client); token-array inputs; dimensions (Matryoshka truncation);
// usage.prompt_tokens; errors with their params (too long input, truncate, bad dimensions,
// unknown model, the reranker on /embeddings, chat on the embedding model). Exits 0 when
// every check passes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import OpenAI from 'openai';

const [baseURL, model, refPath, rerankModel] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey: 'unused', maxRetries: 0 });
const ref = JSON.parse(readFileSync(refPath, 'utf8'));
const cases = ref.cases;
const tol = 1e-4;

function maxDiff(a, b) {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; ++i) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
function norm(v) { return Math.sqrt(v.reduce((s, x) => s + x * x, 0)); }
function decode(b64) {
  const buf = Buffer.from(b64, 'base64');
  return Array.from(new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4));
}
async function expectError(promise, status, param, fragment) {
  try {
    await promise;
  } catch (e) {
    assert.equal(e.status, status, e.message);
    if (param !== undefined) assert.equal(e.param, param, JSON.stringify(e.error));
    if (fragment) assert.ok(e.message.includes(fragment), e.message);
    return e;
  }
  assert.fail(`expected an HTTP ${status} error`);
}

// Every reference case in one request, floats.
const texts = cases.map((c) => c.text);
const floats = await client.embeddings.create({ model, input: texts, encoding_format: 'float' });
assert.equal(floats.object, 'list');
assert.equal(floats.model, model);
assert.equal(floats.data.length, cases.length);
let worst = 0;
for (const [i, c] of cases.entries()) {
  const d = floats.data[i];
  assert.equal(d.object, 'embedding');
  assert.equal(d.index, i);
  assert.equal(d.embedding.length, ref.n_embd);
  worst = Math.max(worst, maxDiff(d.embedding, c.embedding_normalized));
  assert.ok(Math.abs(norm(d.embedding) - 1) < 1e-5);
}
assert.ok(worst <= tol, `max abs diff ${worst} over ${cases.length} cases`);
const nTokens = cases.reduce((s, c) => s + c.n_tokens, 0);
assert.equal(floats.usage.prompt_tokens, nTokens);
assert.equal(floats.usage.total_tokens, nTokens);

// base64, explicit (strings as sent) and the SDK default (decoded by the client).
const b64 = await client.embeddings.create({ model, input: texts.slice(0, 3), encoding_format: 'base64' });
for (let i = 0; i < 3; ++i) {
  assert.equal(typeof b64.data[i].embedding, 'string');
  assert.deepEqual(decode(b64.data[i].embedding), Array.from(new Float32Array(floats.data[i].embedding)));
}
const dflt = await client.embeddings.create({ model, input: texts[0] });
assert.equal(dflt.data.length, 1);
assert.deepEqual(Array.from(dflt.data[0].embedding), Array.from(new Float32Array(floats.data[0].embedding)));

// Token arrays: one array, and an array of arrays, give the text's vectors.
const one = await client.embeddings.create({ model, input: cases[1].tokens, encoding_format: 'float' });
assert.deepEqual(one.data[0].embedding, floats.data[1].embedding);
assert.equal(one.usage.prompt_tokens, cases[1].n_tokens);
const many = await client.embeddings.create({ model, input: [cases[2].tokens, cases[0].tokens], encoding_format: 'float' });
assert.deepEqual(many.data[0].embedding, floats.data[2].embedding);
assert.deepEqual(many.data[1].embedding, floats.data[0].embedding);

// dimensions: the first components, normalised again.
const dims = await client.embeddings.create({ model, input: texts[0], dimensions: 16, encoding_format: 'float' });
const full = floats.data[0].embedding.slice(0, 16);
const n16 = norm(full);
assert.equal(dims.data[0].embedding.length, 16);
assert.ok(maxDiff(dims.data[0].embedding, full.map((x) => x / n16)) < 1e-6);
await expectError(client.embeddings.create({ model, input: 'x', dimensions: ref.n_embd + 1 }), 400, 'dimensions');

// Too long: a 400 naming the input's index and length, unless truncate.
const long = 'word '.repeat(600);
const e = await expectError(client.embeddings.create({ model, input: ['short', long], encoding_format: 'float' }), 400,
  'input[1]', 'input 1 is 602 tokens');
assert.ok(e.message.includes('512'), e.message);
const cut = await client.embeddings.create({ model, input: ['short', long], encoding_format: 'float', truncate: true });
assert.equal(cut.data.length, 2);
assert.equal(cut.usage.prompt_tokens, 3 + 512);

// Other errors.
await expectError(client.embeddings.create({ model, input: [] }), 400, 'input');
await expectError(client.embeddings.create({ model, input: [[1, 2, 999999]] }), 400, 'input[0][2]');
await expectError(client.embeddings.create({ model, input: 'x', encoding_format: 'int8' }), 400, 'encoding_format');
await expectError(client.embeddings.create({ model: 'nope', input: 'x' }), 404, 'model');
await expectError(client.embeddings.create({ model: rerankModel, input: 'x' }), 400, 'model', 'is a reranker');
await expectError(client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] }), 400, 'model',
  `'${model}' is an embedding model`);
await expectError(client.completions.create({ model, prompt: 'hi' }), 400, 'model', `'${model}'`);

console.log(`max abs diff ${worst.toExponential(2)} over ${cases.length} cases; all checks passed`);
