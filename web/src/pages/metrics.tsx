// Metrics: live tokens/s, queue and KV-cache use, polled from the Prometheus /metrics route
// every 2 s and drawn with uPlot.
import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import { request } from '../api';
import { parseProm, Sample, total } from '../prom';
import { ErrorNote, PageProps, Section } from '../ui';

const kPollMs = 2000;
const kPoints = 150;

interface Point {
  t: number;
  tps: number;
  running: number;
  waiting: number;
  kv: number;
}

function Chart({ title, series, data }: { title: string; series: { label: string; color: string }[]; data: number[][] }) {
  const el = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  useEffect(() => {
    if (!el.current) return;
    const opts: uPlot.Options = {
      width: Math.max(320, el.current.clientWidth),
      height: 180,
      title,
      series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2 }))],
      axes: [{ stroke: 'currentColor' }, { stroke: 'currentColor' }],
      scales: { x: { time: true } },
    };
    plot.current = new uPlot(opts, data as uPlot.AlignedData, el.current);
    return () => plot.current?.destroy();
  }, []);
  useEffect(() => {
    plot.current?.setData(data as uPlot.AlignedData);
  }, [data]);
  return <div class="chart" ref={el} role="img" aria-label={title} />;
}

export function Metrics(_: PageProps) {
  const [points, setPoints] = useState<Point[]>([]);
  const [latest, setLatest] = useState<Sample[]>([]);
  const [error, setError] = useState<Error | null>(null);
  const prev = useRef<{ t: number; tokens: number } | null>(null);

  useEffect(() => {
    let live = true;
    async function poll() {
      try {
        const text = await (await request('GET', '/metrics')).text();
        const s = parseProm(text);
        const t = Date.now() / 1000;
        const tokens = total(s, 'ondo_completion_tokens_total');
        const p = prev.current;
        const tps = p && t > p.t ? Math.max(0, (tokens - p.tokens) / (t - p.t)) : 0;
        prev.current = { t, tokens };
        if (!live) return;
        setLatest(s);
        setError(null);
        setPoints((old) => [...old, {
          t, tps,
          running: total(s, 'ondo_requests_running'),
          waiting: total(s, 'ondo_requests_waiting'),
          kv: 100 * Math.max(0, ...s.filter((x) => x.name === 'ondo_kv_cache_usage_ratio').map((x) => x.value)),
        }].slice(-kPoints));
      } catch (e) {
        if (live) setError(e as Error);
      }
    }
    poll();
    const id = setInterval(poll, kPollMs);
    return () => {
      live = false;
      clearInterval(id);
    };
  }, []);

  const col = (f: (p: Point) => number) => points.map(f);
  const last = points[points.length - 1];
  const requests = latest.filter((s) => s.name === 'ondo_requests_total');
  return (
    <>
      <h1>Metrics</h1>
      <ErrorNote error={error} />
      <div class="tiles">
        <div class="tile"><span>tokens/s</span><strong data-testid="tps">{last ? last.tps.toFixed(1) : '–'}</strong></div>
        <div class="tile"><span>running</span><strong>{last?.running ?? '–'}</strong></div>
        <div class="tile"><span>waiting</span><strong>{last?.waiting ?? '–'}</strong></div>
        <div class="tile"><span>KV cache</span><strong>{last ? `${last.kv.toFixed(1)} %` : '–'}</strong></div>
        <div class="tile"><span>completion tokens</span><strong>{total(latest, 'ondo_completion_tokens_total').toLocaleString('en-US')}</strong></div>
      </div>
      <Section title="Live">
        <Chart title="tokens/s" series={[{ label: 'tokens/s', color: '#3b82f6' }]} data={[col((p) => p.t), col((p) => p.tps)]} />
        <Chart title="queue" series={[{ label: 'running', color: '#10b981' }, { label: 'waiting', color: '#f59e0b' }]}
          data={[col((p) => p.t), col((p) => p.running), col((p) => p.waiting)]} />
        <Chart title="KV cache use (%)" series={[{ label: 'KV %', color: '#a855f7' }]} data={[col((p) => p.t), col((p) => p.kv)]} />
      </Section>
      <Section title="Requests by route and status">
        <div class="table-wrap">
          <table>
            <thead><tr><th scope="col">route</th><th scope="col">status</th><th scope="col">requests</th></tr></thead>
            <tbody>
              {requests.sort((a, b) => b.value - a.value).slice(0, 20).map((s) => (
                <tr><td><code>{s.labels.route}</code></td><td>{s.labels.status}</td><td>{s.value}</td></tr>
              ))}
            </tbody>
          </table>
        </div>
      </Section>
    </>
  );
}
