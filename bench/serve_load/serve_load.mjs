// Load benchmark for a running `ondo serve` (Node 20, no packages): aggregate generated
// tokens/s at 1, 4 and 8 concurrent streams, time to first token, and the time a prefix-cache
// hit saves on a ~1,000-token shared system prompt. Measures only; asserts nothing.
// usage: node bench/serve_load/serve_load.mjs BASE_URL MODEL [--tokens N] [--key KEY] [--cold]
const args = process.argv.slice(2);
const [base, model] = args;
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const maxTokens = Number(opt('--tokens', '64'));
const key = opt('--key', '');
const cold = args.includes('--cold');
if (!base || !model) { console.error('usage: serve_load.mjs BASE_URL MODEL [--tokens N] [--key KEY] [--cold]'); process.exit(2); }
const headers = { 'Content-Type': 'application/json', ...(key ? { Authorization: `Bearer ${key}` } : {}) };

// Streams one chat request; returns {ttft, total, tokens, cached} (seconds, counts).
async function stream(messages, seed) {
  const t0 = performance.now();
  const res = await fetch(`${base}/v1/chat/completions`, {
    method: 'POST', headers,
    body: JSON.stringify({ model, messages, max_tokens: maxTokens, seed, temperature: 0.8, ignore_eos: true,
                           stream: true, stream_options: { include_usage: true } }),
  });
  if (!res.ok) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
  const decoder = new TextDecoder();
  let buf = '', ttft = null, usage = null;
  for await (const part of res.body) {
    buf += decoder.decode(part, { stream: true });
    let end;
    while ((end = buf.indexOf('\n\n')) >= 0) {
      const ev = buf.slice(0, end); buf = buf.slice(end + 2);
      if (!ev.startsWith('data: ') || ev === 'data: [DONE]') continue;
      const chunk = JSON.parse(ev.slice(6));
      if (chunk.usage) usage = chunk.usage;
      if (ttft === null && chunk.choices?.[0]?.delta?.content) ttft = (performance.now() - t0) / 1e3;
    }
  }
  return { ttft, total: (performance.now() - t0) / 1e3, tokens: usage.completion_tokens,
           cached: usage.prompt_tokens_details?.cached_tokens ?? 0, prompt: usage.prompt_tokens };
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

// n streams at once. Warm (the default): each stream's prompt was sent once before, alone, so
// every stream starts from the prefix cache, as the single stream does, and the figure is
// generation throughput. Cold (--cold): prompts never seen before, so the wall time also holds
// their prompt processing.
async function concurrency(n) {
  const tag = cold ? `${Date.now()}-${n}` : '';
  const user = (i) => [{ role: 'user', content: `Story number ${i}${tag}: tell me about a cat.` }];
  if (!cold) for (let i = 0; i < n; ++i) await stream(user(i), 1);
  const t0 = performance.now();
  const runs = await Promise.all(Array.from({ length: n }, (_, i) => stream(user(i), 10 + i)));
  const wall = (performance.now() - t0) / 1e3;
  const tokens = runs.reduce((a, r) => a + r.tokens, 0);
  return { streams: n, tokens, wall_s: wall, tok_per_s: tokens / wall, ttft_median_s: median(runs.map((r) => r.ttft)) };
}

async function prefixCache() {
  const words = 'the cat sat on a warm mat near the old red barn while birds sang'.split(' ');
  const text = (n) => Array.from({ length: n }, (_, i) => words[i % words.length]).join(' ');
  // Size the system prompt to ~1,000 tokens of this model's vocabulary (asked via usage).
  const count = async (s) => {
    const r = await fetch(`${base}/v1/completions`, { method: 'POST', headers,
      body: JSON.stringify({ model, prompt: s, max_tokens: 1 }) });
    return (await r.json()).usage.prompt_tokens;
  };
  let n = 400;
  n = Math.round(n * 1000 / await count(text(n)));
  const system = text(n);
  const msgs = (q) => [{ role: 'system', content: system }, { role: 'user', content: q }];
  const saved = maxTokens;
  const cold = await stream(msgs(`question ${Date.now()}`), 1);  // first sight of the prefix
  const warm = await stream(msgs(`another question ${Date.now()}`), 2);
  return { prompt_tokens: cold.prompt, cold_ttft_s: cold.ttft, cold_cached: cold.cached, warm_ttft_s: warm.ttft,
           warm_cached: warm.cached, saved_s: cold.ttft - warm.ttft, max_tokens: saved };
}

const results = { model, max_tokens: maxTokens, prompts: cold ? 'cold' : 'warm', concurrency: [] };
for (const n of [1, 4, 8]) results.concurrency.push(await concurrency(n));
results.prefix_cache = await prefixCache();
for (const c of results.concurrency) {
  console.log(`${c.streams} stream(s): ${c.tok_per_s.toFixed(1)} tok/s aggregate, TTFT median ${(c.ttft_median_s * 1e3).toFixed(1)} ms`);
}
const p = results.prefix_cache;
console.log(`prefix cache: ${p.prompt_tokens}-token prompt, TTFT cold ${(p.cold_ttft_s * 1e3).toFixed(1)} ms ` +
            `(cached ${p.cold_cached}), warm ${(p.warm_ttft_s * 1e3).toFixed(1)} ms (cached ${p.warm_cached}), ` +
            `saved ${(p.saved_s * 1e3).toFixed(1)} ms`);
console.log(JSON.stringify(results));
