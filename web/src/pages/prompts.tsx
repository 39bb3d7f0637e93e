// Prompts: the registry (/v1/prompts): list, versions with a diff view, labels (and their
// traffic split); new prompts, versions and label moves with the admin key.
import { useState } from 'preact/hooks';
import { api, fmtTime, get } from '../api';
import { ErrorNote, PageProps, Section, Table, useLoad } from '../ui';

interface Prompt {
  name: string;
  description: string;
  created_at: number;
  latest_version: number;
  labels: Record<string, { version: number; weight: number }[]>;
}
interface Version {
  version: number;
  created_at: number;
  system?: string;
  messages?: { role: string; content: string }[];
  variables?: Record<string, unknown>;
  note?: string;
}

function labelText(split: { version: number; weight: number }[]) {
  const sum = split.reduce((a, s) => a + s.weight, 0);
  return split.length === 1 ? `v${split[0].version}` : split.map((s) => `v${s.version} ${Math.round((100 * s.weight) / sum)}%`).join(' · ');
}

// Opens the playground with the version picked (a client-side route change, as the nav does).
function tryIn(e: MouseEvent) {
  if (e.ctrlKey || e.metaKey || e.shiftKey) return;
  e.preventDefault();
  history.pushState(null, '', (e.currentTarget as HTMLAnchorElement).getAttribute('href'));
  dispatchEvent(new PopStateEvent('popstate'));
}

function Detail({ prompt, admin, onChanged }: { prompt: Prompt; admin: boolean; onChanged: () => void }) {
  const versions = useLoad(() => get<{ data: Version[] }>(`/v1/prompts/${encodeURIComponent(prompt.name)}/versions`), [prompt.name, prompt.latest_version]);
  const latest = prompt.latest_version;
  const [from, setFrom] = useState(String(Math.max(1, latest - 1)));
  const [to, setTo] = useState(String(latest));
  const [diff, setDiff] = useState<string | null>(null);
  const [system, setSystem] = useState('');
  const [user, setUser] = useState('');
  const [variables, setVariables] = useState('');
  const [note, setNote] = useState('');
  const [label, setLabel] = useState('production');
  const [labelVersion, setLabelVersion] = useState(String(latest));
  const [error, setError] = useState<Error | null>(null);
  const base = `/v1/prompts/${encodeURIComponent(prompt.name)}`;

  async function showDiff(e: Event) {
    e.preventDefault();
    setError(null);
    try {
      setDiff((await get<{ diff: string }>(`${base}/diff?from=${from}&to=${to}`)).diff);
    } catch (err) {
      setError(err as Error);
    }
  }
  async function addVersion(e: Event) {
    e.preventDefault();
    setError(null);
    const body: any = {};
    if (system) body.system = system;
    if (user) body.messages = [{ role: 'user', content: user }];
    if (note) body.note = note;
    try {
      if (variables.trim()) body.variables = JSON.parse(variables);
      const v = await api<Version>('POST', `${base}/versions`, body);
      setSystem(''); setUser(''); setVariables(''); setNote('');
      setLabelVersion(String(v.version));
      onChanged();
    } catch (err) {
      setError(err as Error);
    }
  }
  async function moveLabel(e: Event) {
    e.preventDefault();
    setError(null);
    try {
      await api('PUT', `${base}/labels/${encodeURIComponent(label)}`, { version: Number(labelVersion) });
      onChanged();
    } catch (err) {
      setError(err as Error);
    }
  }

  const vrows = (versions.data?.data ?? []).slice().reverse().map((v) => [
    `v${v.version}`,
    fmtTime(v.created_at),
    <span class="clip">{v.system ?? v.messages?.map((m) => `${m.role}: ${m.content}`).join(' / ') ?? ''}</span>,
    Object.keys(v.variables ?? {}).join(', ') || '–',
    Object.entries(prompt.labels).filter(([, s]) => s.some((x) => x.version === v.version)).map(([l]) => <span class="badge">{l}</span>),
    v.note ?? '',
    <a href={`/console/playground?prompt=${encodeURIComponent(prompt.name)}&version=${v.version}`} onClick={tryIn}>
      Try v{v.version} in the playground</a>,
  ]);
  return (
    <Section title={`${prompt.name}`}>
      <p class="muted">{prompt.description} · latest v{latest} · labels:{' '}
        {Object.entries(prompt.labels).map(([l, s]) => <span class="badge" data-testid={`label-${l}`}>{l} → {labelText(s)}</span>)}
        {!Object.keys(prompt.labels).length && 'none'}
      </p>
      <ErrorNote error={versions.error ?? error} />
      <Table head={['version', 'created', 'text', 'variables', 'labels', 'note', '']} rows={vrows} />
      <form class="row" onSubmit={showDiff} aria-label="Diff versions">
        <label>from<input type="number" min="1" max={latest} value={from} onInput={(e) => setFrom(e.currentTarget.value)} /></label>
        <label>to<input type="number" min="1" max={latest} value={to} onInput={(e) => setTo(e.currentTarget.value)} /></label>
        <button type="submit">Diff</button>
      </form>
      {diff !== null && (
        <pre class="diff mono" data-testid="diff">
          {diff.split('\n').map((l) => <span class={l.startsWith('+') ? 'add' : l.startsWith('-') ? 'del' : ''}>{l}{'\n'}</span>)}
        </pre>
      )}
      {admin && (
        <div class="grid2">
          <form onSubmit={addVersion} aria-label="New version">
            <h3>New version</h3>
            <label>System template<textarea rows={3} value={system} onInput={(e) => setSystem(e.currentTarget.value)} placeholder="You are {{ persona }}." /></label>
            <label>User message template<textarea rows={2} value={user} onInput={(e) => setUser(e.currentTarget.value)} /></label>
            <label>Variables (JSON)<input class="mono" value={variables} onInput={(e) => setVariables(e.currentTarget.value)} placeholder='{"persona": "string"}' /></label>
            <label>Note<input value={note} onInput={(e) => setNote(e.currentTarget.value)} /></label>
            <button type="submit">Create version</button>
          </form>
          <form onSubmit={moveLabel} aria-label="Move a label">
            <h3>Move a label</h3>
            <label>Label<input name="label" value={label} onInput={(e) => setLabel(e.currentTarget.value)} /></label>
            <label>To version<input name="label-version" type="number" min="1" max={latest} value={labelVersion} onInput={(e) => setLabelVersion(e.currentTarget.value)} /></label>
            <button type="submit">Move label</button>
          </form>
        </div>
      )}
    </Section>
  );
}

