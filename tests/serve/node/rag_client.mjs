// Cited answers through the official openai npm client (called by tests/serve/rag_server_test.cpp):
//   node rag_client.mjs BASE_URL
// uploads two small files, creates a vector store on "emb", attaches them with attributes and
// waits for ingestion, then asks chat completions on "tiny" with the `rag` extension field
// (blocking and streaming, with a filter) and checks that the citations name the uploaded files;
// then the errors: an unknown vector store (404) and a bad filter (400 naming the path); n > 1
// (every choice cited); /v1/responses with the file_search tool (file_search_call item, file_citation
// annotations, results with the include, the streaming events, errors); then a
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
// n > 1 streaming: the first chunk of every choice carries the citations.
const multi = await client.chat.completions.create({ model: 'tiny', messages: question, max_tokens: 4, n: 2, stream: true,
  seed: 3, temperature: 1, rag: { vector_store_ids: [vs.id], filters: { type: 'eq', key: 'kind', value: 'dairy' } } });
const citedChoices = new Map();
for await (const chunk of multi) {
  const i = chunk.choices[0]?.index;
  if (i === undefined) continue;
  if (!citedChoices.has(i)) {
    checkCitations(chunk.citations, [milk.id]);
    citedChoices.set(i, true);
  } else {
    assert.equal(chunk.citations, undefined, JSON.stringify(chunk));
  }
}
assert.deepEqual([...citedChoices.keys()].sort(), [0, 1]);
const multiFull = await client.chat.completions.create({ model: 'tiny', messages: question, max_tokens: 4, n: 2,
  rag: { vector_store_ids: [vs.id], max_num_results: 1 } });
assert.equal(multiFull.choices.length, 2);
checkCitations(multiFull.citations, [milk.id]);

// /v1/responses with the file_search tool: a file_search_call item before the message, whose
// output_text carries file_citation annotations; results only with the include.
const fsTool = { type: 'file_search', vector_store_ids: [vs.id], max_num_results: 5 };
const resp = await client.responses.create({ model: 'tiny', input: 'How cold should the milk be?', max_output_tokens: 8,
  temperature: 0, tools: [fsTool] });
assert.ok(['completed', 'incomplete'].includes(resp.status), JSON.stringify(resp));  // max_output_tokens may cut it
assert.equal(resp.output.length, 2, JSON.stringify(resp.output));
const call = resp.output[0];
assert.equal(call.type, 'file_search_call');
assert.ok(call.id.startsWith('fs_'), call.id);
assert.equal(call.status, 'completed');
assert.deepEqual(call.queries, ['How cold should the milk be?']);
assert.equal(call.results, null);
const msg = resp.output[1];
assert.equal(msg.type, 'message');
const ann = msg.content[0].annotations;
assert.deepEqual(ann.map((a) => a.type), ['file_citation', 'file_citation'], JSON.stringify(ann));
assert.deepEqual(ann.map((a) => a.file_id), [milk.id, bread.id], JSON.stringify(ann));
assert.deepEqual(ann.map((a) => a.filename), ['milk.txt', 'bread.txt']);
for (const a of ann) assert.ok(Number.isInteger(a.index) && a.index >= 0 && a.index <= msg.content[0].text.length, JSON.stringify(a));
assert.equal(resp.output_text, msg.content[0].text);
assert.deepEqual(resp.tools.map((t) => t.type), ['file_search']);
// The sources entered the prompt: more input tokens than without the tool.
const bare = await client.responses.create({ model: 'tiny', input: 'How cold should the milk be?', max_output_tokens: 8, temperature: 0 });
assert.ok(resp.usage.input_tokens > bare.usage.input_tokens + 10, `${resp.usage.input_tokens} vs ${bare.usage.input_tokens}`);
assert.equal(bare.output.length, 1);

// include file_search_call.results, a filter and ranking options (OpenAI's hybrid_search weights).
const withResults = await client.responses.create({ model: 'tiny', input: 'How cold should the milk be?', max_output_tokens: 4,
  tools: [{ ...fsTool, filters: { type: 'eq', key: 'kind', value: 'bakery' },
    ranking_options: { ranker: 'auto', score_threshold: 0, hybrid_search: { embedding_weight: 1, text_weight: 0.5 } } }],
  include: ['file_search_call.results'] });
const results = withResults.output[0].results;
assert.equal(results.length, 1, JSON.stringify(results));
assert.equal(results[0].file_id, bread.id);
assert.equal(results[0].filename, 'bread.txt');
assert.deepEqual(results[0].attributes, { kind: 'bakery' });
assert.ok(results[0].text.includes('bread') && results[0].score > 0, JSON.stringify(results[0]));
assert.deepEqual(withResults.output[1].content[0].annotations.map((a) => a.file_id), [bread.id]);

// Streaming: the search events, then the answer, and the annotations before output_text.done.
const events = [];
const rstream = await client.responses.create({ model: 'tiny', input: 'How cold should the milk be?', max_output_tokens: 8,
  tools: [fsTool], stream: true });
for await (const ev of rstream) events.push(ev);
const types = events.map((e) => e.type);
const at = (t) => types.indexOf(t);
for (const t of ['response.file_search_call.in_progress', 'response.file_search_call.searching',
  'response.file_search_call.completed', 'response.output_text.annotation.added', 'response.output_text.done']) {
  assert.ok(at(t) >= 0, `${t} missing from ${types.join(' ')}`);
}
assert.ok(at('response.file_search_call.in_progress') < at('response.file_search_call.searching'));
assert.ok(at('response.file_search_call.searching') < at('response.file_search_call.completed'));
assert.ok(at('response.file_search_call.completed') < at('response.output_text.annotation.added'));
assert.ok(at('response.output_text.annotation.added') < at('response.output_text.done'));
events.forEach((e, i) => assert.equal(e.sequence_number, i));
const added = events.filter((e) => e.type === 'response.output_text.annotation.added');
assert.deepEqual(added.map((e) => e.annotation_index), [0, 1]);
assert.deepEqual(added.map((e) => e.annotation.file_id), [milk.id, bread.id]);
assert.ok(['response.completed', 'response.incomplete'].includes(types[types.length - 1]), types.join(' '));
const final = events[events.length - 1].response;
assert.equal(final.output[0].type, 'file_search_call');
assert.equal(final.output[0].status, 'completed');
assert.deepEqual(final.output[1].content[0].annotations, added.map((e) => e.annotation));

// Errors name the tool's fields.
await expectError(client.responses.create({ model: 'tiny', input: 'milk?', tools: [{ type: 'file_search', vector_store_ids: ['vs_missing'] }] }),
  404, 'tools[0].vector_store_ids[0]', "no vector store 'vs_missing'");
await expectError(client.responses.create({ model: 'tiny', input: 'milk?',
  tools: [{ type: 'file_search', vector_store_ids: [vs.id], filters: { type: 'bogus', key: 'kind', value: 1 } }] }),
  400, 'tools[0].filters.type');
await expectError(client.responses.create({ model: 'tiny', input: 'milk?', tools: [{ type: 'file_search' }] }),
  400, 'tools[0].vector_store_ids', 'missing');
await expectError(client.responses.create({ model: 'tiny', input: 'milk?', tools: [fsTool, fsTool] }), 400, 'tools[1]', 'only one file_search');
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
