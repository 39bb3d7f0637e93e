// Drives a running `ondo serve` with the official openai npm client (called by
// tests/serve/openai_server_test.cpp): node openai_client.mjs BASE_URL MODEL.
// Exits 0 when every check passes; prints the failing check otherwise.
import assert from 'node:assert/strict';
import OpenAI from 'openai';

const [baseURL, model] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey: 'unused', maxRetries: 0 });
const messages = [{ role: 'user', content: 'Tell me a story.' }];

async function main() {
  const models = await client.models.list();
  assert.ok(models.data.some((m) => m.id === model), 'models.list has the model');

  const chat = await client.chat.completions.create({ model, messages, max_tokens: 12, seed: 7, temperature: 0.8 });
  assert.equal(chat.object, 'chat.completion');
  assert.equal(chat.choices[0].message.role, 'assistant');
  assert.equal(typeof chat.choices[0].message.content, 'string');
  assert.ok(['stop', 'length'].includes(chat.choices[0].finish_reason));
  assert.equal(chat.usage.total_tokens, chat.usage.prompt_tokens + chat.usage.completion_tokens);
  assert.ok(chat.usage.completion_tokens >= 1 && chat.usage.completion_tokens <= 12);

  const stream = await client.chat.completions.create({
    model, messages, max_tokens: 12, seed: 7, temperature: 0.8, stream: true, stream_options: { include_usage: true },
  });
  let text = '';
  let finish = null;
  let usage = null;
  for await (const chunk of stream) {
    assert.equal(chunk.object, 'chat.completion.chunk');
    if (chunk.choices.length > 0) {
      text += chunk.choices[0].delta.content ?? '';
      if (chunk.choices[0].finish_reason) finish = chunk.choices[0].finish_reason;
    } else {
      usage = chunk.usage;
    }
  }
  assert.equal(text, chat.choices[0].message.content, 'streamed text equals the non-streamed text (same seed)');
  assert.equal(finish, chat.choices[0].finish_reason);
  assert.deepEqual(usage.completion_tokens, chat.usage.completion_tokens);

  const lp = await client.chat.completions.create({ model, messages, max_tokens: 4, logprobs: true, top_logprobs: 2 });
  const content = lp.choices[0].logprobs.content;
  assert.ok(content.length >= 1);
  assert.ok(content[0].logprob <= 0 && Array.isArray(content[0].bytes) && content[0].top_logprobs.length === 2);

  const cmpl = await client.completions.create({ model, prompt: 'Once upon a time', max_tokens: 8, seed: 1, logprobs: 1 });
  assert.equal(cmpl.object, 'text_completion');
  assert.equal(typeof cmpl.choices[0].text, 'string');
  assert.equal(cmpl.choices[0].logprobs.tokens.length, cmpl.usage.completion_tokens);

  await assert.rejects(client.chat.completions.create({ model: 'no-such-model', messages }), (e) => {
    assert.ok(e instanceof OpenAI.NotFoundError, `NotFoundError, got ${e}`);
    assert.equal(e.code, 'model_not_found');
    return true;
  });
  await assert.rejects(client.chat.completions.create({ model, messages, n: 17 }), (e) => {
    assert.ok(e instanceof OpenAI.BadRequestError, `BadRequestError, got ${e}`);
    assert.equal(e.param, 'n');
    return true;
  });
  await assert.rejects(client.chat.completions.create({ model, messages, temperature: 5 }), (e) => {
    assert.equal(e.status, 400);
    assert.equal(e.param, 'temperature');
    return true;
  });
  console.log('openai client: all checks passed');
}

main().catch((e) => {
  console.error(`openai client: FAILED: ${e.stack ?? e}`);
  process.exit(1);
});
