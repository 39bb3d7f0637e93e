// llama-server's utility routes and the unversioned aliases of `ondo serve` (called by
// tests/serve/llama_routes_server_test.cpp): node llama_utility_client.mjs ROOT_URL MODEL.
// The official openai npm client with baseURL at the server root (no /v1) lists models and
// runs chat and legacy completions, blocking and streamed, through /models,
// /chat/completions and /completions; fetch drives /tokenize -> /detokenize round trips,
// /apply-template, /props and /slots in llama-server's shapes. Exits 0 when every check passes.
import assert from 'node:assert/strict';
import OpenAI from 'openai';

const [root, model] = process.argv.slice(2);
const client = new OpenAI({ baseURL: root, apiKey: 'unused', maxRetries: 0 });

async function post(path, body) {
  const r = await fetch(root + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: r.status, body: await r.json() };
}

// Aliases through the official client.
const models = [];
for await (const m of client.models.list()) models.push(m.id);
assert.ok(models.includes(model), `models: ${models}`);

const chat = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Once upon' }], max_tokens: 8, seed: 3 });
assert.equal(chat.object, 'chat.completion');
assert.equal(typeof chat.choices[0].message.content, 'string');
assert.ok(chat.usage.completion_tokens > 0 && chat.usage.completion_tokens <= 8);

let streamed = '';
const stream = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Once upon' }], max_tokens: 8, seed: 3, stream: true });
for await (const chunk of stream) streamed += chunk.choices[0]?.delta?.content ?? '';
assert.equal(streamed, chat.choices[0].message.content, 'same seed, same text, streamed or not');

const text = await client.completions.create({ model, prompt: 'Once upon a time', max_tokens: 6, temperature: 0 });
assert.equal(text.object, 'text_completion');
assert.ok(text.usage.completion_tokens > 0);

await assert.rejects(client.chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'x' }] }),
  (e) => e.status === 404 && /'nope'/.test(e.message));

// /tokenize and /detokenize: a round trip, with and without pieces.
const sentence = 'Once upon a time, there was a little cat.';
const tok = await post('/tokenize', { content: sentence });
assert.equal(tok.status, 200);
assert.ok(tok.body.tokens.length > 3 && tok.body.tokens.every(Number.isInteger), JSON.stringify(tok.body));
const withBos = await post('/tokenize', { content: sentence, add_special: true, model });
assert.equal(withBos.body.tokens.length, tok.body.tokens.length + 1);
assert.deepEqual(withBos.body.tokens.slice(1), tok.body.tokens);
const pieces = await post('/tokenize', { content: sentence, with_pieces: true });
assert.deepEqual(pieces.body.tokens.map((t) => t.id), tok.body.tokens);
const back = await post('/detokenize', { tokens: tok.body.tokens });
assert.equal(back.status, 200);
assert.equal(back.body.content.trim(), sentence);
assert.equal(pieces.body.tokens.map((t) => t.piece).join('').replaceAll('\u2581', ' ').trim(), sentence);

// /apply-template renders what a chat request would see.
const applied = await post('/apply-template', { messages: [{ role: 'user', content: 'hi' }] });
assert.equal(applied.status, 200);
assert.equal(typeof applied.body.prompt, 'string');
assert.ok(applied.body.prompt.includes('hi'), applied.body.prompt);

// /props and /slots.
const props = await (await fetch(root + '/props')).json();
assert.equal(props.model_alias, model);
assert.ok(props.total_slots >= 1);
assert.ok(props.default_generation_settings.n_ctx > 0);
assert.equal(typeof props.chat_template, 'string');
const slots = await (await fetch(root + '/slots')).json();
assert.equal(slots.length, props.total_slots);
for (const s of slots) {
  assert.equal(typeof s.is_processing, 'boolean');
  assert.equal(s.n_ctx, props.default_generation_settings.n_ctx);
}
console.log('all checks passed');
