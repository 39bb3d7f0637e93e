// The Responses API through the official openai npm client (called by
// tests/serve/responses_server_test.cpp): node responses_client.mjs BASE_URL MODEL.
// responses.create with a string input and with items (instructions, a function_call /
// function_call_output round trip), max_output_tokens -> incomplete, text.format json_schema
// validated by ajv; responses.stream for text (event order, sequence numbers, final text =
// joined deltas) and for a named function call (argument deltas = the blocking call);
// errors with their params; retrieve / delete say responses are not stored.
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
  { type: 'function', name: 'get_weather', description: 'Current weather for a city', strict: true,
    parameters: { type: 'object', properties: { city: { type: 'string', maxLength: 16 }, unit: { enum: ['celsius', 'fahrenheit'] } },
      required: ['city', 'unit'], additionalProperties: false } },
  { type: 'function', name: 'set_timer', description: 'Start a kitchen timer',
    parameters: { type: 'object', properties: { minutes: { type: 'integer', minimum: 1, maximum: 120 } },
      required: ['minutes'], additionalProperties: false } },
];
const schemaOf = Object.fromEntries(tools.map((t) => [t.name, t.parameters]));

function checkResponse(r) {
  assert.match(r.id, /^resp_/);
  assert.equal(r.object, 'response');
  assert.equal(r.model, model);
  assert.ok(['completed', 'incomplete'].includes(r.status), r.status);
  assert.equal(r.usage.total_tokens, r.usage.input_tokens + r.usage.output_tokens);
  assert.ok(r.usage.input_tokens > 0);
  assert.equal(typeof r.usage.input_tokens_details.cached_tokens, 'number');
  assert.equal(r.usage.output_tokens_details.reasoning_tokens, 0);
  for (const item of r.output) {
    if (item.type === 'message') {
      assert.match(item.id, /^msg_/);
      assert.equal(item.role, 'assistant');
      assert.equal(item.content[0].type, 'output_text');
      assert.deepEqual(item.content[0].annotations, []);
    } else {
      assert.equal(item.type, 'function_call');
      assert.match(item.id, /^fc_/);
      assert.match(item.call_id, /^call_/);
      const args = JSON.parse(item.arguments);
      assert.ok(ajv.validate(schemaOf[item.name], args), `arguments validate: ${item.arguments}`);
    }
  }
}

async function textResponses() {
  const r = await client.responses.create({ model, input: 'Tell me a story.', instructions: 'You tell short stories.',
    max_output_tokens: 16, temperature: 0.8, seed: 3, metadata: { run: 'test' }, store: true });
  checkResponse(r);
  assert.equal(r.output.length, 1);
  assert.equal(r.output_text, r.output[0].content[0].text, 'output_text is the message text');
  assert.ok(r.usage.output_tokens >= 1 && r.usage.output_tokens <= 16);
  assert.equal(r.instructions, 'You tell short stories.');
  assert.equal(r.max_output_tokens, 16);
  assert.equal(r.temperature, 0.8);
  assert.deepEqual(r.metadata, { run: 'test' });

  // max_output_tokens reached: incomplete, with the reason
  const cut = await client.responses.create({ model, input: [{ role: 'user', content: [{ type: 'input_text', text: 'Go on.' }] }],
    max_output_tokens: 5, ignore_eos: true });
  checkResponse(cut);
  assert.equal(cut.status, 'incomplete');
  assert.deepEqual(cut.incomplete_details, { reason: 'max_output_tokens' });
  assert.equal(cut.usage.output_tokens, 5);
  assert.equal(cut.output[0].status, 'incomplete');
}

async function toolRoundTrip() {
  const input = [{ role: 'user', content: 'Set a 10 minute timer for the pasta.' }];
  const named = await client.responses.create({ model, input, tools, seed: 3, max_output_tokens: 300,
    tool_choice: { type: 'function', name: 'get_weather' } });
  checkResponse(named);
  assert.equal(named.status, 'completed', JSON.stringify(named.output));
  const calls = named.output.filter((i) => i.type === 'function_call');
  assert.ok(calls.length >= 1, 'a function_call item');
  assert.ok(calls.every((c) => c.name === 'get_weather' && c.status === 'completed'));
  assert.equal(named.output_text, '');
  assert.equal(named.tools[0].name, 'get_weather');
  assert.deepEqual(named.tool_choice, { type: 'function', name: 'get_weather' });

  // the calls (as output items, ids and status included) and their results go back
  const outputs = calls.map((c) => ({ type: 'function_call_output', call_id: c.call_id, output: '{"temperature": 3}' }));
  const follow = await client.responses.create({ model, tools, tool_choice: 'none', seed: 4, max_output_tokens: 20,
    instructions: 'Answer with the weather.', input: [...input, ...named.output, ...outputs] });
  checkResponse(follow);
  assert.equal(follow.output[0].type, 'message');
  assert.equal(typeof follow.output_text, 'string');

  // streaming the same named call: argument deltas add up to the blocking call's arguments
  const stream = client.responses.stream({ model, input, tools, seed: 3, max_output_tokens: 300,
    tool_choice: { type: 'function', name: 'get_weather' } });
  let pieces = 0;
  const args = {};
  for await (const ev of stream) {
    if (ev.type === 'response.function_call_arguments.delta') {
      pieces++;
      args[ev.output_index] = (args[ev.output_index] ?? '') + ev.delta;
    }
  }
  const final = await stream.finalResponse();
  checkResponse(final);
  assert.ok(pieces > 2, 'arguments streamed in pieces');
  const streamed = final.output.filter((i) => i.type === 'function_call');
  assert.deepEqual(streamed.map((c) => [c.name, c.arguments]), calls.map((c) => [c.name, c.arguments]));
  streamed.forEach((c) => assert.equal(args[final.output.indexOf(c)], c.arguments));

  const required = await client.responses.create({ model, input, tools, seed: 5, max_output_tokens: 300,
    tool_choice: 'required', parallel_tool_calls: false });
  checkResponse(required);
  if (required.status === 'completed') assert.equal(required.output.filter((i) => i.type === 'function_call').length, 1);
}

