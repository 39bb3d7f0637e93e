// LangChain's ChatOpenAI with useResponsesApi against ondo (called by
// tests/serve/responses_server_test.cpp): node langchain_responses.mjs BASE_URL MODEL.
// invoke and stream (greedy, so the streamed text equals the invoked one, with usage), then a
// bound tool: the forced call comes back as tool_calls, and the call with its ToolMessage
// goes back (LangChain resends our own output items as input). Exits 0 when every check passes.
import assert from 'node:assert/strict';
import { ChatOpenAI } from '@langchain/openai';
import { HumanMessage, ToolMessage } from '@langchain/core/messages';

const [baseURL, model] = process.argv.slice(2);
const chat = new ChatOpenAI({ model, apiKey: 'x', useResponsesApi: true, configuration: { baseURL }, maxRetries: 0,
  temperature: 0, maxTokens: 20 });

const weather = { type: 'function', function: { name: 'get_weather', description: 'Current weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string', maxLength: 16 } }, required: ['city'],
    additionalProperties: false } } };

async function main() {
  const question = 'Tell me a story.';
  const answer = await chat.invoke(question);
  assert.equal(typeof answer.text, 'string');
  assert.ok(answer.text.length > 0, 'some text');
  assert.match(answer.id, /^(resp|msg)_/);
  assert.ok(answer.usage_metadata.input_tokens > 0);
  assert.ok(answer.usage_metadata.output_tokens >= 1 && answer.usage_metadata.output_tokens <= 20);
  assert.equal(answer.usage_metadata.total_tokens, answer.usage_metadata.input_tokens + answer.usage_metadata.output_tokens);

  let streamed = '';
  let last = null;
  let chunks = 0;
  for await (const chunk of await chat.stream(question)) {
    streamed += chunk.text;
    last = last ? last.concat(chunk) : chunk;
    chunks++;
  }
  assert.ok(chunks > 2, 'streamed in pieces');
  assert.equal(streamed, answer.text, 'greedy: the stream says what invoke said');
  assert.equal(last.usage_metadata.output_tokens, answer.usage_metadata.output_tokens);

  const ask = new HumanMessage('What is the weather in Paris?');
  const called = await new ChatOpenAI({ model, apiKey: 'x', useResponsesApi: true, configuration: { baseURL }, maxRetries: 0,
    temperature: 0, maxTokens: 200 }).bindTools([weather], { tool_choice: 'get_weather' }).invoke([ask]);
  assert.equal(called.tool_calls.length >= 1, true, JSON.stringify(called));
  const call = called.tool_calls[0];
  assert.equal(call.name, 'get_weather');
  assert.equal(typeof call.args.city, 'string');
  assert.ok(call.id, 'a call id');

  // streamed, the same call assembles from argument deltas
  let gathered = null;
  for await (const chunk of await new ChatOpenAI({ model, apiKey: 'x', useResponsesApi: true, configuration: { baseURL },
    maxRetries: 0, temperature: 0, maxTokens: 200 }).bindTools([weather], { tool_choice: 'get_weather' }).stream([ask])) {
    gathered = gathered ? gathered.concat(chunk) : chunk;
  }
  assert.equal(gathered.tool_calls[0].name, 'get_weather');
  assert.deepEqual(gathered.tool_calls[0].args, call.args);

  // the round trip: LangChain resends the response's output items, then the tool result
  assert.equal(called.response_metadata.output[0].type, 'function_call', 'our output items go back as input');
  const result = new ToolMessage({ tool_call_id: call.id, content: '{"temperature": 21}' });
  const after = await chat.bindTools([weather], { tool_choice: 'none' }).invoke([ask, called, result]);
  assert.equal(typeof after.text, 'string');
  assert.equal(after.tool_calls.length, 0);
  console.log('all checks passed');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
