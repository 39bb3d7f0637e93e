// llama-server's "lora" field and adapter names as "model" on the Responses, Anthropic and
// Ollama APIs, through their official clients (called by tests/serve/compare_server_test.cpp):
// node lora_families_client.mjs ROOT_URL BASE. The server runs BASE with adapters "attn" and
// "mlp" (--lora). Each family's greedy answer with an adapter equals the chat completion's
// with the same adapter (and differs from the base's); unknown adapters are named. Exits 0
// when all pass.
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { Ollama } from 'ollama';
import OpenAI from 'openai';

const [root, base] = process.argv.slice(2);
const openai = new OpenAI({ baseURL: `${root}/v1`, apiKey: 'unused', maxRetries: 0 });
const anthropic = new Anthropic({ baseURL: root, apiKey: 'unused', maxRetries: 0 });
const ollama = new Ollama({ host: root });
const prompt = 'The little dog ran to the';
const messages = [{ role: 'user', content: prompt }];

// The chat completion's greedy answer (ignore_eos: a fixed length; else up to EOS).
async function chat(model, extra = {}, ignoreEos = true) {
  const r = await openai.chat.completions.create({ model, messages, max_tokens: 16, temperature: 0, ignore_eos: ignoreEos, ...extra });
  return r.choices[0].message.content;
}

const lora = [{ name: 'mlp', scale: 0.5 }];
const ref = { base: await chat(base), attn: await chat('attn'), lora: await chat(base, { lora }),
  attnById: await chat(base, { lora: [{ id: 0 }] }) };
assert.notEqual(ref.attn, ref.base);
assert.equal(ref.attnById, ref.attn);

// Responses
const resp = (extra) => openai.responses.create({ model: base, input: prompt, max_output_tokens: 16, temperature: 0,
  ignore_eos: true, ...extra });
assert.equal((await resp({ lora })).output_text, ref.lora, 'responses: lora by name');
assert.equal((await resp({ lora: [{ id: 0 }] })).output_text, ref.attn, 'responses: lora by id');
const viaName = await resp({ model: 'attn' });
assert.equal(viaName.output_text, ref.attn, 'responses: adapter as model');
await assert.rejects(resp({ lora: [{ name: 'nope' }] }),
  (e) => e.status === 404 && e.param === 'lora[0].name' && /'nope' is not loaded/.test(e.message));

// Anthropic
const msg = (extra) => anthropic.messages.create({ model: base, max_tokens: 16, messages, temperature: 0, ignore_eos: true, ...extra });
assert.equal((await msg({ lora })).content[0].text, ref.lora, 'anthropic: lora by name');
assert.equal((await msg({ model: 'attn' })).content[0].text, ref.attn, 'anthropic: adapter as model');
await assert.rejects(msg({ lora: [{ id: 99 }] }), (e) => e.status === 404 && /lora\[0\]\.id: no adapter has id 99/.test(e.message));
await assert.rejects(msg({ lora: 'mlp' }), (e) => e.status === 400 && /lora: expected an array/.test(e.message));

// Ollama (its defaults add a repeat penalty: off here, to match the chat completion; no ignore_eos)
const options = { temperature: 0, num_predict: 16, repeat_penalty: 1 };
const plain = { base: await chat(base, {}, false), attn: await chat('attn', {}, false), lora: await chat(base, { lora }, false) };
assert.notEqual(plain.attn, plain.base);
assert.equal((await ollama.chat({ model: 'attn', messages, options })).message.content, plain.attn, 'ollama chat: adapter as model');
assert.equal((await ollama.chat({ model: 'attn:latest', messages, options })).message.content, plain.attn, 'ollama chat: name:latest');
assert.equal((await ollama.chat({ model: base, messages, options, lora })).message.content, plain.lora, 'ollama chat: lora');
const gen = await ollama.generate({ model: 'attn', prompt, options });
assert.equal(gen.response, plain.attn, 'ollama generate: adapter as model');
assert.equal(gen.model, 'attn');
assert.equal((await ollama.generate({ model: base, prompt, options, lora })).response, plain.lora, 'ollama generate: lora');
await assert.rejects(ollama.chat({ model: 'nope', messages, options }), (e) => e.status_code === 404 && /'nope' is not served/.test(e.error));
await assert.rejects(ollama.chat({ model: base, messages, options, lora: [{ name: 'nope' }] }),
  (e) => e.status_code === 404 && /lora\[0\]\.name: adapter 'nope' is not loaded/.test(e.error));
console.log('all checks passed');