async function jsonSchema() {
  const schema = { type: 'object', properties: { dish: { type: 'string', maxLength: 12 }, minutes: { type: 'integer', minimum: 1, maximum: 90 },
    vegan: { type: 'boolean' } }, required: ['dish', 'minutes', 'vegan'], additionalProperties: false };
  let done = 0;
  for (let seed = 1; seed <= 3; seed++) {
    const r = await client.responses.create({ model, input: 'A recipe as JSON.', seed, max_output_tokens: 120,
      text: { format: { type: 'json_schema', name: 'recipe', schema, strict: true } } });
    checkResponse(r);
    assert.equal(r.text.format.type, 'json_schema');
    if (r.status !== 'completed') continue;
    const value = JSON.parse(r.output_text);
    assert.ok(ajv.validate(schema, value), `${r.output_text}: ${JSON.stringify(ajv.errors)}`);
    done++;
  }
  assert.ok(done >= 1, 'a json_schema answer completed');
  await assert.rejects(client.responses.create({ model, input: 'x',
    text: { format: { type: 'json_schema', name: 'n', schema: { type: 'object', properties: { a: { not: {} } } } } } }), (e) => {
    assert.ok(e instanceof OpenAI.BadRequestError, `BadRequestError, got ${e}`);
    assert.equal(e.param, 'text.format.schema');
    return true;
  });
}

async function textStream() {
  const stream = client.responses.stream({ model, input: 'Tell me a story.', max_output_tokens: 24, seed: 11, temperature: 0.9 });
  const events = [];
  let deltas = '';
  stream.on('response.output_text.delta', (ev) => { deltas += ev.delta; });
  for await (const ev of stream) events.push(ev);
  const final = await stream.finalResponse();
  checkResponse(final);
  const types = events.map((e) => e.type);
  assert.deepEqual(types.slice(0, 4), ['response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added']);
  assert.ok(['response.completed', 'response.incomplete'].includes(types.at(-1)), types.at(-1));
  assert.deepEqual(types.slice(-4, -1), ['response.output_text.done', 'response.content_part.done', 'response.output_item.done']);
  events.forEach((e, i) => assert.equal(e.sequence_number, i, 'sequence numbers count from 0'));
  assert.ok(types.filter((t) => t === 'response.output_text.delta').length >= 2);
  assert.equal(final.output_text, deltas, 'the final text is the joined deltas');
  assert.equal(events.at(-1).response.id, events[0].response.id);
  // the same request blocking gives the same text (same seed)
  const blocking = await client.responses.create({ model, input: 'Tell me a story.', max_output_tokens: 24, seed: 11, temperature: 0.9 });
  assert.equal(blocking.output_text, deltas);
}

async function errors() {
  const bad = async (body, param, text) => assert.rejects(client.responses.create({ model, ...body }), (e) => {
    assert.ok(e instanceof OpenAI.BadRequestError, `BadRequestError, got ${e}`);
    assert.equal(e.param, param, e.message);
    if (text) assert.ok(e.message.includes(text), e.message);
    return true;
  });
  await bad({ input: 'x', previous_response_id: 'resp_1' }, 'previous_response_id', 'not stored');
  await bad({ input: 'x', tools: [{ type: 'web_search' }] }, 'tools[0].type', 'web_search');
  await bad({ input: [{ role: 'user', content: 'x' }, { type: 'computer_call' }] }, 'input[1].type');
  await bad({ input: [{ type: 'function_call_output', call_id: 'c1', output: 'x' }] }, 'input[0].call_id');
  await bad({ input: 'x', reasoning: { effort: 'high' } }, 'reasoning.effort');
  await assert.rejects(client.responses.create({ model: 'nope', input: 'x' }), (e) => e instanceof OpenAI.NotFoundError);
  await assert.rejects(client.responses.retrieve('resp_123'), (e) => {
    assert.ok(e instanceof OpenAI.NotFoundError, `NotFoundError, got ${e}`);
    assert.ok(e.message.includes('not stored on this server'), e.message);
    return true;
  });
  await assert.rejects(client.responses.delete('resp_123'), (e) => e instanceof OpenAI.NotFoundError);
}

async function main() {
  await textResponses();
  await textStream();
  await toolRoundTrip();
  await jsonSchema();
  await errors();
  console.log('all checks passed');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
