// One job (/console/jobs/<id>): state, a progress bar (step/total, ETA, tokens/s), the loss
// chart (train and eval loss from the event log's metrics events, drawn as they stream in),
// the event log, Cancel, checkpoints, the result table and, for a fine-tune that succeeded,
// base vs tuned answers side by side.
// Requests on load: the job and its event stream (the SSE stream of /events, which for an ended
// job is every event and [DONE]). While the job runs the stream stays open and the job is
// re-read every 2 s for tokens/s and ETA.
import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import { api, fmtTime } from '../api';
import { ErrorNote, Section, Table } from '../ui';
import {
  cancelJob, checkpointsOf, fmtDuration, followEvents, getJob, isActive, Job, JobEvent, LossPoint, lossPoints,
} from './jobs_api';

const kPollMs = 2000;

export function StateBadge({ state }: { state: string }) {
  return <span class={`badge job-${state}`} data-testid="job-state">{state}</span>;
}

export function ProgressBar({ job }: { job: Job }) {
  const p = job.progress;
  const total = p.total ?? 0;
  const step = p.step ?? 0;
  const done = job.state === 'succeeded';
  const value = total > 0 ? Math.min(step, total) : done ? 1 : 0;
  const max = total > 0 ? total : 1;
  return (
    <div class="job-progress">
      <progress value={value} max={max} aria-label={`progress of ${job.id}`} />
      <span class="muted">{total > 0 ? `${step}/${total}` : job.state === 'queued' ? 'waiting for a worker' : ''}</span>
    </div>
  );
}

function LossChart({ points }: { points: LossPoint[] }) {
  const el = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const hasEval = points.some((p) => p.eval_loss != null);
  const data = [
    points.map((p) => p.step),
    points.map((p) => p.loss),
    ...(hasEval ? [points.map((p) => p.eval_loss ?? null)] : []),
  ] as uPlot.AlignedData;
  useEffect(() => {
    if (!el.current) return;
    const opts: uPlot.Options = {
      width: Math.max(320, el.current.clientWidth),
      height: 220,
      title: 'loss',
      series: [
        { label: 'step' },
        { label: 'train loss', stroke: '#3b82f6', width: 2 },
        ...(hasEval ? [{ label: 'eval loss', stroke: '#f59e0b', width: 2, spanGaps: true, points: { show: true } }] : []),
      ],
      axes: [{ stroke: 'currentColor', label: 'step' }, { stroke: 'currentColor' }],
      scales: { x: { time: false } },
    };
    plot.current = new uPlot(opts, data, el.current);
    return () => plot.current?.destroy();
  }, [hasEval]);
  useEffect(() => {
    plot.current?.setData(data);
  }, [points]);
  return (
    <div class="chart" ref={el} role="img" data-testid="loss-chart" data-points={points.length}
      aria-label={`loss chart: ${points.length} points${points.length ? `, last loss ${points[points.length - 1].loss.toFixed(4)}` : ''}`} />
  );
}

function ResultTable({ result }: { result: Record<string, unknown> }) {
  const rows = Object.entries(result).map(([k, v]) => [
    k,
    typeof v === 'number' ? (Number.isInteger(v) ? v.toLocaleString('en-US') : v.toFixed(4)) : <code>{typeof v === 'string' ? v : JSON.stringify(v)}</code>,
  ]);
  return <div data-testid="job-result"><Table head={['field', 'value']} rows={rows} /></div>;
}

function Compare({ base, tuned }: { base: string; tuned: string }) {
  const [input, setInput] = useState('');
  const [maxTokens, setMaxTokens] = useState(48);
  const [answers, setAnswers] = useState<(string | null)[]>([null, null]);
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setAnswers([null, null]);
    try {
      const ask = (model: string) =>
        api<any>('POST', '/v1/chat/completions', {
          model, temperature: 0, max_tokens: maxTokens, messages: [{ role: 'user', content: input }],
        }).then((r) => r.choices?.[0]?.message?.content ?? '');
      setAnswers(await Promise.all([ask(base), ask(tuned)]));
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Section title="Compare base and tuned">
      <form onSubmit={submit} class="compare-form">
        <label>
          Your input
          <textarea rows={3} value={input} onInput={(e) => setInput(e.currentTarget.value)} required />
        </label>
        <div class="row">
          <label>
            Max tokens
            <input type="number" min={1} max={4096} value={maxTokens} onInput={(e) => setMaxTokens(Number(e.currentTarget.value) || 1)} />
          </label>
          <button type="submit" disabled={busy || !input.trim()}>{busy ? 'Comparing…' : 'Compare'}</button>
        </div>
      </form>
      <ErrorNote error={error} />
      <div class="grid2 compare" data-testid="compare">
        {[base, tuned].map((m, i) => (
          <div class="msg">
            <div class="role">{i === 0 ? 'base' : 'tuned'} · <code>{m}</code></div>
            <div class="content" data-testid={i === 0 ? 'answer-base' : 'answer-tuned'} aria-busy={busy}
              data-state={answers[i] != null ? 'done' : busy ? 'waiting' : 'empty'}>{answers[i] ?? (busy ? '…' : '')}</div>
          </div>
        ))}
      </div>
      <p class="muted">Both answers are plain <code>/v1/chat/completions</code> requests at temperature 0.</p>
    </Section>
  );
}

