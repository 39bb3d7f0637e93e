// tool_choice auto with a model whose plain answer is JSON (models/ondo-recipe.gguf), through
// the official openai npm client (called by tests/serve/structured_output_server_test.cpp):
// node tools_auto_text.mjs BASE_URL MODEL. With tools offered, the answer still comes back
// as text (its recipe JSON), blocking and streamed alike. Exits 0 when every check passes.
import assert from 'node:assert/strict';
import OpenAI from 'openai';

const [baseURL, model] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey: 'unused', maxRetries: 0 });

const tools = [{ type: 'function', function: { name: 'get_weather', description: 'Current weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }];
const messages = [{ role: 'user', content: JSON.stringify({ ingredients: ['egg', 'tomato'], except_recipe: [] }) }];
const req = { model, messages, tools, tool_choice: 'auto', temperature: 0, max_tokens: 200 };

const r = await client.chat.completions.create(req);
const choice = r.choices[0];
assert.equal(choice.finish_reason, 'stop', JSON.stringify(choice));
assert.equal(choice.message.tool_calls ?? null, null);
assert.ok(choice.message.content.startsWith('{'), choice.message.content);
assert.ok(JSON.parse(choice.message.content).recipe_name, choice.message.content);

const stream = await client.chat.completions.create({ ...req, stream: true });
let text = '';
let finish = null;
for await (const chunk of stream) {
  const c = chunk.choices[0];
  if (!c) continue;
  assert.equal(c.delta.tool_calls, undefined);
  text += c.delta.content ?? '';
  if (c.finish_reason) finish = c.finish_reason;
}
assert.equal(text, choice.message.content);
assert.equal(finish, 'stop');
console.log('all checks passed');
