// Playground tools: the tools editor (a JSON array of function tools, checked as it is typed,
// with the tool_choice it allows), the streamed tool_calls deltas put back together, and the
// call card that shows an assistant's call and takes the tool's result.
import { useState } from 'preact/hooks';

export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export const exampleTools = `[
  {
    "type": "function",
    "function": {
      "name": "set_timer",
      "description": "Start a kitchen timer",
      "parameters": {
        "type": "object",
        "properties": {"minutes": {"type": "integer", "minimum": 1, "maximum": 120}},
        "required": ["minutes"],
        "additionalProperties": false
      }
    }
  }
]`;

export interface ToolsCheck {
  tools: any[] | null;
  names: string[];
  error: string;
}

// The same rules the server applies to `tools` (docs/api.md, chat completions), so a mistake
// shows while typing; the server still has the last word on the parameters schema.
export function checkTools(text: string): ToolsCheck {
  let tools: unknown;
  try {
    tools = JSON.parse(text);
  } catch (e) {
    return { tools: null, names: [], error: `tools: ${(e as Error).message}` };
  }
  if (!Array.isArray(tools)) return { tools: null, names: [], error: 'tools: must be a JSON array of function tools' };
  if (tools.length > 128) return { tools: null, names: [], error: `tools: ${tools.length} tools (at most 128)` };
  const names: string[] = [];
  for (let i = 0; i < tools.length; i++) {
    const t = tools[i];
    const at = `tools[${i}]`;
    if (typeof t !== 'object' || t === null || Array.isArray(t)) return { tools: null, names, error: `${at}: must be an object` };
    if (t.type !== 'function') return { tools: null, names, error: `${at}.type: must be "function"` };
    const f = t.function;
    if (typeof f !== 'object' || f === null || Array.isArray(f)) return { tools: null, names, error: `${at}.function: must be an object` };
    if (typeof f.name !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(f.name)) {
      return { tools: null, names, error: `${at}.function.name: 1 to 64 of A-Z a-z 0-9 _ -` };
    }
    if (names.includes(f.name)) return { tools: null, names, error: `${at}.function.name: '${f.name}' is used twice` };
    if (f.parameters !== undefined && (typeof f.parameters !== 'object' || f.parameters === null || Array.isArray(f.parameters))) {
      return { tools: null, names, error: `${at}.function.parameters: must be a JSON Schema object` };
    }
    names.push(f.name);
  }
  return { tools, names, error: '' };
}

// tool_choice as the select holds it ("auto", "none", "required", "fn:NAME") -> the API's value.
export function toolChoiceValue(choice: string): unknown {
  return choice.startsWith('fn:') ? { type: 'function', function: { name: choice.slice(3) } } : choice;
}

// Adds one chunk's `delta.tool_calls` pieces to `calls` (by their index).
export function addToolDeltas(calls: ToolCall[], deltas: any[]) {
  for (const d of deltas) {
    const i = typeof d.index === 'number' ? d.index : calls.length;
    const c = (calls[i] ??= { id: '', type: 'function', function: { name: '', arguments: '' } });
    if (d.id) c.id = d.id;
    if (d.function?.name) c.function.name = d.function.name;
    if (d.function?.arguments) c.function.arguments += d.function.arguments;
  }
}

export function ToolsEditor(props: {
  enabled: boolean; setEnabled: (b: boolean) => void; text: string; setText: (s: string) => void;
  choice: string; setChoice: (s: string) => void; check: ToolsCheck;
}) {
  const { enabled, text, choice, check } = props;
  return (
    <>
      <label class="check">
        <input type="checkbox" checked={enabled} onChange={(e) => props.setEnabled(e.currentTarget.checked)} /> Tools
      </label>
      {enabled && (
        <>
          <label>
            Tools (JSON)
            <textarea rows={10} class="mono" value={text} spellcheck={false} onInput={(e) => props.setText(e.currentTarget.value)}
              aria-invalid={check.error ? true : undefined} />
          </label>
          {check.error ? <p class="error" data-testid="tools-error">{check.error}</p>
            : <p class="muted" data-testid="tools-ok">✓ {check.names.length} function{check.names.length === 1 ? '' : 's'}: {check.names.join(', ')}</p>}
          <label>
            tool_choice
            <select value={choice} onChange={(e) => props.setChoice(e.currentTarget.value)}>
              <option value="auto">auto</option>
              <option value="none">none</option>
              <option value="required">required</option>
              {check.names.map((n) => <option value={`fn:${n}`}>function {n}</option>)}
            </select>
          </label>
        </>
      )}
    </>
  );
}

function pretty(args: string): string {
  try {
    return JSON.stringify(JSON.parse(args), null, 2);
  } catch {
    return args;  // not (yet) complete JSON: shown as it came
  }
}

export function CallCard({ call }: { call: ToolCall }) {
  return (
    <div class="call-card" data-testid="call-card">
      <div class="row"><span class="badge">call</span><strong>{call.function.name || '…'}</strong><code class="muted">{call.id}</code></div>
      <pre class="mono">{pretty(call.function.arguments)}</pre>
    </div>
  );
}

// Result fields for the unanswered calls of the last assistant message; `onSend` gets one
// result text per call, in order.
export function ToolResults({ calls, busy, onSend }: { calls: ToolCall[]; busy: boolean; onSend: (results: string[]) => void }) {
  const [results, setResults] = useState<string[]>(calls.map(() => ''));
  const submit = (e: Event) => {
    e.preventDefault();
    onSend(calls.map((_, i) => results[i] ?? ''));
  };
  return (
    <form class="tool-results" onSubmit={submit} aria-label="Tool results">
      {calls.map((c, i) => (
        <label>
          Result of {c.function.name} ({c.id})
          <textarea rows={2} class="mono" value={results[i] ?? ''} placeholder='{"ok": true}'
            onInput={(e) => { const r = results.slice(); r[i] = e.currentTarget.value; setResults(r); }} />
        </label>
      ))}
      <button type="submit" disabled={busy}>Send tool result{calls.length > 1 ? 's' : ''} and continue</button>
    </form>
  );
}
