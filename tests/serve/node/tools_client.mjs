// Tool calling through the official openai npm client (called by
// tests/serve/structured_output_server_test.cpp): node tools_client.mjs BASE_URL MODEL.
// tool_choice required and named: every call's arguments parse and validate against the
// function's parameters (ajv 2020-12 + formats); streamed tool_calls deltas reassemble to
// the same call; then the assistant call and a `tool` message go back in a second turn.
// Exits 0 when every check passes.
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const [baseURL, model] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey: 'unused', maxRetries: 0 });
const ajv = new Ajv2020({ strict: false });
addFormats(ajv);

const tools = [
  { type: 'function', function: { name: 'get_weather', description: 'Current weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string', maxLength: 16 }, unit: { enum: ['celsius', 'fahrenheit'] },
      date: { type: 'string', format: 'date' } }, required: ['city', 'date'], additionalProperties: false } } },
  { type: 'function', function: { name: 'set_timer', description: 'Start a kitchen timer',
    parameters: { type: 'object', properties: { minutes: { type: 'integer', minimum: 1, maximum: 120 },
      label: { type: 'string', maxLength: 12 } }, required: ['minutes'], additionalProperties: false } } },
];
const schemaOf = Object.fromEntries(tools.map((t) => [t.function.name, t.function.parameters]));
const messages = [{ role: 'user', content: 'Set a 10 minute timer for the pasta.' }];

function checkCalls(calls, only) {
  assert.ok(Array.isArray(calls) && calls.length >= 1, 'tool_calls present');
  for (const c of calls) {
    assert.equal(c.type, 'function');
    assert.match(c.id, /^call_/);
    if (only) assert.equal(c.function.name, only);
    assert.ok(schemaOf[c.function.name], `known function ${c.function.name}`);
    const args = JSON.parse(c.function.arguments);
    assert.ok(ajv.validate(schemaOf[c.function.name], args), `arguments validate: ${c.function.arguments} ${JSON.stringify(ajv.errors)}`);
  }
}

async function main() {
  let finished = 0;
  for (let seed = 1; seed <= 4; seed++) {
    const r = await client.chat.completions.create({ model, messages, tools, tool_choice: 'required', seed, max_tokens: 400,
      parallel_tool_calls: false });
    const choice = r.choices[0];
    if (choice.finish_reason === 'length') continue;
    assert.equal(choice.finish_reason, 'tool_calls');
    assert.equal(choice.message.content, null);
    checkCalls(choice.message.tool_calls);
    assert.equal(choice.message.tool_calls.length, 1, 'parallel_tool_calls false: one call');
    finished++;
  }
  assert.ok(finished >= 1, 'a required call finished');

  const named = await client.chat.completions.create({ model, messages, tools, seed: 3, max_tokens: 400,
    tool_choice: { type: 'function', function: { name: 'get_weather' } } });
  assert.equal(named.choices[0].finish_reason, 'tool_calls', JSON.stringify(named.choices[0]));
  checkCalls(named.choices[0].message.tool_calls, 'get_weather');

  // streaming: deltas reassemble into the same calls as the blocking answer (same seed)
  const stream = await client.chat.completions.create({ model, messages, tools, seed: 3, max_tokens: 400, stream: true,
    tool_choice: { type: 'function', function: { name: 'get_weather' } } });
  const built = [];
  let finish = null;
  let pieces = 0;
  for await (const chunk of stream) {
    const c = chunk.choices[0];
    if (!c) continue;
    if (c.finish_reason) finish = c.finish_reason;
    for (const d of c.delta.tool_calls ?? []) {
      if (d.id) built[d.index] = { id: d.id, type: d.type, function: { name: d.function.name, arguments: '' } };
      built[d.index].function.arguments += d.function.arguments ?? '';
      pieces++;
    }
  }
  assert.equal(finish, 'tool_calls');
  assert.ok(pieces > 2, 'arguments streamed in pieces');
  checkCalls(built, 'get_weather');
  assert.deepEqual(built.map((c) => [c.function.name, c.function.arguments]),
    named.choices[0].message.tool_calls.map((c) => [c.function.name, c.function.arguments]));

  // the round trip: the call and its result go back; the model answers (tools still offered)
  const call = named.choices[0].message.tool_calls[0];
  const followUp = await client.chat.completions.create({ model, tools, seed: 4, max_tokens: 30, tool_choice: 'none',
    messages: [...messages, named.choices[0].message, { role: 'tool', tool_call_id: call.id, content: '{"temperature": 3}' }] });
  assert.equal(typeof followUp.choices[0].message.content, 'string');
  assert.ok(['stop', 'length'].includes(followUp.choices[0].finish_reason));

  const auto = await client.chat.completions.create({ model, messages, tools, seed: 9, max_tokens: 60 });
  const a = auto.choices[0];
  if (a.finish_reason === 'tool_calls') checkCalls(a.message.tool_calls);
  else assert.equal(typeof a.message.content, 'string');

  await assert.rejects(client.chat.completions.create({ model, messages, tool_choice: 'required',
    tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: { a: { not: {} } } } } }] }), (e) => {
    assert.ok(e instanceof OpenAI.BadRequestError, `BadRequestError, got ${e}`);
    assert.equal(e.param, 'tools[0].function.parameters');
    assert.ok(e.message.includes("'not'") && e.message.includes('/properties/a'), e.message);
    return true;
  });
  console.log('all checks passed');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
