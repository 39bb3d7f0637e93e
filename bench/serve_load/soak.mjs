// Soak for a running `ondo serve` (Node 20, no packages): N streaming clients send chat
// requests back to back for a fixed time, each with a prompt it has never sent before, so the
// prefix cache fills and then evicts (prompts of 8-15 sentences, past the cache's 32-token
// blocks; `ignore_eos`, so every request generates --tokens); the server's resident memory is sampled from /proc
// every few seconds. Measures only; asserts nothing. Bounded: it stops by itself.
// usage: node bench/serve_load/soak.mjs BASE_URL MODEL SERVER_PID [--clients 16] [--seconds 180]
//        [--tokens 32] [--key KEY]
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const [base, model, pidArg] = args;
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const clients = Number(opt('--clients', '16'));
const seconds = Number(opt('--seconds', '180'));
const maxTokens = Number(opt('--tokens', '32'));
const key = opt('--key', '');
if (!base || !model || !pidArg) {
  console.error('usage: soak.mjs BASE_URL MODEL SERVER_PID [--clients N] [--seconds S] [--tokens N] [--key KEY]');
  process.exit(2);
}
const headers = { 'Content-Type': 'application/json', ...(key ? { Authorization: `Bearer ${key}` } : {}) };

// Resident set size of the server in MB (VmRSS of /proc/PID/status).
function rssMb() {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pidArg}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

// One streamed request read to its end; returns the completion tokens, or throws.
async function stream(content, seed) {
  const res = await fetch(`${base}/v1/chat/completions`, {
    method: 'POST', headers,
    body: JSON.stringify({ model, messages: [{ role: 'user', content }], max_tokens: maxTokens, seed,
                           temperature: 0.8, ignore_eos: true, stream: true, stream_options: { include_usage: true } }),
  });
  if (!res.ok) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
  const decoder = new TextDecoder();
  let buf = '', tokens = 0;
  for await (const part of res.body) {
    buf += decoder.decode(part, { stream: true });
    let end;
    while ((end = buf.indexOf('\n\n')) >= 0) {
      const ev = buf.slice(0, end); buf = buf.slice(end + 2);
      if (!ev.startsWith('data: ') || ev === 'data: [DONE]') continue;
      const chunk = JSON.parse(ev.slice(6));
      if (chunk.usage) tokens = chunk.usage.completion_tokens;
    }
  }
  return tokens;
}

const deadline = performance.now() + seconds * 1e3;
let requests = 0, tokens = 0, errors = 0;
const samples = [];
const t0 = performance.now();
const sampler = setInterval(() => {
  samples.push({ t_s: Math.round((performance.now() - t0) / 1e3), rss_mb: Math.round(rssMb()), requests, tokens });
}, 10000);
samples.push({ t_s: 0, rss_mb: Math.round(rssMb()), requests: 0, tokens: 0 });

async function client(c) {
  for (let i = 0; performance.now() < deadline; ++i) {
    try {
      const n = await stream(`client ${c} request ${i}: ${'tell me a story about a cat and a fridge. '.repeat(8 + (i % 8))}`, i);
      tokens += n;  // not `tokens += await ...`: that reads `tokens` before the await
      ++requests;
    } catch (e) {
      ++errors;
      if (errors < 5) console.error(String(e));
    }
  }
}

await Promise.all(Array.from({ length: clients }, (_, c) => client(c)));
clearInterval(sampler);
samples.push({ t_s: Math.round((performance.now() - t0) / 1e3), rss_mb: Math.round(rssMb()), requests, tokens });
console.log(JSON.stringify({ model, clients, seconds, max_tokens: maxTokens, requests, tokens, errors, samples }, null, 1));
