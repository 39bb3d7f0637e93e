// Drives the prompt registry of a running `ondo serve` through the official openai npm client
// (called by tests/serve/prompt_server_test.cpp):
//   node prompt_client.mjs BASE_URL MODEL ADMIN_KEY USER_KEY
// With the admin key: creates a prompt, two versions, and moves the production label. With
// the user key: chats with the `prompt` extension field (passed through as an unknown body
// field), checks x-ondo-prompt, that the rendered prompt is what the model saw, the weighted
// split and its stickiness, and the 400s / 404s / 403s. Exits 0 when every check passes.
import assert from 'node:assert/strict';
import OpenAI from 'openai';

const [baseURL, model, adminKey, userKey] = process.argv.slice(2);
const admin = new OpenAI({ baseURL, apiKey: adminKey, maxRetries: 0 });
const user = new OpenAI({ baseURL, apiKey: userKey, maxRetries: 0 });

const v1 = {
  system: 'You are {{ persona }}.',
  messages: [{ role: 'user', content: 'Say hello to {{ name }}{% if times > 1 %} {{ times }} times{% endif %}.' }],
  variables: { name: 'string', persona: { type: 'string', default: 'a storyteller' }, times: { type: 'integer', default: 1 } },
  params: { max_tokens: 6, temperature: 0 },
  note: 'first',
};
const v2 = { ...v1, system: 'Once upon a time {{ persona }} met {{ name }}.', note: 'second' };

async function chat(prompt, extra = {}) {
  const { data, response } = await user.chat.completions
    .create({ model, messages: [], prompt, ...extra })
    .withResponse();
  return { data, served: response.headers.get('x-ondo-prompt') };
}

async function rejects(promise, Kind, status, text) {
  await assert.rejects(promise, (err) => {
    assert.ok(err instanceof Kind, `expected ${Kind.name}, got ${err.constructor.name}: ${err.message}`);
    assert.equal(err.status, status);
    assert.ok(err.message.includes(text), `message '${err.message}' lacks '${text}'`);
    return true;
  });
}

async function main() {
  const created = await admin.post('/prompts', { body: { name: 'greet', description: 'hello' } });
  assert.equal(created.name, 'greet');
  assert.equal((await admin.post('/prompts/greet/versions', { body: v1 })).version, 1);
  assert.equal((await admin.post('/prompts/greet/versions', { body: v2 })).version, 2);
  const label = await admin.put('/prompts/greet/labels/production', { body: { version: 1 } });
  assert.deepEqual(label.versions, [{ version: 1, weight: 1 }]);

  // production -> v1; the model saw exactly the rendered messages.
  const first = await chat({ name: 'greet', variables: { name: 'Ana' } });
  assert.equal(first.served, 'greet@1');
  const rendered = await user.post('/prompts/render', { body: { name: 'greet', variables: { name: 'Ana' } } });
  assert.equal(rendered.ref, 'greet@1');
  assert.equal(rendered.messages[0].content, 'You are a storyteller.');
  assert.equal(rendered.messages[1].content, 'Say hello to Ana.');
  const plain = await user.chat.completions.create({ model, messages: rendered.messages, max_tokens: 6, temperature: 0 });
  assert.equal(first.data.usage.prompt_tokens, plain.usage.prompt_tokens);
  assert.equal(first.data.choices[0].message.content, plain.choices[0].message.content);
  assert.equal(first.data.usage.completion_tokens <= 6, true);  // the version's max_tokens applied

  // Move the label: v2 serves; an explicit version still gets v1; the request's own messages follow.
  await admin.post('/prompts/greet/labels/production', { body: { version: 2 } });
  assert.equal((await chat({ name: 'greet', variables: { name: 'Ana', times: 2 } })).served, 'greet@2');
  const pinned = await chat({ name: 'greet', version: 1, variables: { name: 'Bo' } },
    { messages: [{ role: 'user', content: 'And then?' }] });
  assert.equal(pinned.served, 'greet@1');
  assert.ok(pinned.data.usage.prompt_tokens > first.data.usage.prompt_tokens);

  // Streaming carries the header too.
  const { data: stream, response } = await user.chat.completions
    .create({ model, messages: [], stream: true, prompt: { name: 'greet', variables: { name: 'Cy' } } })
    .withResponse();
  assert.equal(response.headers.get('x-ondo-prompt'), 'greet@2');
  for await (const chunk of stream) assert.equal(chunk.object, 'chat.completion.chunk');

  // A weighted split: deterministic and sticky per user, both versions served.
  await admin.put('/prompts/greet/labels/canary', { body: { versions: [{ version: 1, weight: 1 }, { version: 2, weight: 1 }] } });
  const seen = new Set();
  for (let i = 0; i < 12; i += 1) {
    const a = await chat({ name: 'greet', label: 'canary', variables: { name: 'D' } }, { user: `u${i}`, max_tokens: 1 });
    const b = await chat({ name: 'greet', label: 'canary', variables: { name: 'D' } }, { user: `u${i}`, max_tokens: 1 });
    assert.equal(a.served, b.served, `user u${i} was not sticky`);
    seen.add(a.served);
  }
  assert.deepEqual([...seen].sort(), ['greet@1', 'greet@2']);

  // Errors name what is wrong.
  await rejects(chat({ name: 'greet', variables: {} }), OpenAI.BadRequestError, 400, 'prompt.variables.name: missing');
  await rejects(chat({ name: 'greet', variables: { name: 'A', times: 'two' } }), OpenAI.BadRequestError, 400,
    'prompt.variables.times: expected integer (seen string)');
  await rejects(chat({ name: 'nope', variables: {} }), OpenAI.NotFoundError, 404, "prompt 'nope' not found");
  await rejects(chat({ name: 'greet', label: 'qa', variables: { name: 'A' } }), OpenAI.NotFoundError, 404, "no label 'qa'");
  await rejects(chat({ name: 'greet', version: 9, variables: { name: 'A' } }), OpenAI.NotFoundError, 404, 'no version 9');
  await rejects(user.post('/prompts', { body: { name: 'x' } }), OpenAI.PermissionDeniedError, 403, 'admin');

  // Reads with any key; the diff names the changed line.
  const listed = await user.get('/prompts');
  assert.equal(listed.data[0].latest_version, 2);
  assert.deepEqual(listed.data[0].labels.production, [{ version: 2, weight: 1 }]);
  const diff = await user.get('/prompts/greet/diff', { query: { from: 1, to: 2 } });
  assert.ok(diff.diff.includes('-     You are {{ persona }}.'), diff.diff);
  assert.ok(diff.diff.includes('+     Once upon a time {{ persona }} met {{ name }}.'), diff.diff);
  const v = await user.get('/prompts/greet/versions/1');
  assert.equal(v.note, 'first');
  console.log('all checks passed');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
