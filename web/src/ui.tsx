// Small pieces the pages share: loading/error state of one request, a table, a notice.
import { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from './api';

export interface PageProps {
  session: { admin: boolean; auth_required: boolean; caller: string };
}

export function useLoad<T>(load: () => Promise<T>, deps: unknown[] = []) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<ApiError | Error | null>(null);
  const [n, setN] = useState(0);
  useEffect(() => {
    let live = true;
    setError(null);
    load()
      .then((d) => live && setData(d))
      .catch((e) => live && setError(e));
    return () => {
      live = false;
    };
  }, [...deps, n]);
  return { data, error, reload: () => setN(n + 1) };
}

export function ErrorNote({ error }: { error: Error | null | undefined }) {
  if (!error) return null;
  return <p class="error" role="alert">{error.message}</p>;
}

export function Section({ title, children, actions }: { title: string; children: ComponentChildren; actions?: ComponentChildren }) {
  return (
    <section class="card">
      <div class="card-head">
        <h2>{title}</h2>
        {actions}
      </div>
      {children}
    </section>
  );
}

export function Table({ head, rows, empty }: { head: string[]; rows: ComponentChildren[][]; empty?: string }) {
  if (!rows.length) return <p class="muted">{empty ?? 'Nothing yet.'}</p>;
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>{head.map((h) => <th scope="col">{h}</th>)}</tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr>{r.map((c) => <td>{c}</td>)}</tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
