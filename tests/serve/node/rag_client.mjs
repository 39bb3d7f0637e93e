// Cited answers through the official openai npm client (called by tests/serve/rag_server_test.cpp):
//   node rag_client.mjs BASE_URL
// uploads two small files, creates a vector store on "emb", attaches them with attributes and
// waits for ingestion, then asks chat completions on "tiny" with the `rag` extension field
// (blocking and streaming, with a filter) and checks that the citations name the uploaded files;
// then the errors: an unknown vector store (404) and a bad filter (400 naming the path); then a
// registry prompt rag.default (made with the admin key "adm") overrides the sources message.
// Exits 0 and prints "all checks passed" when every check passes.
import assert from 'node:assert/strict';
import OpenAI, { toFile } from 'openai';

const [baseURL] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey: 'sk-rag', maxRetries: 0 });

async function expectError(promise, status, param, fragment) {
  try {
    await promise;
  } catch (e) {
    assert.equal(e.status, status, e.message);
    if (param !== undefined) assert.equal(e.param, param, JSON.stringify(e.error));
    if (fragment) assert.ok(e.message.includes(fragment), e.message);
    return;
  }
  assert.fail(`expected an HTTP ${status} error`);
}

const milk = await client.files.create({
  file: await toFile(Buffer.from('Keep milk in the fridge at four degrees.'), 'milk.txt'), purpose: 'assistants' });
const bread = await client.files.create({
  file: await toFile(Buffer.from('Store bread in a wooden box, not in the fridge.'), 'bread.txt'), purpose: 'assistants' });
const vs = await client.vectorStores.create({ name: 'kitchen', embedding_model: 'emb' });
for (const [f, kind] of [[milk, 'dairy'], [bread, 'bakery']]) {
  const done = await client.vectorStores.files.createAndPoll(vs.id, { file_id: f.id, attributes: { kind } }, { pollIntervalMs: 100 });
  assert.equal(done.status, 'completed', JSON.stringify(done));
}

function checkCitations(cites, ids) {
  assert.ok(Array.isArray(cites), `citations: ${JSON.stringify(cites)}`);
  assert.equal(cites.length, ids.length, JSON.stringify(cites));
  cites.forEach((c, i) => {
    assert.equal(c.index, i + 1);
    assert.ok(typeof c.chunk === 'number' && c.chunk > 0, JSON.stringify(c));
    assert.ok(c.score > 0 && c.score <= 1, JSON.stringify(c));
  });
  assert.deepEqual(cites.map((c) => c.file_id).sort(), [...ids].sort());
  for (const c of cites) {
    const want = c.file_id === milk.id ? ['milk.txt', 'milk'] : ['bread.txt', 'bread'];
    assert.equal(c.filename, want[0]);
    assert.ok(c.text.includes(want[1]), c.text);
  }
}

// Blocking: both files are cited, the best (milk) first.
const question = [{ role: 'user', content: 'How cold should the milk be?' }];
const full = await client.chat.completions.create({ model: 'tiny', messages: question, max_tokens: 8, temperature: 0,
  rag: { vector_store_ids: [vs.id], max_num_results: 5 } });
checkCitations(full.citations, [milk.id, bread.id]);
assert.equal(full.citations[0].file_id, milk.id);
assert.equal(typeof full.choices[0].message.content, 'string');
// The sources entered the prompt: more prompt tokens than the same question without rag.
const plain = await client.chat.completions.create({ model: 'tiny', messages: question, max_tokens: 8, temperature: 0 });
assert.equal(plain.citations, undefined);
assert.ok(full.usage.prompt_tokens > plain.usage.prompt_tokens + 10, `${full.usage.prompt_tokens} vs ${plain.usage.prompt_tokens}`);

// Streaming with a filter: the first chunk carries the citations; only the bakery file passes.
const stream = await client.chat.completions.create({ model: 'tiny', messages: question, max_tokens: 8, stream: true,
  rag: { vector_store_ids: [vs.id], filters: { type: 'eq', key: 'kind', value: 'bakery' } } });
let first = true;
let text = '';
for await (const chunk of stream) {
  if (first) checkCitations(chunk.citations, [bread.id]);
  else assert.equal(chunk.citations, undefined);
  first = false;
  text += chunk.choices[0]?.delta?.content ?? '';
}
assert.ok(!first, 'the stream had no chunk');
assert.ok(text.length > 0, 'the stream had no text');

// Errors.
await expectError(client.chat.completions.create({ model: 'tiny', messages: question,
  rag: { vector_store_ids: [vs.id, 'vs_missing'] } }), 404, 'rag.vector_store_ids[1]', "no vector store 'vs_missing'");
await expectError(client.chat.completions.create({ model: 'tiny', messages: question,
  rag: { vector_store_ids: [vs.id], filters: { type: 'and', filters: [{ type: 'bogus', key: 'kind', value: 1 }] } } }),
  400, 'rag.filters.filters[0].type');
await expectError(client.chat.completions.create({ model: 'tiny', messages: question, rag: { max_num_results: 3 } }),
  400, 'rag.vector_store_ids', 'missing');
// A registry prompt named rag.default replaces the default sources message: a bare
// "{{ sources }}" makes a shorter prompt than the default instruction plus the sources.
const admin = new OpenAI({ baseURL, apiKey: 'adm', maxRetries: 0 });
await admin.post('/prompts', { body: { name: 'rag.default', description: 'cited answers' } });
await admin.post('/prompts/rag.default/versions', { body: { system: '{{ sources }}', variables: { sources: 'string', question: 'string' } } });
const custom = await client.chat.completions.create({ model: 'tiny', messages: question, max_tokens: 8, temperature: 0,
  rag: { vector_store_ids: [vs.id], max_num_results: 5 } });
checkCitations(custom.citations, [milk.id, bread.id]);
assert.ok(custom.usage.prompt_tokens < full.usage.prompt_tokens - 10, `${custom.usage.prompt_tokens} vs ${full.usage.prompt_tokens}`);
assert.ok(custom.usage.prompt_tokens > plain.usage.prompt_tokens + 10, `${custom.usage.prompt_tokens} vs ${plain.usage.prompt_tokens}`);
console.log('all checks passed');
