// Playground: streaming chat on /v1/chat/completions with a model picker, sampling parameters,
// system prompt, JSON-schema mode with live validation, token counts and tokens/s, and the
// same request as curl / Python / JavaScript.
import { useState, useRef } from 'preact/hooks';
import { get, streamEvents } from '../api';
import { checkOutput } from '../schema';
import { ErrorNote, PageProps, useLoad } from '../ui';

interface Msg {
  role: 'user' | 'assistant';
  content: string;
}
interface Stats {
  prompt?: number;
  completion?: number;
  tps?: number;
  ttftMs?: number;
  finish?: string;
}

const exampleSchema = `{
  "type": "object",
  "properties": {
    "name": {"type": "string"},
    "count": {"type": "integer", "minimum": 0}
  },
  "required": ["name", "count"]
}`;

export function buildSnippets(body: any): Record<string, string> {
  const json = JSON.stringify(body, null, 2);
  const origin = location.origin;
  const { model, messages, ...rest } = body;
  const py = Object.entries(rest)
    .filter(([k]) => k !== 'stream')
    .map(([k, v]) => `    ${k}=${JSON.stringify(v).replace(/\btrue\b/g, 'True').replace(/\bfalse\b/g, 'False').replace(/\bnull\b/g, 'None')},\n`)
    .join('');
  return {
    curl: `curl ${origin}/v1/chat/completions \\\n  -H "Authorization: Bearer $ONDO_API_KEY" \\\n  -H "Content-Type: application/json" \\\n  -d '${json.replace(/'/g, "'\\''")}'`,
    Python: `import os\nfrom openai import OpenAI\n\nclient = OpenAI(base_url="${origin}/v1", api_key=os.environ["ONDO_API_KEY"])\nstream = client.chat.completions.create(\n    model=${JSON.stringify(model)},\n    messages=${JSON.stringify(messages)},\n${py}    stream=True,\n)\nfor chunk in stream:\n    if chunk.choices:\n        print(chunk.choices[0].delta.content or "", end="")`,
    JavaScript: `import OpenAI from 'openai';\n\nconst client = new OpenAI({ baseURL: '${origin}/v1', apiKey: process.env.ONDO_API_KEY });\nconst stream = await client.chat.completions.create(${json});\nfor await (const chunk of stream) process.stdout.write(chunk.choices[0]?.delta?.content ?? '');`,
  };
}

