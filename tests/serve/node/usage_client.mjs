// Drives a running `ondo serve` with a store key through the official openai npm client for
// the usage test (tests/serve/usage_server_test.cpp):
//   node usage_client.mjs BASE_URL MODEL KEY run   -> a chat, a stream with usage, and a stream
//        the client cancels after its first chunk; prints {"chat": usage, "stream": usage}
//   node usage_client.mjs BASE_URL MODEL KEY read OTHER_KEY_ID -> the key's own GET /usage
//        (client.get), and a 403 for another key's usage; prints the usage answer
// Exits 0 when every check passes; prints the failing check otherwise.
import assert from 'node:assert/strict';
import OpenAI from 'openai';

const [baseURL, model, apiKey, mode, other] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0 });
const messages = [{ role: 'user', content: 'Tell me a story.' }];

async function run() {
  const chat = await client.chat.completions.create({ model, messages, max_tokens: 8, seed: 3 });
  assert.equal(chat.object, 'chat.completion');
  let streamUsage = null;
  const stream = await client.chat.completions.create({
    model, messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 6, stream: true,
    stream_options: { include_usage: true },
  });
  for await (const chunk of stream) if (chunk.usage) streamUsage = chunk.usage;
  assert.ok(streamUsage, 'the stream sent no usage chunk');
  // A long stream the client abandons after its first content chunk (ondo: finish "disconnected").
  const long = await client.chat.completions.create({
    model, messages: [{ role: 'user', content: 'A long story.' }], max_tokens: 400, ignore_eos: true, stream: true,
  });
  for await (const chunk of long) {
    if (chunk.choices.length && chunk.choices[0].delta.content) break;  // break aborts the request
  }
  console.log(JSON.stringify({ chat: chat.usage, stream: streamUsage }));
}

async function read() {
  const own = await client.get('/usage', { query: { group_by: 'model' } });
  assert.equal(own.object, 'usage');
  await assert.rejects(client.get('/usage', { query: { key: other } }), (err) => {
    assert.ok(err instanceof OpenAI.PermissionDeniedError, `expected PermissionDeniedError, got ${err.constructor.name}`);
    assert.ok(err.message.includes('only its own usage'), err.message);
    return true;
  });
  console.log(JSON.stringify(own));
}

(mode === 'run' ? run() : read()).catch((e) => {
  console.error(e);
  process.exit(1);
});
