// The Ollama API through the official ollama npm client (called by
// tests/serve/ollama_server_test.cpp): node ollama_client.mjs HOST MODEL JSON_MODEL.
// version, list, show, ps; generate and chat, blocking and streamed (NDJSON, final line with
// the counts and durations); stream on by default (checked with fetch, as the client always
// sends stream); format "json" and a JSON schema (outputs parse and validate with ajv);
// options (seeded sampling reproducible, num_predict caps the count, stop); tool calls with
// arguments as objects; errors in Ollama's shape. JSON_MODEL answers format "json" (the
// tiny story model writes prose inside JSON strings and seldom closes them; a random-weight
// model closes its object within a few tokens). Exits 0 when every check passes.
import assert from 'node:assert/strict';
import { Ollama } from 'ollama';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const [host, model, jsonModel] = process.argv.slice(2);
const ollama = new Ollama({ host });
const ajv = new Ajv2020({ strict: false });
addFormats(ajv);

function checkFinal(r, maxCount) {
  assert.equal(r.done, true);
  assert.ok(['stop', 'length'].includes(r.done_reason), `done_reason ${r.done_reason}`);
  for (const k of ['total_duration', 'load_duration', 'prompt_eval_count', 'prompt_eval_duration', 'eval_count', 'eval_duration']) {
    assert.ok(Number.isInteger(r[k]) && r[k] >= 0, `${k}: ${r[k]}`);
  }
  assert.ok(r.total_duration > 0, 'total_duration > 0');
  assert.ok(r.prompt_eval_count > 0, 'prompt_eval_count > 0');
  assert.ok(r.eval_count >= 1, 'eval_count >= 1');
  assert.ok(r.total_duration >= r.eval_duration, 'total covers eval');
  if (maxCount) assert.ok(r.eval_count <= maxCount, `eval_count ${r.eval_count} <= ${maxCount}`);
  assert.ok(!Number.isNaN(Date.parse(r.created_at)), `created_at ${r.created_at}`);
}

async function models() {
  const v = await ollama.version();
  assert.match(v.version, /^\d+\.\d+\.\d+/);

  const list = await ollama.list();
  const m = list.models.find((x) => x.name === `${model}:latest`);
  assert.ok(m, `listed: ${JSON.stringify(list)}`);
  assert.equal(m.model, m.name);
  assert.equal(m.details.format, 'gguf');
  assert.equal(m.details.family, 'llama');
  assert.ok(m.details.parameter_size.length > 0 && m.details.quantization_level.length > 0, JSON.stringify(m.details));
  assert.ok(m.size > 0);
  assert.match(m.digest, /^[0-9a-f]{64}$/);
  assert.ok(!Number.isNaN(Date.parse(m.modified_at)));

  for (const name of [model, `${model}:latest`]) {
    const s = await ollama.show({ model: name });
    assert.deepEqual(s.capabilities, ['completion']);
    assert.equal(s.details.family, 'llama');
    assert.equal(s.model_info['general.architecture'], 'llama');
    assert.ok(Number.isInteger(s.model_info['llama.context_length']), JSON.stringify(s.model_info));
    assert.ok(Number.isInteger(s.model_info['general.parameter_count']));
    assert.equal(typeof s.template, 'string');
    assert.ok(s.template.length > 0, 'template shown');
    assert.match(s.parameters, /num_ctx \d+/);
  }

  const ps = await ollama.ps();
  const running = ps.models.find((x) => x.name === `${model}:latest`);
  assert.ok(running, JSON.stringify(ps));
  assert.ok(running.size > 0);
  assert.equal(running.digest, m.digest);
  assert.ok(Date.parse(running.expires_at) > Date.now(), 'expires in the future');
}

