// Drives a running `ondo serve` with a rate-limited store key through the official openai npm
// client (called by tests/serve/limits_server_test.cpp):
//   node limits_client.mjs BASE_URL MODEL KEY RPM
// A streamed and a blocking chat completion carry OpenAI's x-ratelimit-* headers; requests
// go on (maxRetries: 0) until the key's RPM is spent and the next one fails with a
// RateLimitError (429) carrying Retry-After. Exits 0 when every check passes.
import assert from 'node:assert/strict';
import OpenAI from 'openai';

const [baseURL, model, apiKey, rpmText] = process.argv.slice(2);
const rpm = Number(rpmText);
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0 });
const messages = [{ role: 'user', content: 'Tell me a story.' }];
const header = (h, name) => (typeof h.get === 'function' ? h.get(name) : h[name]);

async function main() {
  const { data: stream, response: sr } = await client.chat.completions
    .create({ model, messages, max_tokens: 4, stream: true })
    .withResponse();
  for await (const chunk of stream) assert.equal(chunk.object, 'chat.completion.chunk');
  assert.equal(header(sr.headers, 'x-ratelimit-limit-requests'), String(rpm));
  assert.equal(header(sr.headers, 'x-ratelimit-remaining-requests'), String(rpm - 1));
  assert.match(header(sr.headers, 'x-ratelimit-reset-requests'), /^(\d+ms|\d+s|1m0s)$/);
  for (let used = 2; used <= rpm; used += 1) {
    const { data, response } = await client.chat.completions.create({ model, messages, max_tokens: 4 }).withResponse();
    assert.equal(data.object, 'chat.completion');
    assert.equal(header(response.headers, 'x-ratelimit-remaining-requests'), String(rpm - used));
    assert.ok(header(response.headers, 'x-ratelimit-limit-tokens'), 'tokens trio');
  }
  await assert.rejects(client.chat.completions.create({ model, messages, max_tokens: 4 }), (err) => {
    assert.ok(err instanceof OpenAI.RateLimitError, `expected RateLimitError, got ${err.constructor.name}: ${err.message}`);
    assert.equal(err.status, 429);
    assert.equal(err.code, 'rate_limit_exceeded');
    assert.ok(Number(header(err.headers, 'retry-after')) >= 1, 'Retry-After');
    assert.equal(header(err.headers, 'x-ratelimit-remaining-requests'), '0');
    return true;
  });
  console.log('all checks passed');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
