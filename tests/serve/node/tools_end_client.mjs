// Tool-call lists that end, through the official openai npm client (called by
// tests/serve/structured_output_server_test.cpp): node tools_end_client.mjs BASE_URL MODEL.
// tool_choice required with parallel calls allowed: every answer ends as a list of 1 to 8
// calls (finish_reason tool_calls) with arguments in json.dumps layout; the same request cut by
// max_tokens after a complete call returns the complete calls (finish_reason length).
// Exits 0 when every check passes.
import assert from 'node:assert/strict';
import OpenAI from 'openai';

const [baseURL, model] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey: 'unused', maxRetries: 0 });

const tools = [
  { type: 'function', function: { name: 'get_weather', description: 'Current weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string', maxLength: 16 }, unit: { enum: ['celsius', 'fahrenheit'] } },
      required: ['city'], additionalProperties: false } } },
  { type: 'function', function: { name: 'set_timer', description: 'Start a kitchen timer',
    parameters: { type: 'object', properties: { minutes: { type: 'number', minimum: 0.5, maximum: 120 },
      label: { type: 'string', maxLength: 12 } }, required: ['minutes'], additionalProperties: false } } },
];
const messages = [{ role: 'user', content: 'Set a 10 minute timer for the pasta and tell me the weather in Seoul.' }];

// The layout the grammar allows (docs/api.md "Structured output"): outside string literals, no
// whitespace but at most one space right after ':' or ','.
function spaced(json) {
  return !/\s/.test(json.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/([:,]) (?=\S)/g, '$1'));
}

function checkCalls(calls) {
  for (const c of calls) {
    const args = JSON.parse(c.function.arguments);
    assert.ok(spaced(c.function.arguments), `arguments in json.dumps layout: ${c.function.arguments}`);
    if (c.function.name === 'set_timer') assert.ok(args.minutes >= 0.5 && args.minutes <= 120, `minutes ${args.minutes}`);
  }
}

async function main() {
  let cuts = 0;
  for (let seed = 1; seed <= 4; seed++) {
    const full = await client.chat.completions.create({ model, messages, tools, tool_choice: 'required', seed });  // max_tokens: the rest of the context
    const choice = full.choices[0];
    assert.equal(choice.finish_reason, 'tool_calls', `seed ${seed}: ${JSON.stringify(choice)}`);
    const calls = choice.message.tool_calls;
    assert.ok(calls.length >= 1 && calls.length <= 8, `${calls.length} calls`);
    checkCalls(calls);
    const total = full.usage.completion_tokens;
    for (let k = 1; k <= 6 && k < total; k++) {
      const cut = await client.chat.completions.create({ model, messages, tools, tool_choice: 'required', seed, max_tokens: total - k });
      const c = cut.choices[0];
      assert.equal(c.finish_reason, 'length');
      if (!c.message.tool_calls) continue;
      assert.equal(c.message.content, null);
      assert.ok(c.message.tool_calls.length <= calls.length);
      c.message.tool_calls.forEach((call, i) => {
        assert.equal(call.function.name, calls[i].function.name);
        assert.equal(call.function.arguments, calls[i].function.arguments);
      });
      cuts++;
    }
  }
  assert.ok(cuts >= 1, 'a list cut by max_tokens returned its complete calls');
  console.log('all checks passed');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
