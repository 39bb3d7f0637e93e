// Drives a running `ondo serve` that has guardrail policies, through the official openai npm
// client (called by tests/serve/guardrails_server_test.cpp):
//   node guardrails_client.mjs BASE_URL MODEL KEY
// Prints one JSON object: prompt token counts of a message with an e-mail address (redacted
// by the input policy) and of the same message with the placeholder written out; the error of
// a message carrying a Korean resident registration number; the same number with a wrong
// check digit; a streamed and a blocking answer forced by a grammar to contain an e-mail
// address (redacted on output), and a streamed answer forced to contain an RRN (blocked).
// Each with its request id (x-request-id). Exits 1 on an unexpected failure.
import OpenAI from 'openai';

const [baseURL, model, apiKey] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0 });
const user = (content) => [{ role: 'user', content }];

async function chat(content, extra = {}) {
  const { data, request_id } = await client.chat.completions
    .create({ model, messages: user(content), max_tokens: 1, temperature: 0, ...extra })
    .withResponse();
  return { data, request_id };
}

async function main() {
  const out = {};
  const mail = await chat('Write to bob.kim@example.com please');
  out.mail = { prompt_tokens: mail.data.usage.prompt_tokens, request_id: mail.request_id };
  const placeholder = await chat('Write to [EMAIL] please');
  out.placeholder = { prompt_tokens: placeholder.data.usage.prompt_tokens };

  try {
    await chat('주민번호는 900101-1234568 입니다');
    out.rrn = { status: 200 };
  } catch (err) {
    out.rrn = { status: err.status, code: err.code, param: err.param, message: err.message,
                kind: err.constructor.name, request_id: err.requestID ?? err.request_id ?? null };
  }
  const wrong = await chat('주민번호는 900101-1234567 입니다');
  out.wrong_check_digit = { status: 200, finish: wrong.data.choices[0].finish_reason };

  const forced = 'root ::= "Mail bob@example.com now."';
  const { data: stream, request_id: streamId } = await client.chat.completions
    .create({ model, messages: user('Tell me a story.'), max_tokens: 60, stream: true, grammar: forced })
    .withResponse();
  let text = '';
  const pieces = [];
  for await (const chunk of stream) {
    const piece = chunk.choices[0]?.delta?.content ?? '';
    pieces.push(piece);
    text += piece;
  }
  out.stream = { text, pieces, request_id: streamId };

  const blocking = await chat('Tell me a story.', { max_tokens: 60, grammar: forced });
  out.blocking = { text: blocking.data.choices[0].message.content, request_id: blocking.request_id };

  const rrnOut = 'root ::= "Number 900101-1234568 ok."';
  let t2 = '';
  try {
    const { data: s2 } = await client.chat.completions
      .create({ model, messages: user('Tell me a story.'), max_tokens: 60, stream: true, grammar: rrnOut,
                guardrails: 'output-rrn' })
      .withResponse();
    for await (const chunk of s2) t2 += chunk.choices[0]?.delta?.content ?? '';
    out.stream_block = { ended: 'normally', text: t2 };
  } catch (err) {
    out.stream_block = { ended: 'error', code: err.code, message: err.message, text: t2 };
  }
  console.log(JSON.stringify(out));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
