// Playground: streaming chat on /v1/chat/completions with a model and adapter picker (llama-server's
// `lora` field), sampling parameters, system prompt, JSON-schema mode with live validation, tools
// (calls shown as cards, answered with tool messages), a prompt of the registry with its
// variables, token counts and tokens/s, and the same request as curl / Python / JavaScript.
import { useState, useRef } from 'preact/hooks';
import { get, streamEvents } from '../api';
import { checkOutput } from '../schema';
import { ErrorNote, PageProps, useLoad } from '../ui';
import { addToolDeltas, CallCard, checkTools, exampleTools, ToolCall, toolChoiceValue, ToolResults, ToolsEditor } from './playground_tools';
import { usePromptPick } from './playground_prompt';

interface Msg {
  role: 'user' | 'assistant' | 'tool';
  content: string | null;
  tool_calls?: ToolCall[];
  tool_call_id?: string;
}
interface ModelEntry {
  id: string;
  parent?: string;  // adapters (and fine-tuned models) name their base model
}
interface Stats {
  prompt?: number;
  completion?: number;
  tps?: number;
  ttftMs?: number;
  finish?: string;
  promptRef?: string;  // x-ondo-prompt: the registry prompt@version that served
}

// Body fields the openai Python client takes as keyword arguments; the others go in extra_body.
const pythonKwargs = new Set(['temperature', 'top_p', 'max_tokens', 'seed', 'response_format', 'tools', 'tool_choice', 'stream_options', 'parallel_tool_calls']);

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
  const pyValue = (v: unknown) => JSON.stringify(v).replace(/\btrue\b/g, 'True').replace(/\bfalse\b/g, 'False').replace(/\bnull\b/g, 'None');
  const entries = Object.entries(rest).filter(([k]) => k !== 'stream');
  const extra = Object.fromEntries(entries.filter(([k]) => !pythonKwargs.has(k)));
  const py = entries
    .filter(([k]) => pythonKwargs.has(k))
    .map(([k, v]) => `    ${k}=${pyValue(v)},\n`)
    .join('') + (Object.keys(extra).length ? `    extra_body=${pyValue(extra)},\n` : '');
  return {
    curl: `curl ${origin}/v1/chat/completions \\\n  -H "Authorization: Bearer $ONDO_API_KEY" \\\n  -H "Content-Type: application/json" \\\n  -d '${json.replace(/'/g, "'\\''")}'`,
    Python: `import os\nfrom openai import OpenAI\n\nclient = OpenAI(base_url="${origin}/v1", api_key=os.environ["ONDO_API_KEY"])\nstream = client.chat.completions.create(\n    model=${JSON.stringify(model)},\n    messages=${pyValue(messages)},\n${py}    stream=True,\n)\nfor chunk in stream:\n    if chunk.choices:\n        print(chunk.choices[0].delta.content or "", end="")`,
    JavaScript: `import OpenAI from 'openai';\n\nconst client = new OpenAI({ baseURL: '${origin}/v1', apiKey: process.env.ONDO_API_KEY });\nconst stream = await client.chat.completions.create(${json});\nfor await (const chunk of stream) process.stdout.write(chunk.choices[0]?.delta?.content ?? '');`,
  };
}

