// Files and vector stores through the official openai npm client (called by
// tests/serve/collections_server_test.cpp). Two phases against the same data directory:
//   node collections_client.mjs build BASE_URL DOCS_DIR OUT_JSON
//     uploads the documents in DOCS_DIR (md, txt, html, pdf), creates a vector store on the
//     "emb" model with a static chunking strategy, attaches each file with attributes
//     (createAndPoll), checks statuses, counts, errors, filtered / hybrid / lexical search,
//     deleting a file, and writes the vector store id and the search results to OUT_JSON;
//   node collections_client.mjs check BASE_URL OUT_JSON
//     after a restart: the same searches give the same results, the files are still there.
// Exits 0 when every check passes.
import assert from 'node:assert/strict';
import { createReadStream, readFileSync, writeFileSync } from 'node:fs';
import OpenAI, { toFile } from 'openai';

const [phase, baseURL, ...rest] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey: 'sk-coll', maxRetries: 0 });

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

// The searches both phases run; their results must not change across a restart.
const searches = [
  { query: 'How cold should the fridge be for milk?', max_num_results: 3 },
  { query: 'defrosting the freezer', filters: { type: 'eq', key: 'kind', value: 'manual' }, max_num_results: 2 },
  { query: 'tomatoes', filters: { type: 'and', filters: [{ type: 'gte', key: 'year', value: 2020 }, { type: 'ne', key: 'kind', value: 'manual' }] } },
  { query: 'compressor noise', ranking_options: { ranker: 'lexical' } },
  { query: 'compressor noise', ranking_options: { ranker: 'none' }, max_num_results: 4 },
  { query: 'bread storage', ranking_options: { hybrid: { dense_weight: 0.3, lexical_weight: 1.0 } } },
];

function summary(page) {
  return page.data.map((d) => ({ file_id: d.file_id, filename: d.filename, score: Number(d.score.toFixed(6)),
    attributes: d.attributes, text: d.content.map((c) => c.text).join('') }));
}

async function runSearches(vsId) {
  const out = [];
  for (const s of searches) {
    const page = await client.vectorStores.search(vsId, s);
    assert.equal(page.object ?? 'vector_store.search_results.page', 'vector_store.search_results.page');
    out.push(summary(page));
  }
  return out;
}