// Client-side navigation between the list and a job (the shell's router keeps the page).
export function go(e: MouseEvent, path: string) {
  if (e.ctrlKey || e.metaKey || e.shiftKey) return;
  e.preventDefault();
  history.pushState(null, '', path);
  dispatchEvent(new PopStateEvent('popstate'));
}

export function JobDetail({ id, admin }: { id: string; admin: boolean }) {
  const [job, setJob] = useState<Job | null>(null);
  const [events, setEvents] = useState<JobEvent[]>([]);
  const [error, setError] = useState<Error | null>(null);
  const [streamDone, setStreamDone] = useState(false);
  const [cancelling, setCancelling] = useState(false);

  const refresh = () => getJob(admin, id).then(setJob).catch(setError);

  useEffect(() => {
    const stop = new AbortController();
    setEvents([]);
    setStreamDone(false);
    const first = getJob(admin, id);
    first.then(setJob).catch(setError);
    followEvents(admin, id, (e) => setEvents((old) => [...old, e]), stop.signal)
      .then(async () => {
        if (stop.signal.aborted) return;
        setStreamDone(true);
        // The job ended: re-read it for its final state, progress and result, unless it had
        // already ended when the page first read it.
        const seen = await first.catch(() => null);
        if (!seen || isActive(seen)) refresh();
      })
      .catch((e) => !stop.signal.aborted && setError(e));
    return () => stop.abort();
  }, [id]);

  // Tokens/s and ETA come with the job, not the events: re-read it while it runs.
  const active = job != null && isActive(job) && !streamDone;
  useEffect(() => {
    if (!active) return;
    const t = setInterval(refresh, kPollMs);
    return () => clearInterval(t);
  }, [active, id]);

  async function cancel() {
    if (!job || !confirm(`Cancel job ${job.id}? A running job stops at its next step.`)) return;
    setCancelling(true);
    try {
      setJob(await cancelJob(admin, job.id));
    } catch (e) {
      setError(e as Error);
    } finally {
      setCancelling(false);
    }
  }

  const points = lossPoints(events);
  const checkpoints = checkpointsOf(events);
  const p = job?.progress ?? {};
  return (
    <>
      <p><a href="/console/jobs" onClick={(e) => go(e, '/console/jobs')}>← All jobs</a></p>
      <h1>Job <code>{id}</code></h1>
      <ErrorNote error={error} />
      {job && (
        <>
          <Section title="Progress" actions={isActive(job) && (
            <button type="button" class="danger" onClick={cancel} disabled={cancelling}>Cancel job</button>
          )}>
            <p>
              <StateBadge state={job.state} /> <span class="muted">{job.kind}</span>
              {job.model && <> · base <code>{job.model}</code></>}
              {job.fine_tuned_model && <> → <code data-testid="fine-tuned-model">{job.fine_tuned_model}</code></>}
            </p>
            <ProgressBar job={job} />
            <p class="muted" data-testid="job-stats">
              {p.step != null ? `step ${p.step}/${p.total ?? '?'}` : 'no progress yet'}
              {p.loss != null ? ` · loss ${p.loss.toFixed(4)}` : ''}
              {p.eval_loss != null ? ` · eval loss ${p.eval_loss.toFixed(4)}` : ''}
              {isActive(job) && p.eta_s != null ? ` · ETA ${fmtDuration(p.eta_s)}` : ''}
              {p.tokens_per_s != null ? ` · ${p.tokens_per_s.toFixed(0)} tokens/s` : ''}
              {' · created '}{fmtTime(job.created_at)}
              {job.finished_at ? ` · finished ${fmtTime(job.finished_at)}` : ''}
            </p>
            {job.error && <p class="error" role="alert" data-testid="job-error">{job.error}</p>}
            {points.length > 0 || job.kind !== 'quantize' ? <LossChart points={points} /> : null}
          </Section>
          {job.state === 'succeeded' && job.model && job.fine_tuned_model && <Compare base={job.model} tuned={job.fine_tuned_model} />}
          {Object.keys(job.result).length > 0 && (
            <Section title="Result"><ResultTable result={job.result} /></Section>
          )}
          <Section title="Checkpoints">
            <Table head={['step', 'file', 'written (UTC)']} empty="No checkpoints yet."
              rows={checkpoints.map((c) => [c.step, <code>{c.ref}</code>, fmtTime(c.at)])} />
          </Section>
          {Object.keys(job.params).length > 0 && (
            <details class="card job-params">
              <summary>Parameters</summary>
              <pre class="mono">{JSON.stringify(job.params, null, 2)}</pre>
            </details>
          )}
        </>
      )}
      <Section title="Event log" actions={<span class="muted">{streamDone ? 'ended' : 'live'}</span>}>
        <div class="event-log" data-testid="event-log">
          <Table head={['time (UTC)', 'level', 'message']} empty="No events yet."
            rows={events.map((e) => [
              fmtTime(e.created_at), <span class={`badge level-${e.level}`}>{e.level}</span>, e.message,
            ])} />
        </div>
      </Section>
    </>
  );
}
