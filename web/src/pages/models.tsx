// Models: the served models with their family, size, quantization, context and memory, from
// the Ollama-shaped /api/tags (file details) and /api/ps (memory, context).
import { fmtBytes, get } from '../api';
import { ErrorNote, PageProps, Section, Table, useLoad } from '../ui';

interface Tag {
  name: string;
  size: number;
  details: { family?: string; parameter_size?: string; quantization_level?: string; format?: string };
}
interface Ps {
  name: string;
  size: number;
  context_length?: number;
}

export function Models(_: PageProps) {
  const tags = useLoad(() => get<{ models: Tag[] }>('/api/tags'));
  const ps = useLoad(() => get<{ models: Ps[] }>('/api/ps'));
  const running = new Map((ps.data?.models ?? []).map((m) => [m.name, m]));
  const rows = (tags.data?.models ?? []).map((m) => {
    const p = running.get(m.name);
    return [
      <code>{m.name.replace(/:latest$/, '')}</code>,
      m.details.family ?? '–',
      m.details.parameter_size ?? '–',
      m.details.quantization_level ?? '–',
      p?.context_length?.toLocaleString('en-US') ?? '–',
      fmtBytes(m.size),
      p ? fmtBytes(p.size) : '–',
    ];
  });
  return (
    <>
      <h1>Models</h1>
      <Section title="Served models">
        <ErrorNote error={tags.error ?? ps.error} />
        <Table head={['model', 'family', 'parameters', 'quantization', 'context', 'file', 'memory (weights + KV)']} rows={rows}
          empty={tags.data ? 'No models are served.' : 'Loading…'} />
        <p class="muted">Models are the files given to <code>ondo serve -m</code>; they stay loaded while the server runs. Adapters cannot be loaded or unloaded through the API yet.</p>
      </Section>
    </>
  );
}
