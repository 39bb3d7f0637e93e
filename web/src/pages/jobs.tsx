// Jobs: the store's job queue (fine-tuning, training, quantization) from GET /v1/jobs, newest
// first, with state and progress. A server without the jobs API (or without a store) answers
// 404 / 503, and the page says so. Starting a fine-tune, the loss chart, the event log and
// base-vs-tuned comparison are not built yet (issue 19).
import { get } from '../api';
import { ErrorNote, PageProps, Section, Table, useLoad } from '../ui';

function progressText(p: any): string {
  if (!p || typeof p.step !== 'number') return '';
  const loss = typeof p.loss === 'number' ? ` · loss ${p.loss.toFixed(4)}` : '';
  return `${p.step}/${p.total ?? '?'}${loss}`;
}

export function Jobs(_: PageProps) {
  const jobs = useLoad(() => get<{ data: any[] }>('/v1/jobs'));
  const status = jobs.error && 'status' in jobs.error ? (jobs.error as any).status : 0;
  const missing = status === 404 || status === 503;
  const rows = (jobs.data?.data ?? []).map((j) => [
    <code>{j.id}</code>,
    j.kind,
    j.state,
    progressText(j.progress),
    j.result?.fine_tuned_model ?? j.error?.message ?? '',
    new Date(j.created_at * 1000).toISOString().replace('T', ' ').slice(0, 19),
  ]);
  return (
    <>
      <h1>Jobs</h1>
      {missing ? (
        <p class="notice" data-testid="jobs-missing">Jobs (fine-tuning, training, quantization) are not available on this server: it has no job queue (start it with a store, <code>--data-dir</code> or <code>--db</code>).</p>
      ) : (
        <Section title="Jobs">
          <ErrorNote error={jobs.error} />
          <div data-testid="jobs-list">
            {jobs.data && rows.length === 0 ? <p class="notice">No jobs yet.</p> : null}
            <Table head={['id', 'kind', 'state', 'progress', 'result', 'created (UTC)']} rows={rows} />
          </div>
        </Section>
      )}
    </>
  );
}
