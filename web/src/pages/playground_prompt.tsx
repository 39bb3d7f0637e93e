// Playground prompt picker: a prompt of the registry, a version or label of it, and a field per
// declared variable (defaults filled in). The chat then sends the ondo `prompt` field
// (`{name, version | label, variables}`) and the server renders it as for any client.
// `/console/playground?prompt=NAME&version=N` (or `&label=L`) opens the playground with it
// chosen; that load reads the prompt's versions, and the prompt list (names, labels) only once
// a select is focused (a page load stays within its requests).
import { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { api, get } from '../api';
import { ErrorNote, useLoad } from '../ui';

interface PromptInfo {
  name: string;
  latest_version: number;
  labels: Record<string, { version: number; weight: number }[]>;
}
interface VersionInfo {
  version: number;
  variables?: Record<string, string | { type?: string; default?: unknown }>;
}
interface Variable {
  name: string;
  type: string;
  def: unknown;
}

export interface PromptPick {
  field: Record<string, unknown> | null;  // the request's `prompt` field, null when none is picked
  problem: string;                          // a variable that cannot be sent as typed
  view: JSX.Element;
}

function fromLocation() {
  const q = new URLSearchParams(location.search);
  const version = q.get('version');
  const label = q.get('label');
  return { name: q.get('prompt') ?? '', ref: version ? `v:${version}` : label ? `l:${label}` : '' };
}

function variablesOf(v: VersionInfo | undefined): Variable[] {
  return Object.entries(v?.variables ?? {}).map(([name, d]) =>
    typeof d === 'string' ? { name, type: d, def: undefined } : { name, type: d.type ?? 'string', def: d.default });
}

export function usePromptPick(): PromptPick {
  const start = useState(fromLocation)[0];
  const [wantList, setWantList] = useState(!start.name);
  const list = useLoad(() => (wantList ? get<{ data: PromptInfo[] }>('/v1/prompts') : Promise.resolve(null)), [wantList]);
  const [name, setName] = useState(start.name);
  const [ref, setRef] = useState(start.ref);
  const [values, setValues] = useState<Record<string, string | boolean>>({});
  const [preview, setPreview] = useState<{ ref: string; messages: { role: string; content: string }[] } | null>(null);
  const [previewError, setPreviewError] = useState<Error | null>(null);
  const versions = useLoad(() => (name ? get<{ data: VersionInfo[] }>(`/v1/prompts/${encodeURIComponent(name)}/versions`) : Promise.resolve(null)), [name]);

  const info = list.data?.data.find((p) => p.name === name);
  const all = versions.data?.data ?? [];
  const latest = all.length ? all[all.length - 1].version : 0;
  // The versions whose variables apply: the one named, a label's (all of a split), or the
  // default the server takes (the production label, else the latest version).
  let picked: number[] = [];
  if (ref.startsWith('v:')) picked = [Number(ref.slice(2))];
  else if (ref.startsWith('l:')) picked = info?.labels[ref.slice(2)]?.map((s) => s.version) ?? [latest];
  else picked = info?.labels.production?.map((s) => s.version) ?? [latest];
  const vars: Variable[] = [];
  for (const n of picked) {
    for (const v of variablesOf(all.find((x) => x.version === n))) if (!vars.some((x) => x.name === v.name)) vars.push(v);
  }

  let problem = '';
  const variables: Record<string, unknown> = {};
  for (const v of vars) {
    const raw = values[v.name] ?? (v.def === undefined ? (v.type === 'boolean' ? false : '') : v.type === 'boolean' ? Boolean(v.def) : String(v.def));
    if (v.type === 'boolean') variables[v.name] = raw === true;
    else if (raw === '') continue;  // not sent: the server names a variable it needs
    else if (v.type === 'integer' || v.type === 'number') {
      const n = Number(raw);
      if (Number.isNaN(n) || (v.type === 'integer' && !Number.isInteger(n))) problem = `variable ${v.name}: expected ${v.type === 'integer' ? 'an integer' : 'a number'}`;
      else variables[v.name] = n;
    } else variables[v.name] = raw;
  }
  let field: Record<string, unknown> | null = null;
  if (name) {
    field = { name };
    if (ref.startsWith('v:')) field.version = Number(ref.slice(2));
    else if (ref.startsWith('l:')) field.label = ref.slice(2);
    if (Object.keys(variables).length) field.variables = variables;
  }

  // What the server makes of the field, without running a model (POST /v1/prompts/render).
  async function showPreview() {
    setPreviewError(null);
    setPreview(null);
    try {
      setPreview(await api('POST', '/v1/prompts/render', field));
    } catch (err) {
      setPreviewError(err as Error);
    }
  }

  const names = (list.data?.data ?? []).map((p) => p.name);
  if (name && !names.includes(name)) names.unshift(name);
  const labels = Object.keys(info?.labels ?? {});
  const view = (
    <fieldset class="prompt-pick">
      <legend>Prompt from the registry</legend>
      <label>
        Prompt
        <select value={name} onFocus={() => setWantList(true)} onChange={(e) => { setName(e.currentTarget.value); setRef(''); setValues({}); setPreview(null); }}>
          <option value="">(none)</option>
          {names.map((n) => <option value={n}>{n}</option>)}
        </select>
      </label>
      {name && (
        <label>
          Version or label
          <select value={ref} onFocus={() => setWantList(true)} onChange={(e) => { setRef(e.currentTarget.value); setPreview(null); }}>
            <option value="">default (production, else latest)</option>
            {labels.map((l) => <option value={`l:${l}`}>label {l}</option>)}
            {all.slice().reverse().map((v) => <option value={`v:${v.version}`}>version {v.version}</option>)}
            {ref && !ref.startsWith('l:') && !all.length && <option value={ref}>version {ref.slice(2)}</option>}
          </select>
        </label>
      )}
      {vars.map((v) => {
        const val = values[v.name];
        const set = (x: string | boolean) => setValues({ ...values, [v.name]: x });
        if (v.type === 'boolean') {
          const checked = val === undefined ? Boolean(v.def) : val === true;
          return <label class="check"><input type="checkbox" checked={checked} onChange={(e) => { set(e.currentTarget.checked); setPreview(null); }} /> {v.name}</label>;
        }
        const shown = val === undefined ? (v.def === undefined ? '' : String(v.def)) : String(val);
        return (
          <label>
            <span>{v.name} <span class="muted">({v.type}{v.def === undefined ? ', required' : ''})</span></span>
            <input type={v.type === 'string' ? 'text' : 'number'} step={v.type === 'integer' ? '1' : 'any'} value={shown}
              data-variable={v.name} onInput={(e) => { set(e.currentTarget.value); setPreview(null); }} />
          </label>
        );
      })}
      {name && !vars.length && versions.data && <p class="muted">This version declares no variables.</p>}
      {problem && <p class="error">{problem}</p>}
      {name && <button type="button" class="ghost" disabled={!!problem} onClick={showPreview}>Preview the rendered prompt</button>}
      {preview && (
        <div class="prompt-preview" data-testid="prompt-preview">
          <p class="muted">{preview.ref}</p>
          {preview.messages.map((m) => <p><span class="badge">{m.role}</span> {m.content}</p>)}
        </div>
      )}
      <ErrorNote error={list.error ?? versions.error ?? previewError} />
    </fieldset>
  );
  return { field, problem, view };
}
