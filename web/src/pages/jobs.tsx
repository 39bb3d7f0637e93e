// Jobs: the store's job queue (fine-tuning, training, quantization), newest first, with state,
// kind, progress and creation time; "Start a fine-tune" opens the form; /console/jobs/<id> is
// one job (job_detail.tsx). The admin key sees every kind (GET /v1/jobs), other keys their
// fine-tuning jobs (GET /v1/fine_tuning/jobs). A server without the jobs API (or without a
// store) answers 404 / 503, and the page says so.
// Requests on load: the list (one). While a job is queued or running the list is re-read
// every 3 s.
import { useEffect, useState } from 'preact/hooks';
import { fmtTime } from '../api';
import { ErrorNote, PageProps, Section, Table, useLoad } from '../ui';
import { FineTuneForm } from './finetune_form';
import { go, JobDetail, ProgressBar, StateBadge } from './job_detail';
import { isActive, listJobs } from './jobs_api';

const kListPollMs = 3000;

function jobIdOf(pathname: string): string | null {
  const m = /^\/console\/jobs\/([^/]+)/.exec(pathname);
  return m ? decodeURIComponent(m[1]) : null;
}

function JobList({ admin }: { admin: boolean }) {
  const jobs = useLoad(() => listJobs(admin), [admin]);
  const [formOpen, setFormOpen] = useState(false);
  const status = jobs.error && 'status' in jobs.error ? (jobs.error as any).status : 0;
  const missing = status === 404 || status === 503;
  const list = jobs.data ?? [];
  const anyActive = list.some(isActive);
  useEffect(() => {
    if (!anyActive) return;
    const t = setTimeout(jobs.reload, kListPollMs);
    return () => clearTimeout(t);
  }, [anyActive, jobs.data]);

  const rows = list.map((j) => [
    <a href={`/console/jobs/${encodeURIComponent(j.id)}`} onClick={(e) => go(e, `/console/jobs/${encodeURIComponent(j.id)}`)}><code>{j.id}</code></a>,
    j.kind,
    <StateBadge state={j.state} />,
    <ProgressBar job={j} />,
    j.progress.loss != null ? j.progress.loss.toFixed(4) : '–',
    j.fine_tuned_model ? <code>{j.fine_tuned_model}</code> : j.error ?? '',
    fmtTime(j.created_at),
  ]);
  if (missing) {
    return (
      <>
        <h1>Jobs</h1>
        <p class="notice" data-testid="jobs-missing">Jobs (fine-tuning, training, quantization) are not available on this server: it has no job queue (start it with a store, <code>--data-dir</code> or <code>--db</code>).</p>
      </>
    );
  }
  return (
    <>
      <h1>Jobs</h1>
      {formOpen && <FineTuneForm onCreated={(id) => navigateTo(`/console/jobs/${encodeURIComponent(id)}`)} />}
      <Section title={admin ? 'Jobs' : 'Fine-tuning jobs'} actions={
        <button type="button" onClick={() => setFormOpen(!formOpen)} aria-expanded={formOpen}>
          {formOpen ? 'Close the form' : 'Start a fine-tune'}
        </button>
      }>
        <ErrorNote error={jobs.error} />
        <div data-testid="jobs-list">
          {jobs.data && rows.length === 0 ? <p class="notice">No jobs yet.</p> : null}
          {rows.length > 0 && <Table head={['id', 'kind', 'state', 'progress', 'loss', 'result', 'created (UTC)']} rows={rows} />}
        </div>
      </Section>
    </>
  );
}

function navigateTo(path: string) {
  history.pushState(null, '', path);
  dispatchEvent(new PopStateEvent('popstate'));
}

export function Jobs({ session }: PageProps) {
  const [id, setId] = useState(jobIdOf(location.pathname));
  useEffect(() => {
    const onPop = () => setId(jobIdOf(location.pathname));
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);
  return id ? <JobDetail id={id} admin={session.admin} /> : <JobList admin={session.admin} />;
}