if (phase === 'build') {
  const [docsDir, outPath] = rest;
  const docs = [
    { name: 'fridge.md', attributes: { kind: 'manual', year: 2021, lang: 'en' } },
    { name: 'kitchen.txt', attributes: { kind: 'notes', year: 2024, lang: 'en' } },
    { name: 'recipes.html', attributes: { kind: 'recipes', year: 2019, lang: 'en' } },
    { name: 'freezer.pdf', attributes: { kind: 'manual', year: 2023, pinned: true } },
  ];
  const uploaded = {};
  for (const d of docs) {
    const f = await client.files.create({ file: createReadStream(`${docsDir}/${d.name}`), purpose: 'assistants' });
    assert.equal(f.object, 'file');
    assert.equal(f.filename, d.name);
    assert.equal(f.purpose, 'assistants');
    assert.ok(f.id.startsWith('file-'));
    assert.equal(f.bytes, readFileSync(`${docsDir}/${d.name}`).length);
    uploaded[d.name] = f;
  }
  // Retrieve, list, content.
  const got = await client.files.retrieve(uploaded['kitchen.txt'].id);
  assert.deepEqual(got, uploaded['kitchen.txt']);
  const listed = [];
  for await (const f of client.files.list({ purpose: 'assistants' })) listed.push(f.id);
  for (const d of docs) assert.ok(listed.includes(uploaded[d.name].id));
  const content = await client.files.content(uploaded['kitchen.txt'].id);
  assert.equal(await content.text(), readFileSync(`${docsDir}/kitchen.txt`, 'utf8'));
  // Upload errors: a bad purpose, a file over --max-file-size (413).
  await expectError(client.files.create({ file: await toFile(Buffer.from('x'), 'a.txt'), purpose: 'nope' }), 400, 'purpose', 'unknown purpose');
  await expectError(client.files.create({ file: await toFile(Buffer.alloc(300000, 97), 'big.txt'), purpose: 'assistants' }),
    413, 'file', 'more than the server\'s limit');
  await expectError(client.files.retrieve('file-missing'), 404, undefined, "no file 'file-missing'");

  // A vector store with a static strategy on the embedding model.
  const vs = await client.vectorStores.create({ name: 'kitchen', embedding_model: 'emb', metadata: { team: 'fridge' },
    chunking_strategy: { type: 'static', static: { max_chunk_size_tokens: 120, chunk_overlap_tokens: 20 } } });
  assert.equal(vs.object, 'vector_store');
  assert.equal(vs.name, 'kitchen');
  assert.deepEqual(vs.metadata, { team: 'fridge' });
  assert.equal(vs.file_counts.total, 0);
  await expectError(client.vectorStores.create({ embedding_model: 'rank' }), 400, 'embedding_model', 'reranker');
  await expectError(client.vectorStores.create({ chunking_strategy: { type: 'static', static: { max_chunk_size_tokens: 50, chunk_overlap_tokens: 0 } } }),
    400, 'chunking_strategy.static.max_chunk_size_tokens');
  for (const d of docs) {
    const f = await client.vectorStores.files.createAndPoll(vs.id, { file_id: uploaded[d.name].id, attributes: d.attributes },
      { pollIntervalMs: 100 });
    assert.equal(f.status, 'completed', JSON.stringify(f));
    assert.equal(f.last_error, null);
    assert.deepEqual(f.attributes, d.attributes);
    assert.ok(f.usage_bytes > 0);
  }
  // A file ondo cannot read fails with a reason; uploadAndPoll goes through files.create too.
  const bad = await client.vectorStores.files.uploadAndPoll(vs.id, await toFile(Buffer.from('\x89PNG....'), 'photo.png'),
    { pollIntervalMs: 100 });
  assert.equal(bad.status, 'failed');
  assert.equal(bad.last_error.code, 'unsupported_file');
  assert.ok(bad.last_error.message.includes('photo.png: unsupported file type'), bad.last_error.message);
  await expectError(client.vectorStores.files.create(vs.id, { file_id: uploaded['fridge.md'].id }), 400, 'file_id', 'already in vector store');
  await expectError(client.vectorStores.files.create(vs.id, { file_id: 'file-none' }), 404, 'file_id');
  const again = await client.vectorStores.retrieve(vs.id);
  assert.equal(again.status, 'completed');
  assert.deepEqual(again.file_counts, { in_progress: 0, completed: 4, failed: 1, cancelled: 0, total: 5 });
  const vsFiles = [];
  for await (const f of client.vectorStores.files.list(vs.id, { filter: 'completed' })) vsFiles.push(f.id);
  assert.equal(vsFiles.length, 4);

  // Search: a filter returns only matching files, and k of them when k exist.
  const manual = await client.vectorStores.search(vs.id, { query: 'freezer', max_num_results: 3,
    filters: { type: 'eq', key: 'kind', value: 'manual' } });
  assert.equal(manual.data.length, 3, JSON.stringify(manual));
  for (const d of manual.data) assert.equal(d.attributes.kind, 'manual');
  assert.ok(manual.body.search_plan.dense.plan, JSON.stringify(manual.body.search_plan));
  assert.equal(manual.body.search_plan.mode, 'hybrid');
  const pinned = await client.vectorStores.search(vs.id, { query: 'defrost', filters: { type: 'eq', key: 'pinned', value: true } });
  assert.ok(pinned.data.length > 0);
  for (const d of pinned.data) assert.equal(d.filename, 'freezer.pdf');
  const lexical = await client.vectorStores.search(vs.id, { query: 'compressor', ranking_options: { ranker: 'lexical' } });
  assert.ok(lexical.data.length > 0);
  for (const d of lexical.data) assert.ok(d.content[0].text.toLowerCase().includes('compressor'), d.content[0].text);
  assert.equal(lexical.data[0].score, 1);
  const dense = await client.vectorStores.search(vs.id, { query: 'milk', ranking_options: { ranker: 'none', score_threshold: 0.99 } });
  for (const d of dense.data) assert.ok(d.score >= 0.99);
  await expectError(client.vectorStores.search(vs.id, { query: 'x', filters: { type: 'eqq', key: 'k', value: 1 } }), 400, 'filters.type');
  await expectError(client.vectorStores.search(vs.id, { query: 'x', max_num_results: 51 }), 400, 'max_num_results');
  await expectError(client.vectorStores.search('vs_missing', { query: 'x' }), 404, undefined, "no vector store 'vs_missing'");
  // Headings stay with their sections: a chunk of the Storage section starts with its heading.
  const storage = await client.vectorStores.search(vs.id, { query: 'bread', filters: { type: 'eq', key: 'kind', value: 'manual' }, max_num_results: 10 });
  assert.ok(storage.data.some((d) => d.content[0].text.startsWith('Storage')), JSON.stringify(storage.data.map((d) => d.content[0].text.slice(0, 40))));

  // Deleting a file deletes its chunks: a throwaway file leaves no search result behind.
  const tmp = await client.files.create({ file: await toFile(Buffer.from('Zanzibar zebras zigzag.'), 'z.txt'), purpose: 'assistants' });
  await client.vectorStores.files.createAndPoll(vs.id, { file_id: tmp.id, attributes: { kind: 'tmp' } }, { pollIntervalMs: 100 });
  const before = await client.vectorStores.search(vs.id, { query: 'zanzibar zebras', ranking_options: { ranker: 'lexical' } });
  assert.equal(before.data[0].file_id, tmp.id);
  const del = await client.files.delete(tmp.id);
  assert.deepEqual(del, { id: tmp.id, object: 'file', deleted: true });
  const after = await client.vectorStores.search(vs.id, { query: 'zanzibar zebras', ranking_options: { ranker: 'lexical' } });
  assert.equal(after.data.length, 0);
  await expectError(client.vectorStores.files.retrieve(tmp.id, { vector_store_id: vs.id }), 404);
  const gone = await client.vectorStores.files.delete(bad.id, { vector_store_id: vs.id });
  assert.equal(gone.deleted, true);

  const results = await runSearches(vs.id);
  assert.ok(results.every((r) => r.length > 0), JSON.stringify(results));
  writeFileSync(outPath, JSON.stringify({ vector_store_id: vs.id, files: Object.fromEntries(docs.map((d) => [d.name, uploaded[d.name].id])), results }));
  console.log('all checks passed (build)');
} else if (phase === 'check') {
  const [outPath] = rest;
  const saved = JSON.parse(readFileSync(outPath, 'utf8'));
  const vs = await client.vectorStores.retrieve(saved.vector_store_id);
  assert.deepEqual(vs.file_counts, { in_progress: 0, completed: 4, failed: 0, cancelled: 0, total: 4 });
  for (const id of Object.values(saved.files)) assert.equal((await client.files.retrieve(id)).id, id);
  const results = await runSearches(saved.vector_store_id);
  assert.deepEqual(results, saved.results);
  console.log('all checks passed (check)');
} else {
  console.error('usage: collections_client.mjs build|check ...');
  process.exit(2);
}
