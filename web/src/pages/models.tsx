// Models: the served models with their family, size, quantization, context and memory (the
// Ollama-shaped /api/ps), and the LoRA adapters (/v1/adapters): load one from a file on the
// server, unload one.
import { useState } from 'preact/hooks';
import { api, fmtBytes, fmtTime, get } from '../api';
import { ErrorNote, PageProps, Section, Table, useLoad } from '../ui';

interface Ps {
  name: string;
  size: number;
  context_length?: number;
  details: { family?: string; parameter_size?: string; quantization_level?: string };
}
interface Adapter {
  id: number;
  name: string;
  model: string;
  path: string;
  scale: number;
  alpha: number;
  rank: number;
  tensors: number;
  created: number;
}

const bare = (name: string) => name.replace(/:latest$/, '');

function Adapters({ models }: { models: string[] }) {
  const list = useLoad(() => get<{ data: Adapter[] }>('/v1/adapters'));
  const [name, setName] = useState('');
  const [path, setPath] = useState('');
  const [model, setModel] = useState('');
  const [scale, setScale] = useState('1');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const [done, setDone] = useState('');

  async function load(e: Event) {
    e.preventDefault();
    setError(null);
    setDone('');
    const body: Record<string, unknown> = { name: name.trim(), path: path.trim(), scale: Number(scale) };
    if (model) body.model = model;
    setBusy(true);
    try {
      const a = await api<Adapter>('POST', '/v1/adapters', body);
      setDone(`Loaded ${a.name} on ${a.model} (rank ${a.rank}, ${a.tensors} tensors).`);
      setName('');
      setPath('');
      list.reload();
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  }
  async function unload(a: Adapter) {
    if (!confirm(`Unload adapter ${a.name}? Requests using it by name are refused from now on; running ones finish.`)) return;
    setError(null);
    setDone('');
    try {
      const r = await api<{ running_requests: number }>('DELETE', `/v1/adapters/${encodeURIComponent(a.name)}`);
      setDone(`Unloaded ${a.name}${r.running_requests ? ` (${r.running_requests} running requests finish with it)` : ''}.`);
      list.reload();
    } catch (err) {
      setError(err as Error);
    }
  }

  const rows = (list.data?.data ?? []).map((a) => [
    <code>{a.name}</code>, a.model, <code class="clip" title={a.path}>{a.path}</code>, String(a.scale), String(a.alpha), String(a.rank),
    String(a.tensors), fmtTime(a.created),
    <button type="button" class="danger" aria-label={`Unload ${a.name}`} onClick={() => unload(a)}>Unload</button>,
  ]);
  return (
    <Section title="Adapters (LoRA)">
      <Table head={['name', 'model', 'file', 'scale', 'alpha', 'rank', 'tensors', 'loaded', '']} rows={rows}
        empty={list.data ? 'No adapters are loaded.' : list.error ? '' : 'Loading…'} />
      <form class="form-grid" onSubmit={load} aria-label="Load an adapter">
        <label>Adapter name<input name="adapter-name" value={name} onInput={(e) => setName(e.currentTarget.value)} placeholder="terse" required /></label>
        <label class="wide">Adapter file (a path on the server)<input name="adapter-path" class="mono" value={path}
          onInput={(e) => setPath(e.currentTarget.value)} placeholder="/models/lora/terse.gguf" required /></label>
        <label>Base model
          <select value={model} onChange={(e) => setModel(e.currentTarget.value)}>
            <option value="">(the only text model)</option>
            {models.map((m) => <option value={m}>{m}</option>)}
          </select>
        </label>
        <label>Scale<input name="adapter-scale" type="number" step="0.1" min="0" value={scale} onInput={(e) => setScale(e.currentTarget.value)} /></label>
        <div><button type="submit" disabled={busy}>Load adapter</button></div>
      </form>
      <ErrorNote error={list.error ?? error} />
      {done && <p class="ok" role="status">{done}</p>}
      <p class="muted">Use an adapter as a model of its own (<code>"model": "NAME"</code>) or on its base model with a scale
        (llama-server's <code>"lora"</code> field): both are in the playground's pickers.</p>
    </Section>
  );
}

export function Models(_: PageProps) {
  const ps = useLoad(() => get<{ models: Ps[] }>('/api/ps'));
  const models = ps.data?.models ?? [];
  const rows = models.map((m) => [
    <code>{bare(m.name)}</code>,
    m.details.family || '–',
    m.details.parameter_size || '–',
    m.details.quantization_level || '–',
    m.context_length?.toLocaleString('en-US') ?? '–',
    fmtBytes(m.size),
  ]);
  return (
    <>
      <h1>Models</h1>
      <Section title="Served models">
        <ErrorNote error={ps.error} />
        <Table head={['model', 'family', 'parameters', 'quantization', 'context', 'memory (weights + KV)']} rows={rows}
          empty={ps.data ? 'No models are served.' : 'Loading…'} />
        <p class="muted">Models are the files given to <code>ondo serve -m</code>; they stay loaded while the server runs.</p>
      </Section>
      <Adapters models={models.map((m) => bare(m.name))} />
    </>
  );
}
