// The Anthropic Messages API through the official @anthropic-ai/sdk client (called by
// tests/serve/anthropic_server_test.cpp): node anthropic_client.mjs BASE_URL MODEL API_KEY.
// The key goes to the SDK as apiKey (sent as x-api-key). messages.create (system blocks,
// usage, max_tokens -> stop_reason max_tokens, stop_sequences -> stop_reason stop_sequence
// with the text before it); messages.stream (event order, text deltas = finalMessage's
// text); a forced tool_use (tool_choice tool and any; input validated by ajv), streamed as
// input_json_delta, and its tool_result round trip; countTokens; errors as the SDK's error
// classes (unknown model -> NotFoundError, image block -> BadRequestError, wrong key ->
// AuthenticationError). Exits 0 when every check passes.
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import Ajv2020 from 'ajv/dist/2020.js';

const [baseURL, model, apiKey] = process.argv.slice(2);
const client = new Anthropic({ baseURL, apiKey, maxRetries: 0 });
const ajv = new Ajv2020({ strict: false });

const tools = [
  { name: 'get_weather', description: 'Current weather for a city',
    input_schema: { type: 'object', properties: { city: { type: 'string', maxLength: 16 }, unit: { enum: ['celsius', 'fahrenheit'] } },
      required: ['city', 'unit'], additionalProperties: false } },
  { name: 'set_timer', description: 'Start a kitchen timer',
    input_schema: { type: 'object', properties: { minutes: { type: 'integer', minimum: 1, maximum: 120 } },
      required: ['minutes'], additionalProperties: false } },
];
const schemaOf = Object.fromEntries(tools.map((t) => [t.name, t.input_schema]));
const question = [{ role: 'user', content: 'Set a 10 minute timer for the pasta.' }];

function checkMessage(m) {
  assert.match(m.id, /^msg_/);
  assert.equal(m.type, 'message');
  assert.equal(m.role, 'assistant');
  assert.equal(m.model, model);
  assert.ok(['end_turn', 'max_tokens', 'stop_sequence', 'tool_use'].includes(m.stop_reason), m.stop_reason);
  assert.equal(m.stop_sequence === null, m.stop_reason !== 'stop_sequence');
  assert.ok(m.usage.input_tokens + m.usage.cache_read_input_tokens > 0);
  assert.equal(m.usage.cache_creation_input_tokens, 0);
  assert.ok(m.usage.output_tokens >= 0);
  for (const b of m.content) {
    if (b.type === 'text') {
      assert.equal(typeof b.text, 'string');
    } else {
      assert.equal(b.type, 'tool_use');
      assert.match(b.id, /^toolu_/);
      assert.ok(ajv.validate(schemaOf[b.name], b.input), `input validates: ${JSON.stringify(b.input)}`);
    }
  }
}

const textOf = (m) => m.content.filter((b) => b.type === 'text').map((b) => b.text).join('');

async function textMessages() {
  const m = await client.messages.create({ model, max_tokens: 16, temperature: 0.8, top_p: 0.9, top_k: 40,
    system: [{ type: 'text', text: 'You tell short stories.' }], metadata: { user_id: 'tester' },
    messages: [{ role: 'user', content: [{ type: 'text', text: 'Tell me a story.' }] }] });
  checkMessage(m);
  assert.ok(m.usage.output_tokens >= 1 && m.usage.output_tokens <= 16);

  // max_tokens reached (ignore_eos is ondo's extension, passed through by the SDK)
  const cut = await client.messages.create({ model, max_tokens: 5, ignore_eos: true, messages: [{ role: 'user', content: 'Go on.' }] });
  checkMessage(cut);
  assert.equal(cut.stop_reason, 'max_tokens');
  assert.equal(cut.usage.output_tokens, 5);

  // stop_sequences: a piece of a greedy answer stops the same answer just before it
  const base = { model, max_tokens: 24, temperature: 0, ignore_eos: true, messages: [{ role: 'user', content: 'Once upon a time' }] };
  const full = textOf(await client.messages.create(base));
  // two whole characters from the middle, none of them U+FFFD (a random model's invalid UTF-8)
  const chars = Array.from(full);
  let stop = null;
  for (let i = Math.floor(chars.length / 2); i + 2 <= chars.length && !stop; i++) {
    const w = chars.slice(i, i + 2).join('');
    if (!w.includes('\uFFFD')) stop = w;
  }
  assert.ok(stop, `a long enough answer: ${JSON.stringify(full)}`);
  const stopped = await client.messages.create({ ...base, stop_sequences: ['\u0001never', stop] });
  checkMessage(stopped);
  assert.equal(stopped.stop_reason, 'stop_sequence');
  assert.equal(stopped.stop_sequence, stop);
  assert.equal(textOf(stopped), full.slice(0, full.indexOf(stop)));

  // count_tokens counts the same prompt a message reads (cached tokens included)
  const counted = await client.messages.countTokens({ model, system: 'Be brief.', messages: question });
  const answered = await client.messages.create({ model, max_tokens: 2, system: 'Be brief.', messages: question });
  assert.equal(counted.input_tokens, answered.usage.input_tokens + answered.usage.cache_read_input_tokens);
  // with tools: as many as the template renders them (some templates show none)
  const withTools = await client.messages.countTokens({ model, system: 'Be brief.', messages: question, tools });
  const answeredWithTools = await client.messages.create({ model, max_tokens: 2, system: 'Be brief.', messages: question,
    tools, tool_choice: { type: 'none' } });
  assert.equal(withTools.input_tokens, answeredWithTools.usage.input_tokens + answeredWithTools.usage.cache_read_input_tokens);
  assert.ok(withTools.input_tokens >= counted.input_tokens);
}