async function generate() {
  const opts = { seed: 42, temperature: 1, num_predict: 24 };
  const r = await ollama.generate({ model, prompt: 'Once upon a time', options: opts, keep_alive: '5m' });
  assert.equal(r.model, model);
  assert.equal(typeof r.response, 'string');
  assert.ok(r.response.length > 0);
  checkFinal(r, 24);

  // The same request streamed: the same text, piece by piece, one final line.
  const stream = await ollama.generate({ model, prompt: 'Once upon a time', options: opts, stream: true });
  let text = '';
  let last = null;
  let parts = 0;
  for await (const part of stream) {
    assert.equal(last, null, 'nothing after the done line');
    if (part.done) last = part;
    else {
      assert.equal(part.done, false);
      text += part.response;
      parts++;
    }
  }
  assert.ok(parts > 1, 'streamed in pieces');
  checkFinal(last, 24);
  assert.equal(text, r.response, 'stream and blocking agree for one seed');
  assert.equal(last.eval_count, r.eval_count);

  // Seeded sampling is reproducible; another seed gives another text.
  const again = await ollama.generate({ model, prompt: 'Once upon a time', options: opts });
  assert.equal(again.response, r.response);
  const others = await Promise.all([7, 8, 9].map((seed) =>
    ollama.generate({ model, prompt: 'Once upon a time', options: { ...opts, seed } })));
  assert.ok(others.some((o) => o.response !== r.response), 'seeds change the sample');

  // num_predict caps the count.
  const capped = await ollama.generate({ model, prompt: 'Once upon a time', options: { seed: 1, num_predict: 5 } });
  assert.ok(capped.eval_count <= 5, `eval_count ${capped.eval_count}`);
  if (capped.eval_count === 5) assert.equal(capped.done_reason, 'length');

  // raw: the prompt as is; system and template-less generation.
  const raw = await ollama.generate({ model, prompt: 'Once upon a time', raw: true, options: { seed: 3, num_predict: 8 } });
  checkFinal(raw, 8);
  const sys = await ollama.generate({ model, prompt: 'Hi', system: 'Be brief.', context: [1, 2, 3], options: { seed: 3, num_predict: 8 } });
  checkFinal(sys, 8);
  assert.ok(sys.prompt_eval_count > raw.prompt_eval_count, 'the chat template and system message lengthen the prompt');

  // stop ends the text before the stop string.
  const free = await ollama.generate({ model, prompt: 'Once upon a time', options: { seed: 5, temperature: 0, num_predict: 40 } });
  const word = free.response.trim().split(/\s+/)[2];
  if (word) {
    const stopped = await ollama.generate({ model, prompt: 'Once upon a time', options: { seed: 5, temperature: 0, num_predict: 40, stop: [word] } });
    assert.ok(!stopped.response.includes(word), `stop ${word}: ${stopped.response}`);
    assert.equal(stopped.done_reason, 'stop');
  }

  // An empty prompt loads the model.
  const load = await ollama.generate({ model, prompt: '' });
  assert.equal(load.done, true);
  assert.equal(load.done_reason, 'load');
}

async function streamIsTheDefault() {
  const res = await fetch(`${host}/api/generate`, { method: 'POST', body: JSON.stringify({ model, prompt: 'Once', options: { seed: 1, num_predict: 6 } }) });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /application\/x-ndjson/);
  const lines = (await res.text()).split('\n').filter((l) => l !== '');
  assert.ok(lines.length >= 2, lines.join('|'));
  const objs = lines.map((l) => JSON.parse(l));
  assert.equal(objs.at(-1).done, true);
  assert.ok(objs.slice(0, -1).every((o) => o.done === false));
}

async function chat() {
  const messages = [{ role: 'system', content: 'You tell stories.' }, { role: 'user', content: 'Tell me about a cat.' }];
  const r = await ollama.chat({ model, messages, options: { seed: 11, num_predict: 20 } });
  assert.equal(r.message.role, 'assistant');
  assert.equal(typeof r.message.content, 'string');
  checkFinal(r, 20);
  const stream = await ollama.chat({ model, messages, options: { seed: 11, num_predict: 20 }, stream: true });
  let text = '';
  let last = null;
  for await (const part of stream) {
    if (part.done) last = part;
    else {
      assert.equal(part.message.role, 'assistant');
      text += part.message.content;
    }
  }
  checkFinal(last, 20);
  assert.equal(text, r.message.content);
  const history = await ollama.chat({ model, options: { seed: 2, num_predict: 5 },
    messages: [...messages, r.message, { role: 'user', content: 'And then?' }] });
  checkFinal(history, 5);
  const load = await ollama.chat({ model, messages: [] });
  assert.equal(load.done_reason, 'load');
}

async function formats() {
  let finished = 0;
  for (const [m, seed] of [[model, 1], [model, 2], [jsonModel, 1], [jsonModel, 2], [jsonModel, 3]]) {
    const r = await ollama.generate({ model: m, prompt: 'Reply in JSON.', format: 'json', options: { seed, num_predict: 100 } });
    assert.ok(r.response.startsWith('{'), r.response);
    if (r.done_reason === 'length') continue;
    const v = JSON.parse(r.response);
    assert.ok(v !== null && typeof v === 'object' && !Array.isArray(v), r.response);
    finished++;
  }
  assert.ok(finished >= 3, 'json answers finished');
  const chatJson = await ollama.chat({ model: jsonModel, messages: [{ role: 'user', content: 'JSON please' }], format: 'json', options: { seed: 5, num_predict: 100 } });
  assert.equal(chatJson.done_reason, 'stop', chatJson.message.content);
  assert.equal(typeof JSON.parse(chatJson.message.content), 'object');

  const schema = { type: 'object', properties: { name: { type: 'string', maxLength: 8 }, age: { type: 'integer', minimum: 0, maximum: 120 },
    available: { type: 'boolean' } }, required: ['name', 'age', 'available'], additionalProperties: false };
  finished = 0;
  for (const seed of [1, 2, 3, 4]) {
    const r = await ollama.chat({ model, messages: [{ role: 'user', content: 'Who?' }], format: schema, options: { seed, num_predict: 200 } });
    if (r.done_reason === 'length') continue;
    const v = JSON.parse(r.message.content);
    assert.ok(ajv.validate(schema, v), `${r.message.content}: ${JSON.stringify(ajv.errors)}`);
    finished++;
  }
  assert.ok(finished >= 3, 'schema answers finish');

  // streamed structured output reassembles into a valid document
  const stream = await ollama.chat({ model, messages: [{ role: 'user', content: 'Who?' }], format: schema, options: { seed: 2, num_predict: 200 }, stream: true });
  let text = '';
  let last = null;
  for await (const part of stream) {
    if (part.done) last = part;
    else text += part.message.content;
  }
  if (last.done_reason === 'stop') assert.ok(ajv.validate(schema, JSON.parse(text)), text);

  // a schema the engine cannot enforce exactly is refused, naming format
  await assert.rejects(ollama.chat({ model, messages: [{ role: 'user', content: 'x' }], format: { type: 'object', properties: { a: { not: {} } } } }),
    (e) => e.status_code === 400 && e.error.startsWith('format: ') && e.error.includes("'not'"));
}

