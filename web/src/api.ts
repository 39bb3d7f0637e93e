// The console's only way to the server: the public API, same origin, authenticated by the
// httpOnly session cookie. Requests that change something carry the session's CSRF token in
// X-Ondo-CSRF (the server refuses them without it).

export class ApiError extends Error {
  constructor(public status: number, message: string, public param?: string) {
    super(message);
  }
}

export interface Session {
  signed_in: boolean;
  reason?: string;
  auth_required: boolean;
  caller: string;
  admin: boolean;
  csrf_token: string | null;
  expires_at: number | null;
}

let csrf: string | null = null;
export function setCsrf(token: string | null) {
  csrf = token;
}

function headers(method: string, json: boolean): Record<string, string> {
  const h: Record<string, string> = {};
  if (json) h['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrf) h['X-Ondo-CSRF'] = csrf;
  return h;
}

async function errorOf(res: Response): Promise<ApiError> {
  let message = `HTTP ${res.status}`;
  let param: string | undefined;
  try {
    const body = await res.json();
    const e = body?.error;
    if (typeof e === 'string') message = e;
    else if (e?.message) message = e.message;
    if (typeof e?.param === 'string') param = e.param;
  } catch {
    // not JSON: keep the status line
  }
  return new ApiError(res.status, message, param);
}

export async function request(method: string, path: string, body?: unknown): Promise<Response> {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: headers(method, body !== undefined),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw await errorOf(res);
  return res;
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await request(method, path, body);
  return (await res.json()) as T;
}

export const get = <T>(path: string) => api<T>('GET', path);

// Uploads `file` as multipart to /v1/files; `progress` gets the fraction sent (fetch cannot
// report upload progress, XMLHttpRequest can).
export function uploadFile(file: File, purpose: string, progress: (f: number) => void): Promise<any> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/v1/files');
    if (csrf) xhr.setRequestHeader('X-Ondo-CSRF', csrf);
    xhr.upload.onprogress = (e) => e.lengthComputable && progress(e.loaded / e.total);
    xhr.onload = () => {
      let body: any = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // keep null
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body);
      else reject(new ApiError(xhr.status, body?.error?.message ?? `HTTP ${xhr.status}`, body?.error?.param ?? undefined));
    };
    xhr.onerror = () => reject(new ApiError(0, 'upload: the connection failed'));
    const form = new FormData();
    form.append('purpose', purpose);
    form.append('file', file, file.name);
    xhr.send(form);
  });
}

// Server-sent events of a streaming POST: calls `onEvent` with each `data:` payload parsed as
// JSON, until `[DONE]` or the end of the body.
// `onHeaders` (optional) sees the response headers first.
export async function streamEvents(path: string, body: unknown, onEvent: (data: any) => void, signal?: AbortSignal,
  onHeaders?: (headers: Headers) => void) {
  const res = await fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: headers('POST', true),
    body: JSON.stringify(body),
    signal,
  });
  if (!res.ok || !res.body) throw await errorOf(res);
  onHeaders?.(res.headers);
  await readEvents(res.body, (parsed) => {
    if (parsed?.error) throw new ApiError(200, parsed.error.message ?? 'stream: error event');
    onEvent(parsed);
  });
}

// Reads a text/event-stream body: `onData` gets each `data:` payload parsed as JSON, until
// `[DONE]` or the end of the body (an exception thrown by `onData` ends the read).
async function readEvents(body: ReadableStream<Uint8Array>, onData: (data: any) => void) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    buf += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buf.indexOf('\n\n')) >= 0) {
      const event = buf.slice(0, end);
      buf = buf.slice(end + 2);
      for (const line of event.split('\n')) {
        if (!line.startsWith('data:')) continue;
        const data = line.slice(5).trim();
        if (data === '[DONE]') return;
        onData(JSON.parse(data));
      }
    }
  }
}

export function fmtInt(n: number | undefined | null): string {
  return n == null ? '–' : n.toLocaleString('en-US');
}

export function fmtTime(unix: number | null | undefined): string {
  if (!unix) return '–';
  return new Date(unix * 1000).toISOString().replace('T', ' ').slice(0, 19) + 'Z';
}

export function fmtBytes(n: number | undefined): string {
  if (n == null) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(i ? 1 : 0)} ${units[i]}`;
}

// --- The fridge app (docs/fridge.md; pages/fridge.tsx) ---
// Whether the server runs `--app fridge`: GET /apps/fridge/api/status answers 404 without it.
// The fridge page asks on its load (fridgeAvailability); the nav entry (main.tsx, fridgeNav)
// asks once per console session and remembers the answer in localStorage under a hash of the
// session's CSRF token, so that other pages' loads ask nothing (a server restart ends sessions).
export interface FridgeAvailability {
  on: boolean;
  status?: { ready: boolean; recipes_indexed?: number; retrieval?: string; chat_model?: string; embedding_model?: string };
  problem?: string; // on, but not usable by this caller (an admin key is no fridge user)
}
let fridgeAsked: Promise<FridgeAvailability> | null = null;
export function fridgeAvailability(fresh = false): Promise<FridgeAvailability> {
  if (!fridgeAsked || fresh) {
    fridgeAsked = get<any>('/apps/fridge/api/status').then(
      (status) => ({ on: true, status }),
      (e: ApiError) => (e.status === 404 ? { on: false } : { on: true, problem: e.message }),
    );
  }
  return fridgeAsked;
}
function sessionTag(token: string): string {
  let h = 2166136261;
  for (let i = 0; i < token.length; i++) h = Math.imul(h ^ token.charCodeAt(i), 16777619);
  return (h >>> 0).toString(16);
}
export async function fridgeNav(csrfToken: string | null): Promise<boolean> {
  const tag = sessionTag(csrfToken ?? 'keyless');
  const saved = localStorage.getItem('ondo-fridge-app');
  if (saved?.startsWith(`${tag}:`)) return saved.endsWith(':on');
  const a = await fridgeAvailability(true);
  localStorage.setItem('ondo-fridge-app', `${tag}:${a.on ? 'on' : 'off'}`);
  return a.on;
}
export const fridge = <T = any>(method: string, path: string, body?: unknown) => api<T>(method, `/apps/fridge/api/${path}`, body);
// POST /apps/fridge/api/detect with the photo as the multipart part "image".
export async function detectPhoto(photo: Blob): Promise<{ detections: { label: string; score: number; box: { x: number; y: number; width: number; height: number } }[] }> {
  const form = new FormData();
  form.append('image', photo, 'photo');
  const res = await fetch('/apps/fridge/api/detect', {
    method: 'POST', credentials: 'same-origin', headers: headers('POST', false), body: form,
  });
  if (!res.ok) throw await errorOf(res);
  return res.json();
}

// --- Jobs page (issue 19) ---
// Server-sent events of a GET (a job's event log): `onEvent` gets each `data:` payload parsed
// as JSON, until `[DONE]`, the end of the body or `signal` aborts.
export async function streamGet(path: string, onEvent: (data: any) => void, signal?: AbortSignal) {
  const res = await fetch(path, { credentials: 'same-origin', headers: { Accept: 'text/event-stream' }, signal });
  if (!res.ok || !res.body) throw await errorOf(res);
  await readEvents(res.body, onEvent);
}