export function Playground(_: PageProps) {
  const models = useLoad(() => get<{ data: ModelEntry[] }>('/v1/models'));
  const [model, setModel] = useState('');
  const [adapter, setAdapter] = useState('');
  const [adapterScale, setAdapterScale] = useState('1');
  const [toolsOn, setToolsOn] = useState(false);
  const [toolsText, setToolsText] = useState(exampleTools);
  const [toolChoice, setToolChoice] = useState('auto');
  const prompt = usePromptPick();
  const [system, setSystem] = useState('');
  const [input, setInput] = useState('');
  const [history, setHistory] = useState<Msg[]>([]);
  const [out, setOut] = useState('');
  const [streamCalls, setStreamCalls] = useState<ToolCall[]>([]);
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

  const entries = models.data?.data ?? [];
  const modelIds = entries.map((m) => m.id);
  const chosen = model || modelIds[0] || '';
  // Adapters that can go on the chosen model: those of its base (an adapter's own base).
  const base = entries.find((m) => m.id === chosen)?.parent ?? chosen;
  const adapters = entries.filter((m) => m.parent === base && m.id !== chosen);
  const adapterOn = adapters.some((a) => a.id === adapter) ? adapter : '';
  const tools = checkTools(toolsText);
  const toolsError = toolsOn ? tools.error : '';
  const choiceOk = !toolChoice.startsWith('fn:') || tools.names.includes(toolChoice.slice(3));
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
    if (toolsOn && tools.tools) {
      b.tools = tools.tools;
      b.tool_choice = toolChoiceValue(choiceOk ? toolChoice : 'auto');
    }
    if (adapterOn) b.lora = [{ name: adapterOn, scale: Number(adapterScale) }];
    if (prompt.field) b.prompt = prompt.field;
    return b;
  }

  const blocked = busy || !!schemaError || !!toolsError || !!prompt.problem;

  async function send(e: Event) {
    e.preventDefault();
    if (blocked || (!input.trim() && !prompt.field)) return;
    const messages: Msg[] = input.trim() ? [...history, { role: 'user', content: input }] : history;
    setInput('');
    await run(messages);
  }

  async function sendResults(calls: ToolCall[], results: string[]) {
    if (blocked) return;
    await run([...history, ...calls.map((c, i): Msg => ({ role: 'tool', tool_call_id: c.id, content: results[i] }))]);
  }

  async function run(messages: Msg[]) {
    setHistory(messages);
    setOut('');
    setError(null);
    setBusy(true);
    const start = performance.now();
    let first = 0;
    let pieces = 0;
    let text = '';
    const calls: ToolCall[] = [];
    const st: Stats = {};
    const answer = (): Msg => (calls.length ? { role: 'assistant', content: text || null, tool_calls: calls } : { role: 'assistant', content: text });
    abort.current = new AbortController();
    try {
      await streamEvents('/v1/chat/completions', body(messages), (chunk) => {
        const delta = chunk.choices?.[0]?.delta?.content;
        const callDeltas = chunk.choices?.[0]?.delta?.tool_calls;
        if (callDeltas) {
          if (!first) first = performance.now();
          pieces++;
          addToolDeltas(calls, callDeltas);
          setStreamCalls(calls.map((c) => ({ ...c, function: { ...c.function } })));
        }
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
      }, abort.current.signal, (headers) => { st.promptRef = headers.get('x-ondo-prompt') ?? undefined; });
      const secs = first ? (performance.now() - first) / 1000 : 0;
      const n = st.completion ?? pieces;
      setStats({ ...st, completion: n, ttftMs: first ? first - start : undefined, tps: secs > 0 && n > 1 ? (n - 1) / secs : undefined });
      setHistory([...messages, answer()]);
      setOut('');
    } catch (err) {
      if ((err as Error).name !== 'AbortError') setError(err as Error);
      if (text || calls.length) setHistory([...messages, answer()]);
    } finally {
      setBusy(false);
      setStreamCalls([]);
      abort.current = null;
    }
  }

  const last = history.length ? history[history.length - 1] : null;
  const lastAnswer = out || (last?.role === 'assistant' ? last.content ?? '' : '');
  const pendingCalls = !busy && last?.role === 'assistant' && last.tool_calls?.length ? last.tool_calls : null;
  const check = jsonMode && schema ? checkOutput(schema, lastAnswer) : null;
  const snippets = buildSnippets(body([...history, ...(input ? [{ role: 'user' as const, content: input }] : [])]));

  return (
    <div class="playground">
      <form class="card controls" onSubmit={(e) => e.preventDefault()} aria-label="Request settings">
        <h2>Settings</h2>
        <label>
          Model
          <select value={chosen} onChange={(e) => setModel(e.currentTarget.value)}>
            <optgroup label="Models">
              {entries.filter((m) => !m.parent).map((m) => <option value={m.id}>{m.id}</option>)}
            </optgroup>
            {entries.some((m) => m.parent) && (
              <optgroup label="Adapters and fine-tuned models">
                {entries.filter((m) => m.parent).map((m) => <option value={m.id}>{m.id} (on {m.parent})</option>)}
              </optgroup>
            )}
          </select>
        </label>
        <ErrorNote error={models.error} />
        {adapters.length > 0 && (
          <div class="grid2">
            <label>
              Adapter
              <select value={adapterOn} onChange={(e) => setAdapter(e.currentTarget.value)}>
                <option value="">none</option>
                {adapters.map((a) => <option value={a.id}>{a.id}</option>)}
              </select>
            </label>
            <label>Adapter scale<input type="number" step="0.1" min="0" value={adapterScale} disabled={!adapterOn}
              onInput={(e) => setAdapterScale(e.currentTarget.value)} /></label>
          </div>
        )}
        {prompt.view}
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
        <ToolsEditor enabled={toolsOn} setEnabled={setToolsOn} text={toolsText} setText={setToolsText}
          choice={choiceOk ? toolChoice : 'auto'} setChoice={setToolChoice} check={tools} />
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
            <li class={`msg ${m.role}`}>
              <span class="role">{m.role}{m.tool_call_id && <> · result of <code>{m.tool_call_id}</code></>}</span>
              {m.content !== null && <div class="content">{m.content}</div>}
              {m.tool_calls?.map((c) => <CallCard call={c} />)}
            </li>
          ))}
          {busy && (
            <li class="msg assistant streaming"><span class="role">assistant</span>
              <div class="content" data-testid="streaming">{out}<span class="cursor">▍</span></div>
              {streamCalls.map((c) => <CallCard call={c} />)}
            </li>
          )}
        </ol>
        {pendingCalls && <ToolResults key={pendingCalls.map((c) => c.id).join()} calls={pendingCalls} busy={blocked}
          onSend={(results) => sendResults(pendingCalls, results)} />}
        <p class="stats" data-testid="stats">
          prompt {stats.prompt ?? '–'} · completion {stats.completion ?? '–'} tokens · {stats.tps ? `${stats.tps.toFixed(1)} tokens/s` : '– tokens/s'}
          {stats.ttftMs !== undefined && ` · first token ${stats.ttftMs.toFixed(0)} ms`}
          {stats.finish && ` · finish ${stats.finish}`}
          {stats.promptRef && ` · prompt ${stats.promptRef}`}
        </p>
        {check && check.state !== 'empty' && (
          <p class={`schema-state ${check.state}`} data-testid="schema-state">
            {check.state === 'valid' && '✓ output matches the schema'}
            {check.state === 'incomplete' && '… JSON not complete yet'}
            {check.state === 'invalid' && `✗ ${check.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`}
          </p>
        )}
        <ErrorNote error={error} />
        {toolsError && <p class="error">Fix the tools first: {toolsError}</p>}
        <form class="composer" onSubmit={send}>
          <label class="sr-only" for="chat-input">Message</label>
          <textarea id="chat-input" rows={3} value={input} placeholder="Message (Ctrl+Enter sends)"
            onInput={(e) => setInput(e.currentTarget.value)}
            onKeyDown={(e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) send(e); }} />
          {busy ? (
            <button type="button" onClick={() => abort.current?.abort()}>Stop</button>
          ) : (
            <button type="submit" disabled={!chosen || blocked || (!input.trim() && !prompt.field)}>{!input.trim() && prompt.field ? 'Run prompt' : 'Send'}</button>
          )}
        </form>
      </section>
    </div>
  );
}