export function Prompts({ session }: PageProps) {
  const list = useLoad(() => get<{ data: Prompt[] }>('/v1/prompts'));
  const [selected, setSelected] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [error, setError] = useState<Error | null>(null);
  const prompts = list.data?.data ?? [];
  const current = prompts.find((p) => p.name === (selected ?? prompts[0]?.name));

  async function create(e: Event) {
    e.preventDefault();
    setError(null);
    try {
      await api('POST', '/v1/prompts', { name, description });
      setSelected(name);
      setName(''); setDescription('');
      list.reload();
    } catch (err) {
      setError(err as Error);
    }
  }
  return (
    <>
      <h1>Prompts</h1>
      <div class="split">
        <Section title="Prompts">
          <ErrorNote error={list.error} />
          <ul class="list" role="listbox" aria-label="Prompts">
            {prompts.map((p) => (
              <li><button type="button" class={p.name === current?.name ? 'selected' : 'ghost'} aria-pressed={p.name === current?.name} onClick={() => setSelected(p.name)}>
                {p.name} <span class="muted">v{p.latest_version}</span></button></li>
            ))}
          </ul>
          {!prompts.length && <p class="muted">{list.data ? 'No prompts yet.' : 'Loading…'}</p>}
          {session.admin && (
            <form onSubmit={create} aria-label="New prompt">
              <h3>New prompt</h3>
              <label>Name<input name="prompt-name" value={name} onInput={(e) => setName(e.currentTarget.value)} required /></label>
              <label>Description<input value={description} onInput={(e) => setDescription(e.currentTarget.value)} /></label>
              <button type="submit">Create prompt</button>
              <ErrorNote error={error} />
            </form>
          )}
        </Section>
        {current ? <Detail prompt={current} admin={session.admin} onChanged={list.reload} /> : <div />}
      </div>
    </>
  );
}
