// Usage: requests, tokens, cost and latency percentiles per key, model, prompt or day, from
// the store's rollups (/v1/usage), and the latest raw rows (/v1/usage/requests).
import { useState } from 'preact/hooks';
import { fmtInt, get } from '../api';
import { ErrorNote, PageProps, Section, Table, useLoad } from '../ui';

interface Group {
  key?: string;
  model?: string;
  prompt?: string;
  day?: string;
  requests: number;
  errors: number;
  prompt_tokens: number;
  cached_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cost_usd: string;
  latency_ms?: { p50: number; p95: number; p99: number };
  ttft_ms_mean?: number;
}

const day = (d: Date) => d.toISOString().slice(0, 10);
const ms = (n: number | undefined | null) => (n == null ? '–' : `${n.toFixed(0)} ms`);

export function Usage(_: PageProps) {
  const today = new Date();
  const [from, setFrom] = useState(day(new Date(today.getTime() - 29 * 86400e3)));
  const [to, setTo] = useState(day(today));
  const [group, setGroup] = useState('model');
  const usage = useLoad(() => get<{ data: Group[]; total: Group }>(`/v1/usage?from=${from}&to=${to}&group_by=${group}`), [from, to, group]);
  const rows = useLoad(() => get<{ data: any[]; has_more: boolean }>(`/v1/usage/requests?from=${to}&limit=20`), [to]);
  const groups = group.split(',');
  const line = (g: Group) => [
    ...groups.map((k) => <code>{(g as any)[k] || '(none)'}</code>),
    fmtInt(g.requests),
    fmtInt(g.errors),
    fmtInt(g.prompt_tokens),
    fmtInt(g.completion_tokens),
    `$${g.cost_usd}`,
    ms(g.latency_ms?.p50),
    ms(g.latency_ms?.p95),
    ms(g.latency_ms?.p99),
    ms(g.ttft_ms_mean),
  ];
  const t = usage.data?.total;
  return (
    <>
      <h1>Usage</h1>
      <form class="row card" onSubmit={(e) => e.preventDefault()} aria-label="Usage range">
        <label>From<input type="date" value={from} onChange={(e) => setFrom(e.currentTarget.value)} /></label>
        <label>To<input type="date" value={to} onChange={(e) => setTo(e.currentTarget.value)} /></label>
        <label>Group by
          <select value={group} onChange={(e) => setGroup(e.currentTarget.value)}>
            <option value="model">model</option>
            <option value="key">key</option>
            <option value="prompt">prompt</option>
            <option value="day">day</option>
            <option value="key,model">key, model</option>
            <option value="model,day">model, day</option>
            <option value="key,day">key, day</option>
            <option value="prompt,day">prompt, day</option>
            <option value="key,prompt">key, prompt</option>
          </select>
        </label>
      </form>
      {t && (
        <div class="tiles">
          <div class="tile"><span>requests</span><strong>{fmtInt(t.requests)}</strong></div>
          <div class="tile"><span>tokens</span><strong>{fmtInt(t.total_tokens)}</strong></div>
          <div class="tile"><span>cost</span><strong>${t.cost_usd}</strong></div>
          <div class="tile"><span>errors</span><strong>{fmtInt(t.errors)}</strong></div>
        </div>
      )}
      <Section title={`By ${group.replace(',', ' and ')}`}>
        <ErrorNote error={usage.error} />
        <Table head={[...groups, 'requests', 'errors', 'prompt tokens', 'completion tokens', 'cost', 'p50', 'p95', 'p99', 'TTFT mean']}
          rows={(usage.data?.data ?? []).map(line)} empty={usage.data ? 'No usage in this range.' : 'Loading…'} />
      </Section>
      <Section title={`Requests on ${to} (first 20)`}>
        <ErrorNote error={rows.error} />
        <Table head={['time', 'key', 'model', 'prompt', 'route', 'status', 'tokens in/out', 'duration', 'cost', 'finish']}
          rows={(rows.data?.data ?? []).map((r) => [
            r.time.slice(11, 19), <code>{r.key}</code>, r.model, r.prompt || '–', <code>{r.route}</code>, r.status,
            `${r.prompt_tokens} / ${r.completion_tokens}`, ms(r.duration_ms), `$${r.cost_usd}`, r.finish_reason,
          ])}
          empty={rows.data ? 'No requests on this day.' : 'Loading…'} />
      </Section>
    </>
  );
}