const tools = [{ type: 'function', function: { name: 'get_weather', description: 'Current weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string', maxLength: 16 }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
    required: ['city'], additionalProperties: false } } }];

function checkCalls(calls) {
  assert.ok(Array.isArray(calls) && calls.length >= 1, `tool_calls: ${JSON.stringify(calls)}`);
  for (const c of calls) {
    assert.equal(c.function.name, 'get_weather');
    assert.equal(typeof c.function.arguments, 'object', 'arguments is an object, not a string');
    assert.ok(ajv.validate(tools[0].function.parameters, c.function.arguments), JSON.stringify(c.function.arguments));
  }
}

async function toolCalls() {
  const messages = [{ role: 'user', content: 'Weather in Paris?' }];
  // tool_choice and parallel_tool_calls are ondo extensions (Ollama has neither): "required"
  // makes this tiny model call, one call keeps it short.
  const ask = { model, messages, tools, tool_choice: 'required', parallel_tool_calls: false };
  let r = null;
  let seed = 0;
  for (seed = 1; seed <= 4 && !r; seed++) {
    const a = await ollama.chat({ ...ask, options: { seed, num_predict: 300 } });
    checkFinal(a, 300);
    if (a.done_reason === 'length') continue;
    r = a;
  }
  assert.ok(r, 'a required call finished');
  seed--;
  checkCalls(r.message.tool_calls);
  assert.equal(r.message.tool_calls.length, 1);
  assert.equal(r.message.content, '');
  assert.equal(r.done_reason, 'stop');

  const stream = await ollama.chat({ ...ask, options: { seed, num_predict: 300 }, stream: true });
  const calls = [];
  let last = null;
  for await (const part of stream) {
    if (part.done) last = part;
    for (const c of part.message?.tool_calls ?? []) calls.push(c);
  }
  checkFinal(last, 300);
  checkCalls(calls);
  assert.deepEqual(calls, r.message.tool_calls, 'stream and blocking agree');

  // The call and its result go back in Ollama's shape (arguments as an object, tool_name).
  const follow = await ollama.chat({ model, tools, options: { seed: 4, num_predict: 10 },
    messages: [...messages, r.message, { role: 'tool', content: '{"temperature": 21}', tool_name: 'get_weather' }] });
  checkFinal(follow, 10);

  // Without tool_choice the model may answer or call; either way the shape holds.
  const auto = await ollama.chat({ model, messages, tools, options: { seed: 9, num_predict: 60 } });
  if (auto.message.tool_calls) checkCalls(auto.message.tool_calls);
  else assert.equal(typeof auto.message.content, 'string');
}

async function errors() {
  const refused = async (p, status, start) => assert.rejects(p, (e) => {
    assert.equal(e.name, 'ResponseError', String(e));
    assert.equal(e.status_code, status, e.error);
    assert.ok(e.error.startsWith(start), e.error);
    return true;
  });
  await refused(ollama.generate({ model: 'no-such-model', prompt: 'x' }), 404, 'model: ');
  await refused(ollama.chat({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] }), 404, 'model: ');
  await refused(ollama.show({ model: 'no-such-model' }), 404, 'model: ');
  await refused(ollama.generate({ model, prompt: 'x', options: { temperature: 'hot' } }), 400, 'options.temperature: ');
  await refused(ollama.generate({ model, prompt: 'x', suffix: 'return y' }), 400, 'suffix: ');
  await refused(ollama.generate({ model, prompt: 'x', images: ['iVBORw0KGgo='] }), 400, 'images: ');
  await refused(ollama.chat({ model, messages: [{ role: 'user', content: 'x', images: ['iVBORw0KGgo='] }] }), 400, 'messages[0].images: ');
  await refused(ollama.generate({ model, prompt: 'x', format: 'yaml' }), 400, 'format: ');
  // the shape of a raw error body
  const res = await fetch(`${host}/api/generate`, { method: 'POST', body: '{"model": "no-such-model", "prompt": "x"}' });
  assert.equal(res.status, 404);
  const body = await res.json();
  assert.deepEqual(Object.keys(body), ['error']);
  assert.equal(typeof body.error, 'string');
}

async function main() {
  await models();
  await generate();
  await streamIsTheDefault();
  await chat();
  await formats();
  await toolCalls();
  await errors();
  console.log('all checks passed');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
