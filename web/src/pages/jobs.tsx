// Jobs: fine-tuning, quantization and evaluation jobs. This server version has no jobs API; the
// page asks for it (GET /v1/jobs) and says so when the route is absent.
import { get } from '../api';
import { ErrorNote, PageProps, Section, Table, useLoad } from '../ui';

export function Jobs(_: PageProps) {
  const jobs = useLoad(() => get<{ data: any[] }>('/v1/jobs'));
  const missing = jobs.error && 'status' in jobs.error && (jobs.error as any).status === 404;
  return (
    <>
      <h1>Jobs</h1>
      {missing ? (
        <p class="notice" data-testid="jobs-missing">Jobs (fine-tuning, quantization, evaluation) are not available on this server: it has no <code>/v1/jobs</code> API.</p>
      ) : (
        <Section title="Jobs">
          <ErrorNote error={jobs.error} />
          <Table head={['id', 'type', 'status', 'created']} rows={(jobs.data?.data ?? []).map((j) => [<code>{j.id}</code>, j.type ?? j.object, j.status, j.created_at])} />
        </Section>
      )}
    </>
  );
}
