// Embeddings from a decoder served with --pooling, through the official openai npm client
// (called by tests/serve/decoder_embed_server_test.cpp):
//   node decoder_embed_client.mjs BASE_URL MODEL WANT_JSON
// WANT_JSON holds {"texts": [...], "vectors": [...]}: `ondo embed --pooling ...` of the same
// texts. Checks: one batched request returns those vectors (max abs diff <= 1e-6, unit norm),
// each text alone returns the same vector as in the batch (bitwise), chat on the model is a
// 400, and a vector store on the model: three one-line files uploaded and ingested, a dense
// search whose query is one file's text finds that file first with cosine ~1, a hybrid
// search returns hits. Exits 0 when every check passes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import OpenAI, { toFile } from 'openai';

const [baseURL, model, wantPath] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey: 'sk-dec', maxRetries: 0 });
const want = JSON.parse(readFileSync(wantPath, 'utf8'));

let worst = 0;
const batch = await client.embeddings.create({ model, input: want.texts, encoding_format: 'float' });
assert.equal(batch.data.length, want.texts.length);
for (const [i, d] of batch.data.entries()) {
  assert.equal(d.embedding.length, want.vectors[i].length);
  let n = 0;
  for (let j = 0; j < d.embedding.length; ++j) {
    worst = Math.max(worst, Math.abs(d.embedding[j] - want.vectors[i][j]));
    n += d.embedding[j] * d.embedding[j];
  }
  assert.ok(Math.abs(Math.sqrt(n) - 1) < 1e-5, `norm ${Math.sqrt(n)}`);
}
assert.ok(worst <= 1e-6, `max abs diff to ondo embed ${worst}`);
for (const [i, t] of want.texts.entries()) {
  const one = await client.embeddings.create({ model, input: t, encoding_format: 'float' });
  assert.deepEqual(one.data[0].embedding, batch.data[i].embedding, `text ${i} alone vs batched`);
}
try {
  await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] });
  assert.fail('chat on an embedding model must fail');
} catch (e) {
  assert.equal(e.status, 400, e.message);
  assert.ok(e.message.includes('embedding model'), e.message);
}

// A vector store whose embedding model is the decoder.
const lines = ['Keep the milk on the middle shelf of the fridge.', 'Tomatoes ripen on the kitchen counter.',
  'Defrost the freezer twice a year.'];
const vs = await client.vectorStores.create({ name: 'decoder', embedding_model: model });
const ids = [];
for (const [i, text] of lines.entries()) {
  const f = await client.vectorStores.files.uploadAndPoll(vs.id, await toFile(Buffer.from(text), `note${i}.txt`),
    { pollIntervalMs: 100 });
  assert.equal(f.status, 'completed', JSON.stringify(f));
  ids.push(f.id);
}
for (const [i, text] of lines.entries()) {
  const page = await client.vectorStores.search(vs.id, { query: text, ranking_options: { ranker: 'none' }, max_num_results: 3 });
  assert.equal(page.data.length, 3, JSON.stringify(page));
  assert.equal(page.data[0].file_id, ids[i], JSON.stringify(page.data.map((d) => [d.filename, d.score])));
  assert.ok(page.data[0].score > 0.999, `score ${page.data[0].score}`);
  assert.ok(page.data[1].score < page.data[0].score);
}
const hybrid = await client.vectorStores.search(vs.id, { query: 'freezer', max_num_results: 2 });
assert.equal(hybrid.data.length, 2);
assert.equal(hybrid.data[0].file_id, ids[2], JSON.stringify(hybrid.data));

console.log(`max abs diff to ondo embed ${worst.toExponential(2)} over ${want.texts.length} texts; all checks passed`);
