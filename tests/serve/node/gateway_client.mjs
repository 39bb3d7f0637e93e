// Drives a running `ondo serve` with a store key through the official openai npm client
// (called by tests/serve/gateway_server_test.cpp):
//   node gateway_client.mjs BASE_URL MODEL KEY ok|401|403 [TEXT]
// ok: a chat completion and a stream succeed; 401/403: the call fails with that status
// (AuthenticationError / PermissionDeniedError) and its message contains TEXT.
// Exits 0 when every check passes; prints the failing check otherwise.
import assert from 'node:assert/strict';
import OpenAI from 'openai';

const [baseURL, model, apiKey, expect, text] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0 });
const messages = [{ role: 'user', content: 'Tell me a story.' }];

async function main() {
  if (expect === 'ok') {
    const chat = await client.chat.completions.create({ model, messages, max_tokens: 8, seed: 3 });
    assert.equal(chat.object, 'chat.completion');
    assert.ok(chat.usage.completion_tokens >= 1);
    const stream = await client.chat.completions.create({ model, messages, max_tokens: 8, stream: true });
    let chunks = 0;
    for await (const chunk of stream) {
      assert.equal(chunk.object, 'chat.completion.chunk');
      chunks += 1;
    }
    assert.ok(chunks >= 1);
  } else {
    const want = Number(expect);
    const Kind = want === 401 ? OpenAI.AuthenticationError : OpenAI.PermissionDeniedError;
    await assert.rejects(client.chat.completions.create({ model, messages, max_tokens: 4 }), (err) => {
      assert.ok(err instanceof Kind, `expected ${Kind.name}, got ${err.constructor.name}: ${err.message}`);
      assert.equal(err.status, want);
      if (text) assert.ok(err.message.includes(text), `message '${err.message}' lacks '${text}'`);
      return true;
    });
  }
  console.log('all checks passed');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
