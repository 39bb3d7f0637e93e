// Collections: vector stores (/v1/vector_stores): create, upload files with progress
// (/v1/files, then attach), ingestion status, search with filters showing the plan and scores,
// and a question answered with citations (collections_ask.tsx).
import { useEffect, useState } from 'preact/hooks';
import { api, fmtBytes, fmtTime, get, uploadFile } from '../api';
import { ErrorNote, PageProps, Section, Table, useLoad } from '../ui';
import { Ask } from './collections_ask';

interface Store {
  id: string;
  name: string;
  status: string;
  created_at: number;
  usage_bytes: number;
  embedding_model?: string;
  file_counts: { in_progress: number; completed: number; failed: number; total: number };
}
interface StoreFile {
  id: string;
  status: string;
  attributes?: Record<string, unknown>;
  last_error?: { code: string; message: string } | null;
  progress?: { chunks_done: number; chunks_total: number };
  usage_bytes?: number;
}

function parseValue(v: string): unknown {
  if (v === 'true' || v === 'false') return v === 'true';
  if (v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  return v;
}

function Search({ store }: { store: Store }) {
  const [query, setQuery] = useState('');
  const [ranker, setRanker] = useState('auto');
  const [max, setMax] = useState('5');
  const [fKey, setFKey] = useState('');
  const [fOp, setFOp] = useState('eq');
  const [fValue, setFValue] = useState('');
  const [result, setResult] = useState<any>(null);
  const [error, setError] = useState<Error | null>(null);
  async function search(e: Event) {
    e.preventDefault();
    setError(null);
    const body: any = { query, max_num_results: Number(max), ranking_options: { ranker } };
    if (fKey) body.filters = { type: fOp, key: fKey, value: parseValue(fValue) };
    try {
      setResult(await api('POST', `/v1/vector_stores/${store.id}/search`, body));
    } catch (err) {
      setError(err as Error);
    }
  }
  const plan = result?.search_plan;
  return (
    <Section title="Search">
      <form class="form-grid" onSubmit={search} aria-label="Search">
        <label class="wide">Query<input name="query" value={query} onInput={(e) => setQuery(e.currentTarget.value)} required /></label>
        <label>Ranker
          <select value={ranker} onChange={(e) => setRanker(e.currentTarget.value)}>
            <option value="auto">hybrid (auto)</option><option value="dense">dense</option><option value="lexical">lexical</option>
          </select>
        </label>
        <label>Results<input type="number" min="1" max="50" value={max} onInput={(e) => setMax(e.currentTarget.value)} /></label>
        <label>Filter attribute<input value={fKey} onInput={(e) => setFKey(e.currentTarget.value)} placeholder="kind" /></label>
        <label>Operator
          <select value={fOp} onChange={(e) => setFOp(e.currentTarget.value)}>
            {['eq', 'ne', 'gt', 'gte', 'lt', 'lte'].map((o) => <option>{o}</option>)}
          </select>
        </label>
        <label>Value<input value={fValue} onInput={(e) => setFValue(e.currentTarget.value)} placeholder="manual" /></label>
        <div><button type="submit">Search</button></div>
      </form>
      <ErrorNote error={error} />
      {plan && (
        <p class="plan" data-testid="plan">
          plan: <strong>{plan.mode}</strong>
          {plan.dense && <> · dense <code>{plan.dense.plan}</code> ({plan.dense.reason})</>}
          {plan.lexical && <> · lexical: {plan.lexical.reason}</>}
          {' '}· matching {plan.matching ?? '–'} of {plan.total ?? '–'} chunks
          {plan.index && <> · index {typeof plan.index === 'string' ? plan.index : JSON.stringify(plan.index)}</>}
        </p>
      )}
      {result && (
        <ol class="hits" data-testid="hits">
          {result.data.map((h: any) => (
            <li>
              <div class="row"><strong>{h.filename}</strong><span class="score">score {h.score.toFixed(4)}</span>
                <span class="muted">{JSON.stringify(h.attributes)}</span></div>
              <p class="hit-text">{h.content.map((c: any) => c.text).join('')}</p>
            </li>
          ))}
          {!result.data.length && <li class="muted">No hits.</li>}
        </ol>
      )}
    </Section>
  );
}

function StoreView({ store, onChanged }: { store: Store; onChanged: () => void }) {
  const files = useLoad(() => get<{ data: StoreFile[] }>(`/v1/vector_stores/${store.id}/files?limit=100`), [store.id]);
  const [progress, setProgress] = useState<number | null>(null);
  const [attrs, setAttrs] = useState('');
  const [error, setError] = useState<Error | null>(null);
  const pending = (files.data?.data ?? []).some((f) => f.status === 'in_progress');
  useEffect(() => {  // poll while ingestion runs
    if (!pending) return;
    const id = setTimeout(() => { files.reload(); onChanged(); }, 1000);
    return () => clearTimeout(id);
  }, [files.data]);

  async function upload(e: Event) {
    e.preventDefault();
    const input = (e.currentTarget as HTMLFormElement).elements.namedItem('file') as HTMLInputElement;
    if (!input.files?.length) return;
    setError(null);
    try {
      const attributes = attrs.trim() ? JSON.parse(attrs) : undefined;
      for (const file of Array.from(input.files)) {
        setProgress(0);
        const f = await uploadFile(file, 'assistants', setProgress);
        await api('POST', `/v1/vector_stores/${store.id}/files`, { file_id: f.id, ...(attributes ? { attributes } : {}) });
      }
      input.value = '';
      files.reload();
      onChanged();
    } catch (err) {
      setError(err as Error);
    } finally {
      setProgress(null);
    }
  }
  const rows = (files.data?.data ?? []).map((f) => [
    <code>{f.id}</code>,
    <span class={`badge ${f.status}`} data-testid="file-status">{f.status}</span>,
    f.progress ? `${f.progress.chunks_done} / ${f.progress.chunks_total} chunks` : f.last_error ? `${f.last_error.code}: ${f.last_error.message}` : '',
    f.attributes ? <code>{JSON.stringify(f.attributes)}</code> : '',
    fmtBytes(f.usage_bytes),
  ]);
  return (
    <>
      <Section title={`${store.name || store.id}`}>
        <p class="muted"><code>{store.id}</code> · {store.embedding_model} · {store.file_counts.completed} of {store.file_counts.total} files ready · {fmtBytes(store.usage_bytes)}</p>
        <form class="row" onSubmit={upload} aria-label="Upload files">
          <label>Files (.txt .md .html .pdf)<input type="file" name="file" multiple accept=".txt,.md,.html,.htm,.pdf" /></label>
          <label>Attributes (JSON)<input class="mono" value={attrs} onInput={(e) => setAttrs(e.currentTarget.value)} placeholder='{"kind": "manual"}' /></label>
          <button type="submit" disabled={progress !== null}>Upload</button>
          {progress !== null && <progress max={1} value={progress} aria-label="Upload progress">{Math.round(progress * 100)}%</progress>}
        </form>
        <ErrorNote error={files.error ?? error} />
        <Table head={['file', 'status', 'progress', 'attributes', 'size']} rows={rows} empty="No files yet." />
      </Section>
      <Search store={store} />
      <Ask key={store.id} storeId={store.id} />
    </>
  );
}

export function Collections(_: PageProps) {
  const stores = useLoad(() => get<{ data: Store[] }>('/v1/vector_stores?limit=100'));
  const [selected, setSelected] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [error, setError] = useState<Error | null>(null);
  const list = stores.data?.data ?? [];
  const current = list.find((s) => s.id === (selected ?? list[0]?.id));
  async function create(e: Event) {
    e.preventDefault();
    setError(null);
    try {
      const s = await api<Store>('POST', '/v1/vector_stores', { name });
      setName('');
      setSelected(s.id);
      stores.reload();
    } catch (err) {
      setError(err as Error);
    }
  }
  return (
    <>
      <h1>Collections</h1>
      <div class="split">
        <Section title="Vector stores">
          <ErrorNote error={stores.error} />
          <Table head={['name', 'files', 'created', '']} rows={list.map((s) => [
            s.name || <code>{s.id}</code>, `${s.file_counts.completed}/${s.file_counts.total}`, fmtTime(s.created_at),
            <button type="button" class={s.id === current?.id ? 'selected' : 'ghost'} aria-pressed={s.id === current?.id} onClick={() => setSelected(s.id)}>Open</button>,
          ])} empty={stores.data ? 'No vector stores yet.' : 'Loading…'} />
          <form onSubmit={create} aria-label="New vector store">
            <label>New vector store<input name="store-name" value={name} onInput={(e) => setName(e.currentTarget.value)} placeholder="manuals" required /></label>
            <button type="submit">Create</button>
          </form>
          <ErrorNote error={error} />
        </Section>
        <div>{current && <StoreView store={current} onChanged={stores.reload} />}</div>
      </div>
    </>
  );
}
