// Keys: the gateway's API keys (/v1/admin/keys, admin key): create (the secret is shown once),
// limits and budgets, revoke.
import { useState } from 'preact/hooks';
import { api, fmtTime, get } from '../api';
import { ErrorNote, PageProps, Section, Table, useLoad } from '../ui';

interface Key {
  id: string;
  name: string;
  status: string;
  created_at: number;
  expires_at: number | null;
  models: string[];
  rpm: number;
  tpm: number;
  max_concurrent: number;
  budget_tokens: number;
  budget_usd: number;
  budget_period: string;
}

export function Keys({ session }: PageProps) {
  const keys = useLoad(() => get<{ data: Key[] }>('/v1/admin/keys'));
  const [form, setForm] = useState({ name: '', models: '', rpm: '', tpm: '', max_concurrent: '', budget_usd: '', budget_period: '', expires_in_days: '' });
  const [secret, setSecret] = useState<{ id: string; key: string } | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const set = (k: keyof typeof form) => (e: Event) => setForm({ ...form, [k]: (e.currentTarget as HTMLInputElement).value });

  async function create(e: Event) {
    e.preventDefault();
    setError(null);
    const body: any = {};
    if (form.name) body.name = form.name;
    if (form.models.trim()) body.models = form.models.split(',').map((s) => s.trim()).filter(Boolean);
    for (const k of ['rpm', 'tpm', 'max_concurrent'] as const) if (form[k] !== '') body[k] = Number(form[k]);
    if (form.budget_usd !== '') body.budget_usd = Number(form.budget_usd);
    if (form.budget_period) body.budget_period = form.budget_period;
    if (form.expires_in_days !== '') body.expires_in = Math.round(Number(form.expires_in_days) * 86400);
    try {
      const k = await api<Key & { key: string }>('POST', '/v1/admin/keys', body);
      setSecret({ id: k.id, key: k.key });
      setForm({ name: '', models: '', rpm: '', tpm: '', max_concurrent: '', budget_usd: '', budget_period: '', expires_in_days: '' });
      keys.reload();
    } catch (err) {
      setError(err as Error);
    }
  }
  async function revoke(k: Key) {
    if (!confirm(`Revoke key ${k.id} (${k.name || 'unnamed'})? Requests with it fail at once.`)) return;
    try {
      await api('DELETE', `/v1/admin/keys/${encodeURIComponent(k.id)}`);
      keys.reload();
    } catch (err) {
      setError(err as Error);
    }
  }

  if (!session.admin) {
    return <><h1>Keys</h1><p class="notice">Managing keys needs the admin key; you are signed in as <code>{session.caller}</code>.</p></>;
  }
  const limit = (n: number) => (n ? n.toLocaleString('en-US') : '–');
  const rows = (keys.data?.data ?? []).slice().reverse().map((k) => [
    <code>{k.id}</code>,
    k.name || <span class="muted">unnamed</span>,
    <span class={`badge ${k.status}`}>{k.status}</span>,
    k.models.length ? k.models.join(', ') : 'all',
    `${limit(k.rpm)} / ${limit(k.tpm)} / ${limit(k.max_concurrent)}`,
    k.budget_usd || k.budget_tokens ? `${k.budget_usd ? `$${k.budget_usd}` : `${k.budget_tokens} tokens`} per ${k.budget_period}` : '–',
    fmtTime(k.created_at),
    fmtTime(k.expires_at),
    k.status === 'active' ? <button type="button" class="danger" onClick={() => revoke(k)} aria-label={`Revoke ${k.id}`}>Revoke</button> : '',
  ]);
  return (
    <>
      <h1>Keys</h1>
      <Section title="Create a key">
        <form class="form-grid" onSubmit={create}>
          <label>Name<input value={form.name} onInput={set('name')} placeholder="ci" /></label>
          <label>Models (comma-separated; empty: all)<input value={form.models} onInput={set('models')} /></label>
          <label>Requests / min<input type="number" min="0" value={form.rpm} onInput={set('rpm')} /></label>
          <label>Tokens / min<input type="number" min="0" value={form.tpm} onInput={set('tpm')} /></label>
          <label>Concurrent<input type="number" min="0" value={form.max_concurrent} onInput={set('max_concurrent')} /></label>
          <label>Budget (USD)<input type="number" min="0" step="0.01" value={form.budget_usd} onInput={set('budget_usd')} /></label>
          <label>Budget period
            <select value={form.budget_period} onChange={set('budget_period')}>
              <option value="">none</option><option>day</option><option>week</option><option>month</option><option>total</option>
            </select>
          </label>
          <label>Expires in (days)<input type="number" min="0" step="1" value={form.expires_in_days} onInput={set('expires_in_days')} /></label>
          <div><button type="submit">Create key</button></div>
        </form>
        <ErrorNote error={error} />
        {secret && (
          <div class="secret" role="status">
            <p>Key <code>{secret.id}</code> created. Copy its secret now: it is shown only once.</p>
            <pre class="mono" data-testid="secret">{secret.key}</pre>
            <button type="button" onClick={() => navigator.clipboard?.writeText(secret.key).catch(() => undefined)}>Copy</button>
            <button type="button" class="ghost" onClick={() => setSecret(null)}>Done</button>
          </div>
        )}
      </Section>
      <Section title="Keys">
        <ErrorNote error={keys.error} />
        <Table head={['id', 'name', 'status', 'models', 'rpm / tpm / concurrent', 'budget', 'created', 'expires', '']} rows={rows} empty="No keys yet." />
      </Section>
    </>
  );
}
