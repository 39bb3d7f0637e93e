// The Jobs page's view of the two public job APIs: the admin key reads every kind through
// /v1/jobs (train, quantize, fine_tune); any other key reads its fine-tuning jobs through
// OpenAI's /v1/fine_tuning/jobs. Both are turned into the same plain objects here.
import { api, get, streamGet } from '../api';

export interface JobProgress {
  step?: number;
  total?: number;
  loss?: number;
  eval_loss?: number;
  tokens_per_s?: number;
  eta_s?: number;
}

export interface Job {
  id: string;
  kind: string;
  state: string;
  progress: JobProgress;
  result: Record<string, unknown>;
  error: string | null;
  created_at: number;
  finished_at: number | null;
  model: string | null;  // a fine-tune's base model
  fine_tuned_model: string | null;
  params: Record<string, unknown>;
}

export interface JobEvent {
  key: string;
  created_at: number;
  level: string;
  message: string;
  data: Record<string, any>;
}

export const activeStates = ['queued', 'running', 'validating_files'];
export const isActive = (j: Job) => activeStates.includes(j.state);

// Which route family this session reads: the generic one needs the admin key.
export function jobsBase(admin: boolean): string {
  return admin ? '/v1/jobs' : '/v1/fine_tuning/jobs';
}

const obj = (v: unknown): Record<string, any> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, any>) : {});

export function toJob(j: any): Job {
  if (j.object === 'fine_tuning.job') {
    const params: Record<string, unknown> = { model: j.model, training_file: j.training_file, hyperparameters: j.hyperparameters, seed: j.seed };
    if (j.validation_file) params.validation_file = j.validation_file;
    if (j.user_provided_suffix) params.suffix = j.user_provided_suffix;
    if (j.lora) params.lora = j.lora;
    return {
      id: j.id, kind: 'fine_tune', state: j.status, progress: obj(j.progress),
      result: j.fine_tuned_model ? { fine_tuned_model: j.fine_tuned_model } : {},
      error: j.error?.message ?? null, created_at: j.created_at, finished_at: j.finished_at ?? null,
      model: j.model ?? null, fine_tuned_model: j.fine_tuned_model ?? null, params,
    };
  }
  const params = obj(j.params);
  const result = obj(j.result);
  return {
    id: j.id, kind: j.kind, state: j.state, progress: obj(j.progress), result,
    error: j.error?.message ?? null, created_at: j.created_at, finished_at: j.finished_at ?? null,
    model: typeof params.model === 'string' ? params.model : null,
    fine_tuned_model: typeof result.fine_tuned_model === 'string' ? result.fine_tuned_model : null, params,
  };
}

export function toEvent(e: any): JobEvent {
  return {
    key: e.id ?? String(e.seq),
    created_at: e.created_at,
    level: e.level ?? 'info',
    message: e.message ?? '',
    data: obj(e.data),
  };
}

export async function listJobs(admin: boolean): Promise<Job[]> {
  const body = await get<{ data: any[] }>(`${jobsBase(admin)}?limit=50`);
  return body.data.map(toJob);
}

export async function getJob(admin: boolean, id: string): Promise<Job> {
  return toJob(await get<any>(`${jobsBase(admin)}/${encodeURIComponent(id)}`));
}

export async function cancelJob(admin: boolean, id: string): Promise<Job> {
  return toJob(await api<any>('POST', `${jobsBase(admin)}/${encodeURIComponent(id)}/cancel`));
}

// Every event of the job oldest first, then new ones as they come, until the job ends (the
// server's SSE stream ends with [DONE]) or `signal` aborts.
export function followEvents(admin: boolean, id: string, onEvent: (e: JobEvent) => void, signal: AbortSignal) {
  return streamGet(`${jobsBase(admin)}/${encodeURIComponent(id)}/events?stream=true`, (e) => onEvent(toEvent(e)), signal);
}

// The loss curve from the event log's metrics events ({step, loss, eval_loss?} in data).
export interface LossPoint {
  step: number;
  loss: number;
  eval_loss?: number;
}
export function lossPoints(events: JobEvent[]): LossPoint[] {
  const byStep = new Map<number, LossPoint>();
  for (const e of events) {
    const d = e.data;
    if (typeof d.step === 'number' && typeof d.loss === 'number') {
      byStep.set(d.step, { step: d.step, loss: d.loss, eval_loss: typeof d.eval_loss === 'number' ? d.eval_loss : undefined });
    }
  }
  return [...byStep.values()].sort((a, b) => a.step - b.step);
}

// Checkpoints as the event log records them ("checkpoint at step N", data {step, ref}).
export function checkpointsOf(events: JobEvent[]): { step: number; ref: string; at: number }[] {
  return events
    .filter((e) => typeof e.data.ref === 'string' && typeof e.data.step === 'number')
    .map((e) => ({ step: e.data.step, ref: e.data.ref, at: e.created_at }));
}

export function fmtDuration(s: number | undefined): string {
  if (s == null || !isFinite(s)) return '–';
  s = Math.max(0, Math.round(s));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}