export function Playground(_: PageProps) {
  const models = useLoad(() => get<{ data: { id: string }[] }>('/v1/models'));
  const [model, setModel] = useState('');
  const [system, setSystem] = useState('');
  const [input, setInput] = useState('');
  const [history, setHistory] = useState<Msg[]>([]);
  const [out, setOut] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const [stats, setStats] = useState<Stats>({});
  const [temperature, setTemperature] = useState('0.8');
  const [topP, setTopP] = useState('1');
  const [topK, setTopK] = useState('0');
  const [maxTokens, setMaxTokens] = useState('64');
  const [seed, setSeed] = useState('');
  const [jsonMode, setJsonMode] = useState(false);
  const [schemaText, setSchemaText] = useState(exampleSchema);
  const [snippet, setSnippet] = useState<string | null>(null);
  const abort = useRef<AbortController | null>(null);

  const modelIds = models.data?.data.map((m) => m.id) ?? [];
  const chosen = model || modelIds[0] || '';
  let schema: any = null;
  let schemaError = '';
  if (jsonMode) {
    try {
      schema = JSON.parse(schemaText);
    } catch (e) {
      schemaError = `schema: ${(e as Error).message}`;
    }
  }

  function body(messages: Msg[]) {
    const b: any = {
      model: chosen,
      messages: [...(system ? [{ role: 'system', content: system }] : []), ...messages],
      stream: true,
      stream_options: { include_usage: true },
      temperature: Number(temperature),
      top_p: Number(topP),
      max_tokens: Number(maxTokens),
    };
    if (Number(topK) > 0) b.top_k = Number(topK);
    if (seed !== '') b.seed = Number(seed);
    if (jsonMode && schema) b.response_format = { type: 'json_schema', json_schema: { name: 'output', schema, strict: true } };
    return b;
  }

  async function send(e: Event) {
    e.preventDefault();
    if (!input.trim() || busy || schemaError) return;
    const messages: Msg[] = [...history, { role: 'user', content: input }];
    setHistory(messages);
    setInput('');
    setOut('');
    setError(null);
    setBusy(true);
    const start = performance.now();
    let first = 0;
    let pieces = 0;
    let text = '';
    const st: Stats = {};
    abort.current = new AbortController();
    try {
      await streamEvents('/v1/chat/completions', body(messages), (chunk) => {
        const delta = chunk.choices?.[0]?.delta?.content;
        if (delta) {
          if (!first) first = performance.now();
          pieces++;
          text += delta;
          setOut(text);
          const secs = (performance.now() - first) / 1000;
          setStats({ ...st, completion: pieces, ttftMs: first - start, tps: secs > 0 ? pieces / secs : undefined });
        }
        if (chunk.choices?.[0]?.finish_reason) st.finish = chunk.choices[0].finish_reason;
        if (chunk.usage) {
          st.prompt = chunk.usage.prompt_tokens;
          st.completion = chunk.usage.completion_tokens;
        }
      }, abort.current.signal);
      const secs = first ? (performance.now() - first) / 1000 : 0;
      const n = st.completion ?? pieces;
      setStats({ ...st, completion: n, ttftMs: first ? first - start : undefined, tps: secs > 0 && n > 1 ? (n - 1) / secs : undefined });
      setHistory([...messages, { role: 'assistant', content: text }]);
      setOut('');
    } catch (err) {
      if ((err as Error).name !== 'AbortError') setError(err as Error);
      if (text) setHistory([...messages, { role: 'assistant', content: text }]);
    } finally {
      setBusy(false);
      abort.current = null;
    }
  }

  const lastAnswer = out || (history.length && history[history.length - 1].role === 'assistant' ? history[history.length - 1].content : '');
  const check = jsonMode && schema ? checkOutput(schema, lastAnswer) : null;
  const snippets = buildSnippets(body([...history, ...(input ? [{ role: 'user' as const, content: input }] : [])]));

  return (
    <div class="playground">
      <form class="card controls" onSubmit={(e) => e.preventDefault()} aria-label="Request settings">
        <h2>Settings</h2>
        <label>
          Model
          <select value={chosen} onChange={(e) => setModel(e.currentTarget.value)}>
            {modelIds.map((id) => <option value={id}>{id}</option>)}
          </select>
        </label>
        <ErrorNote error={models.error} />
        <label>
          System prompt
          <textarea rows={3} value={system} onInput={(e) => setSystem(e.currentTarget.value)} placeholder="You are a helpful assistant." />
        </label>
        <div class="grid2">
          <label>temperature<input type="number" step="0.1" min="0" max="2" value={temperature} onInput={(e) => setTemperature(e.currentTarget.value)} /></label>
          <label>top_p<input type="number" step="0.05" min="0" max="1" value={topP} onInput={(e) => setTopP(e.currentTarget.value)} /></label>
          <label>top_k<input type="number" min="0" value={topK} onInput={(e) => setTopK(e.currentTarget.value)} /></label>
          <label>max_tokens<input type="number" min="1" value={maxTokens} onInput={(e) => setMaxTokens(e.currentTarget.value)} /></label>
          <label>seed<input type="number" value={seed} placeholder="random" onInput={(e) => setSeed(e.currentTarget.value)} /></label>
        </div>
        <label class="check">
          <input type="checkbox" checked={jsonMode} onChange={(e) => setJsonMode(e.currentTarget.checked)} /> JSON schema mode
        </label>
        {jsonMode && (
          <label>
            Schema
            <textarea rows={8} class="mono" value={schemaText} onInput={(e) => setSchemaText(e.currentTarget.value)} />
          </label>
        )}
        {schemaError && <p class="error">{schemaError}</p>}
      </form>

      <section class="card chat" aria-label="Chat">
        <div class="card-head">
          <h2>Chat</h2>
          <div class="row">
            {(['curl', 'Python', 'JavaScript'] as const).map((k) => (
              <button type="button" class="ghost" onClick={() => { setSnippet(k); navigator.clipboard?.writeText(snippets[k]).catch(() => undefined); }}>
                Copy as {k}
              </button>
            ))}
            <button type="button" class="ghost" onClick={() => { setHistory([]); setOut(''); setStats({}); }}>Clear</button>
          </div>
        </div>
        {snippet && (
          <div class="snippet">
            <div class="row"><strong>{snippet}</strong> <span class="muted">(copied to the clipboard)</span>
              <button type="button" class="ghost" onClick={() => setSnippet(null)}>Close</button></div>
            <pre class="mono" data-testid="snippet">{snippets[snippet]}</pre>
          </div>
        )}
        <ol class="messages" aria-live="polite">
          {history.map((m) => (
            <li class={`msg ${m.role}`}><span class="role">{m.role}</span><div class="content">{m.content}</div></li>
          ))}
          {busy && (
            <li class="msg assistant streaming"><span class="role">assistant</span><div class="content" data-testid="streaming">{out}<span class="cursor">▍</span></div></li>
          )}
        </ol>
        <p class="stats" data-testid="stats">
          prompt {stats.prompt ?? '–'} · completion {stats.completion ?? '–'} tokens · {stats.tps ? `${stats.tps.toFixed(1)} tokens/s` : '– tokens/s'}
          {stats.ttftMs !== undefined && ` · first token ${stats.ttftMs.toFixed(0)} ms`}
          {stats.finish && ` · finish ${stats.finish}`}
        </p>
        {check && check.state !== 'empty' && (
          <p class={`schema-state ${check.state}`} data-testid="schema-state">
            {check.state === 'valid' && '✓ output matches the schema'}
            {check.state === 'incomplete' && '… JSON not complete yet'}
            {check.state === 'invalid' && `✗ ${check.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`}
          </p>
        )}
        <ErrorNote error={error} />
        <form class="composer" onSubmit={send}>
          <label class="sr-only" for="chat-input">Message</label>
          <textarea id="chat-input" rows={3} value={input} placeholder="Message (Ctrl+Enter sends)"
            onInput={(e) => setInput(e.currentTarget.value)}
            onKeyDown={(e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) send(e); }} />
          {busy ? (
            <button type="button" onClick={() => abort.current?.abort()}>Stop</button>
          ) : (
            <button type="submit" disabled={!chosen || !input.trim()}>Send</button>
          )}
        </form>
      </section>
    </div>
  );
}