async function streamedText() {
  const stream = client.messages.stream({ model, max_tokens: 20, seed: 5, system: 'You tell short stories.',
    messages: [{ role: 'user', content: 'Tell me a story.' }] });
  let deltas = '';
  stream.on('text', (d) => { deltas += d; });
  const types = [];
  for await (const ev of stream) types.push(ev.type);
  const final = await stream.finalMessage();
  checkMessage(final);
  assert.equal(types[0], 'message_start');
  assert.equal(types.at(-1), 'message_stop');
  assert.equal(types.at(-2), 'message_delta');
  assert.equal(types.filter((t) => t === 'content_block_start').length, types.filter((t) => t === 'content_block_stop').length);
  assert.equal(deltas, textOf(final), 'text deltas = the final text');
  assert.ok(final.usage.output_tokens >= 1 && final.usage.output_tokens <= 20);
  assert.ok(['end_turn', 'max_tokens'].includes(final.stop_reason));
}

async function toolRoundTrip() {
  const forced = { model, tools, max_tokens: 300, temperature: 0, messages: question,
    tool_choice: { type: 'tool', name: 'get_weather', disable_parallel_tool_use: true } };
  const named = await client.messages.create(forced);
  checkMessage(named);
  assert.equal(named.stop_reason, 'tool_use', JSON.stringify(named));
  const call = named.content.find((b) => b.type === 'tool_use');
  assert.equal(call.name, 'get_weather');

  // streamed: input_json_delta pieces assemble into the same input
  const stream = client.messages.stream(forced);
  let pieces = 0;
  stream.on('inputJson', () => { pieces++; });
  const final = await stream.finalMessage();
  checkMessage(final);
  assert.equal(final.stop_reason, 'tool_use');
  assert.ok(pieces >= 1, 'input streamed');
  const streamedCall = final.content.find((b) => b.type === 'tool_use');
  assert.deepEqual([streamedCall.name, streamedCall.input], [call.name, call.input]);

  // any: some tool is called
  const any = await client.messages.create({ ...forced, tool_choice: { type: 'any' } });
  checkMessage(any);
  if (any.stop_reason !== 'max_tokens') assert.equal(any.stop_reason, 'tool_use');

  // the round trip: the assistant's content and a tool_result go back; the model answers
  const followUp = await client.messages.create({ model, tools, max_tokens: 20, tool_choice: { type: 'none' },
    messages: [...question, { role: 'assistant', content: named.content },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: [{ type: 'text', text: '3 degrees' }] }] }] });
  checkMessage(followUp);
  assert.ok(['end_turn', 'max_tokens'].includes(followUp.stop_reason));
  assert.ok(followUp.content.every((b) => b.type === 'text'));
}

async function errors() {
  await assert.rejects(client.messages.create({ model: 'no-such-model', max_tokens: 4, messages: question }), (e) => {
    assert.ok(e instanceof Anthropic.NotFoundError, `NotFoundError, got ${e}`);
    assert.equal(e.status, 404);
    assert.equal(e.error.type, 'error');
    assert.equal(e.error.error.type, 'not_found_error');
    assert.ok(e.message.includes('no-such-model'), e.message);
    return true;
  });
  await assert.rejects(client.messages.countTokens({ model: 'no-such-model', messages: question }), Anthropic.NotFoundError);
  await assert.rejects(client.messages.create({ model, max_tokens: 4, messages: [{ role: 'user', content: [
    { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } }] }] }), (e) => {
    assert.ok(e instanceof Anthropic.BadRequestError, `BadRequestError, got ${e}`);
    assert.equal(e.error.error.type, 'invalid_request_error');
    assert.ok(e.message.includes("messages[0].content[0].type: 'image' blocks are not supported"), e.message);
    return true;
  });
  await assert.rejects(client.messages.create({ model, messages: question }), (e) => {
    assert.ok(e instanceof Anthropic.BadRequestError, `BadRequestError, got ${e}`);
    assert.ok(e.message.includes('max_tokens: missing'), e.message);
    return true;
  });
  const wrongKey = new Anthropic({ baseURL, apiKey: `${apiKey}-wrong`, maxRetries: 0 });
  await assert.rejects(wrongKey.messages.create({ model, max_tokens: 4, messages: question }), (e) => {
    assert.ok(e instanceof Anthropic.AuthenticationError, `AuthenticationError, got ${e}`);
    assert.equal(e.error.error.type, 'authentication_error');
    return true;
  });
}

async function main() {
  await textMessages();
  await streamedText();
  await toolRoundTrip();
  await errors();
  console.log('all checks passed');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
