// The console's shell: sign-in gate, navigation, theme and the client-side router
// (/console/<page>; "/" is the playground).
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import css from './style.css?inline';
import uplotCss from 'uplot/dist/uPlot.min.css?inline';
import { api, fridgeNav, request, Session, setCsrf } from './api';
import { Playground } from './pages/playground';
import { Models } from './pages/models';
import { Metrics } from './pages/metrics';
import { Keys } from './pages/keys';
import { Prompts } from './pages/prompts';
import { Usage } from './pages/usage';
import { Collections } from './pages/collections';
import { Jobs } from './pages/jobs';
import { Fridge } from './pages/fridge';

// Styles travel inside the script: one request fewer per page load.
const style = document.createElement('style');
style.textContent = css + uplotCss;
document.head.appendChild(style);

const pages = [
  { id: 'playground', title: 'Playground', view: Playground },
  { id: 'models', title: 'Models', view: Models },
  { id: 'metrics', title: 'Metrics', view: Metrics },
  { id: 'prompts', title: 'Prompts', view: Prompts },
  { id: 'collections', title: 'Collections', view: Collections },
  { id: 'usage', title: 'Usage', view: Usage },
  { id: 'keys', title: 'Keys', view: Keys },
  { id: 'jobs', title: 'Jobs', view: Jobs },
  { id: 'fridge', title: 'Fridge', view: Fridge }, // only with `ondo serve --app fridge` (fridgeOn)
] as const;

function pageOf(pathname: string): string {
  const m = /^\/console\/([a-z]+)/.exec(pathname);
  return m && pages.some((p) => p.id === m[1]) ? m[1] : 'playground';
}

export function navigate(path: string) {
  history.pushState(null, '', path);
  dispatchEvent(new PopStateEvent('popstate'));
}

type Theme = 'light' | 'dark';
function initialTheme(): Theme {
  const saved = localStorage.getItem('ondo-theme');
  if (saved === 'light' || saved === 'dark') return saved;
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

function SignIn({ onSignedIn, problem }: { onSignedIn: (s: Session) => void; problem?: string }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState(problem ?? '');
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      onSignedIn(await api<Session>('POST', '/v1/console/session', { key }));
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="signin">
      <form onSubmit={submit} aria-labelledby="signin-title">
        <h1 id="signin-title">ondo console</h1>
        <p>Sign in with the admin key or an API key. The key stays on the server; this browser keeps only an httpOnly session cookie.</p>
        <label>
          Key
          <input type="password" name="key" autoComplete="off" value={key} onInput={(e) => setKey(e.currentTarget.value)} autoFocus required />
        </label>
        <button type="submit" disabled={busy || !key}>Sign in</button>
        {error && <p class="error" role="alert">{error}</p>}
      </form>
    </main>
  );
}

function App() {
  const [session, setSession] = useState<Session | null>(null);
  const [checked, setChecked] = useState(false);
  const [loadError, setLoadError] = useState<Error | null>(null);
  const [page, setPage] = useState(pageOf(location.pathname));
  const [theme, setTheme] = useState<Theme>(initialTheme());
  const [fridgeOn, setFridgeOn] = useState(false);

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem('ondo-theme', theme);
  }, [theme]);
  useEffect(() => {
    const onPop = () => setPage(pageOf(location.pathname));
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);
  useEffect(() => {
    api<Session>('GET', '/v1/console/session')
      .then((s) => {
        if (s.signed_in) signedIn(s);
        else if (s.reason && s.reason !== 'console session: not signed in') setLoadError(new Error(s.reason));
      })
      .catch((e) => setLoadError(e))
      .finally(() => setChecked(true));
  }, []);
  useEffect(() => {
    const t = pages.find((p) => p.id === page)!.title;
    document.title = `${t} · ondo console`;
  }, [page]);

  function signedIn(s: Session) {
    setCsrf(s.csrf_token);
    setSession(s);
    fridgeNav(s.csrf_token).then(setFridgeOn, () => setFridgeOn(false));
  }
  async function signOut() {
    await request('DELETE', '/v1/console/session').catch(() => undefined);
    setCsrf(null);
    setSession(null);
  }

  if (!checked) return <p class="loading">Loading…</p>;
  if (!session) return <SignIn onSignedIn={signedIn} problem={loadError?.message} />;
  const View = pages.find((p) => p.id === page)!.view;
  return (
    <div class="shell">
      <a class="skip" href="#main">Skip to content</a>
      <header>
        <strong class="brand">ondo</strong>
        <nav aria-label="Pages">
          {pages.filter((p) => p.id !== 'fridge' || fridgeOn).map((p) => (
            <a
              href={`/console/${p.id}`}
              aria-current={p.id === page ? 'page' : undefined}
              onClick={(e) => {
                if (e.ctrlKey || e.metaKey || e.shiftKey) return;
                e.preventDefault();
                navigate(`/console/${p.id}`);
              }}
            >
              {p.title}
            </a>
          ))}
        </nav>
        <span class="who" title="signed in as">{session.caller}</span>
        <button type="button" class="ghost" onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')} aria-label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`}>
          {theme === 'dark' ? '☀' : '☾'}
        </button>
        {session.auth_required && (
          <button type="button" class="ghost" onClick={signOut}>Sign out</button>
        )}
      </header>
      <main id="main" tabIndex={-1}>
        <View session={session} />
      </main>
    </div>
  );
}

render(<App />, document.getElementById('app')!);
