// Fridge: the fridge app (`ondo serve --app fridge`, docs/fridge.md) through its API only:
// households and members, fridges, items with place and use-by (estimated ones marked), what
// expires soon, consume / discard / move, waste per month, recipes, a recommendation (the JSON
// answer and the expiring items it used), and a photo: detected boxes drawn on it, picked and
// added to a fridge in one call. A load asks for the household list only (the app's status comes
// from main.tsx's check); opening a household loads its parts.
import { useEffect, useState } from 'preact/hooks';
import { detectPhoto, fridge, FridgeAvailability, fridgeAvailability } from '../api';
import { ErrorNote, PageProps, Section, Table } from '../ui';

type Json = any;
interface Detection {
  label: string;
  score: number;
  box: { x: number; y: number; width: number; height: number };
}

const units = ['piece', 'g', 'kg', 'ml', 'l', 'pack', 'bottle', 'can', 'bunch', 'head', 'slice', 'tbsp', 'tsp', 'cup', 'box', 'bag'];

function useAction() {
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  async function run(f: () => Promise<unknown>) {
    setBusy(true);
    setError(null);
    try {
      await f();
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  }
  return { error, busy, run };
}

function UseBy({ item }: { item: Json }) {
  const left = item.days_left as number | undefined;
  const cls = left == null ? '' : left < 0 ? 'expired' : left <= 2 ? 'in_progress' : 'active';
  return (
    <span>
      {item.use_by}{' '}
      {left != null && <span class={`badge ${cls}`}>{left < 0 ? `expired ${-left} d ago` : `${left} d left`}</span>}
      {item.estimated && <span class="badge" title="no use-by given: bought date + typical shelf life">estimated</span>}
      {item.detected?.source === 'photo' && <span class="badge">from photo</span>}
    </span>
  );
}

export function Fridge({ session }: PageProps) {
  const [avail, setAvail] = useState<FridgeAvailability | null>(null);
  const [households, setHouseholds] = useState<Json[] | null>(null);
  const [listError, setListError] = useState<Error | null>(null);
  const [hid, setHid] = useState('');
  const [name, setName] = useState('');
  const act = useAction();

  async function loadHouseholds() {
    try {
      setHouseholds((await fridge('GET', 'households')).data);
    } catch (e) {
      setListError(e as Error);
    }
  }
  useEffect(() => {
    fridgeAvailability().then((a) => {
      setAvail(a);
      if (a.on && !a.problem) loadHouseholds();
    });
  }, []);

  if (!avail) return <p class="loading">Loading…</p>;
  if (!avail.on) {
    return (
      <>
        <h1>Fridge</h1>
        <p class="notice" data-testid="fridge-off">The fridge app is not running on this server: start it with <code>ondo serve --app fridge</code>.</p>
      </>
    );
  }
  if (avail.problem) {
    return (
      <>
        <h1>Fridge</h1>
        <p class="notice" data-testid="fridge-admin">
          The fridge app's users are API keys; signed in as <code>{session.caller}</code>, this page cannot act for a household
          ({avail.problem}). Sign in with a member's API key (the Keys page creates one).
        </p>
      </>
    );
  }
  const s = avail.status!;
  return (
    <>
      <h1>Fridge</h1>
      <p class="muted" data-testid="fridge-status">
        {s.ready ? `${s.recipes_indexed ?? 0} recipes indexed (${s.retrieval})` : 'recipe collection loading'} · chat model{' '}
        <code>{s.chat_model || 'none'}</code>
      </p>
      <Section title="Households">
        <ErrorNote error={listError ?? act.error} />
        <ul class="list" aria-label="Households">
          {(households ?? []).map((h) => (
            <li>
              <button type="button" class={h.id === hid ? 'selected' : 'ghost'} aria-pressed={h.id === hid} onClick={() => setHid(h.id)}>
                {h.name} <span class="muted">({h.members?.length ?? 0} members)</span>
              </button>
            </li>
          ))}
        </ul>
        {households && households.length === 0 && <p class="muted">No household yet: create one.</p>}
        <form
          class="row"
          onSubmit={(e) => {
            e.preventDefault();
            act.run(async () => {
              const h = await fridge('POST', 'households', { name });
              setName('');
              await loadHouseholds();
              setHid(h.id);
            });
          }}
        >
          <label>
            New household
            <input value={name} onInput={(e) => setName(e.currentTarget.value)} required maxLength={200} />
          </label>
          <button type="submit" disabled={act.busy || !name}>Create household</button>
        </form>
      </Section>
      {hid && <Household key={hid} hid={hid} onChanged={loadHouseholds} />}
    </>
  );
}

function Household({ hid, onChanged }: { hid: string; onChanged: () => void }) {
  const [h, setH] = useState<Json>(null);
  const [fridges, setFridges] = useState<Json[]>([]);
  const [items, setItems] = useState<Json[]>([]);
  const [soon, setSoon] = useState<Json[]>([]);
  const [stats, setStats] = useState<Json[]>([]);
  const [recipes, setRecipes] = useState<Json[]>([]);
  const [loadError, setLoadError] = useState<Error | null>(null);
  const [n, setN] = useState(0);
  const reload = () => setN(n + 1);

  useEffect(() => {
    const base = `households/${hid}`;
    Promise.all([
      fridge('GET', base), fridge('GET', `${base}/fridges`), fridge('GET', `${base}/items`),
      fridge('GET', `${base}/expiring?days=3`), fridge('GET', `${base}/stats`),
    ])
      .then(([hh, fr, it, ex, st]) => {
        setH(hh);
        setFridges(fr.data);
        setItems(it.data);
        setSoon(ex.data);
        setStats(st.data);
        setLoadError(null);
      })
      .catch(setLoadError);
  }, [hid, n]);
  useEffect(() => {
    fridge('GET', `households/${hid}/recipes`).then((r) => setRecipes(r.data), setLoadError);
  }, [hid]);

  if (!h) return <ErrorNote error={loadError} />;
  const fridgeName = (id: string) => fridges.find((f) => f.id === id)?.name ?? id;
  return (
    <>
      <ErrorNote error={loadError} />
      <div class="grid2">
        <Members h={h} reload={() => { reload(); onChanged(); }} />
        <Fridges hid={hid} fridges={fridges} reload={reload} />
      </div>
      <Section title="Expiring soon (3 days)">
        <div data-testid="fridge-expiring">
          <Table head={['item', 'fridge', 'place', 'use by']} empty="Nothing expires within 3 days."
            rows={soon.map((it) => [it.name, fridgeName(it.fridge_id), it.place, <UseBy item={it} />])} />
        </div>
      </Section>
      <Items fridges={fridges} items={items} fridgeName={fridgeName} reload={reload} />
      <Photo fridges={fridges} reload={reload} />
      <Recommend hid={hid} />
      <div class="grid2">
        <Section title="Waste per month">
          <div data-testid="fridge-waste">
            <Table head={['month', 'eaten', 'thrown away', 'waste share']} empty="Nothing eaten or thrown away yet."
              rows={stats.map((m) => [m.month, m.eaten_items.toFixed(2), m.discarded_items.toFixed(2), `${Math.round(m.waste_share * 100)} %`])} />
          </div>
        </Section>
        <Recipes hid={hid} recipes={recipes} added={(r) => setRecipes([r, ...recipes])} />
      </div>
    </>
  );
}

function Members({ h, reload }: { h: Json; reload: () => void }) {
  const [keyId, setKeyId] = useState('');
  const [role, setRole] = useState('member');
  const act = useAction();
  return (
    <Section title={`Members of ${h.name}`}>
      <ErrorNote error={act.error} />
      <Table head={['key', 'role', '']} rows={h.members.map((m: Json) => [
        <code>{m.key_id}</code>, m.role,
        <button type="button" class="danger" disabled={act.busy} aria-label={`Remove ${m.key_id}`}
          onClick={() => act.run(async () => { await fridge('DELETE', `households/${h.id}/members/${m.key_id}`); reload(); })}>Remove</button>,
      ])} />
      <form class="row" onSubmit={(e) => {
        e.preventDefault();
        act.run(async () => { await fridge('POST', `households/${h.id}/members`, { key_id: keyId, role }); setKeyId(''); reload(); });
      }}>
        <label>Key id<input value={keyId} onInput={(e) => setKeyId(e.currentTarget.value)} required /></label>
        <label>Role
          <select aria-label="Role" value={role} onChange={(e) => setRole(e.currentTarget.value)}>
            <option value="member">member</option>
            <option value="owner">owner</option>
          </select>
        </label>
        <button type="submit" disabled={act.busy || !keyId}>Add member</button>
      </form>
    </Section>
  );
}

function Fridges({ hid, fridges, reload }: { hid: string; fridges: Json[]; reload: () => void }) {
  const [name, setName] = useState('');
  const [kind, setKind] = useState('fridge');
  const act = useAction();
  return (
    <Section title="Fridges">
      <ErrorNote error={act.error} />
      <Table head={['name', 'kind']} rows={fridges.map((f) => [f.name, f.kind])} empty="No fridge yet." />
      <form class="row" onSubmit={(e) => {
        e.preventDefault();
        act.run(async () => { await fridge('POST', `households/${hid}/fridges`, { name, kind }); setName(''); reload(); });
      }}>
        <label>Fridge name<input value={name} onInput={(e) => setName(e.currentTarget.value)} required /></label>
        <label>Kind
          <select aria-label="Fridge kind" value={kind} onChange={(e) => setKind(e.currentTarget.value)}>
            {['fridge', 'freezer', 'pantry', 'other'].map((k) => <option value={k}>{k}</option>)}
          </select>
        </label>
        <button type="submit" disabled={act.busy || !name}>Add fridge</button>
      </form>
    </Section>
  );
}

function Items({ fridges, items, fridgeName, reload }: { fridges: Json[]; items: Json[]; fridgeName: (id: string) => string; reload: () => void }) {
  const [form, setForm] = useState({ fridge: '', name: '', quantity: '1', unit: 'piece', place: '', use_by: '' });
  const [moveTo, setMoveTo] = useState<Record<string, string>>({});
  const act = useAction();
  const target = form.fridge || fridges[0]?.id || '';
  const set = (k: string) => (e: Event) => setForm({ ...form, [k]: (e.currentTarget as HTMLInputElement).value });
  const change = (it: Json, what: 'consume' | 'discard') =>
    act.run(async () => { await fridge('POST', `items/${it.id}/${what}`, {}); reload(); });
  return (
    <Section title="Items">
      <ErrorNote error={act.error} />
      <div data-testid="fridge-items">
        <Table head={['item', 'ingredient', 'quantity', 'fridge', 'place', 'use by', 'actions']} empty="No items yet."
          rows={items.map((it) => [
            it.name, it.ingredient, `${it.quantity} ${it.unit}`, fridgeName(it.fridge_id), it.place, <UseBy item={it} />,
            <div class="row">
              <button type="button" class="ghost" disabled={act.busy} aria-label={`Consume ${it.name}`} onClick={() => change(it, 'consume')}>Consume</button>
              <button type="button" class="danger" disabled={act.busy} aria-label={`Discard ${it.name}`} onClick={() => change(it, 'discard')}>Discard</button>
              <label class="sr-only" for={`move-${it.id}`}>Move {it.name} to</label>
              <select id={`move-${it.id}`} value={moveTo[it.id] ?? ''} onChange={(e) => setMoveTo({ ...moveTo, [it.id]: e.currentTarget.value })}>
                <option value="">move to…</option>
                {fridges.filter((f) => f.id !== it.fridge_id).map((f) => <option value={f.id}>{f.name}</option>)}
              </select>
              <button type="button" class="ghost" disabled={act.busy || !moveTo[it.id]} aria-label={`Move ${it.name}`}
                onClick={() => act.run(async () => {
                  await fridge('POST', `items/${it.id}/move`, { fridge_id: moveTo[it.id] });
                  setMoveTo({ ...moveTo, [it.id]: '' });
                  reload();
                })}>Move</button>
            </div>,
          ])} />
      </div>
      <form class="form-grid" onSubmit={(e) => {
        e.preventDefault();
        act.run(async () => {
          const body: Json = { name: form.name, quantity: Number(form.quantity), unit: form.unit };
          if (form.place) body.place = form.place;
          if (form.use_by) body.use_by = form.use_by;
          await fridge('POST', `fridges/${target}/items`, body);
          setForm({ ...form, name: '', use_by: '' });
          reload();
        });
      }}>
        <label>Into fridge
          <select aria-label="Into fridge" value={target} onChange={set('fridge')}>{fridges.map((f) => <option value={f.id}>{f.name}</option>)}</select>
        </label>
        <label>Item name<input value={form.name} onInput={set('name')} required /></label>
        <label>Quantity<input type="number" min="0" step="any" value={form.quantity} onInput={set('quantity')} /></label>
        <label>Unit<select aria-label="Unit" value={form.unit} onChange={set('unit')}>{units.map((u) => <option value={u}>{u}</option>)}</select></label>
        <label>Place
          <select aria-label="Place" value={form.place} onChange={set('place')}>
            <option value="">the fridge's kind</option>
            {['fridge', 'freezer', 'pantry'].map((p) => <option value={p}>{p}</option>)}
          </select>
        </label>
        <label>Use by (empty: estimated)<input type="date" value={form.use_by} onInput={set('use_by')} /></label>
        <button type="submit" disabled={act.busy || !form.name || !target}>Add item</button>
      </form>
    </Section>
  );
}

// A photo: POST detect, the boxes drawn over it, the chosen ones added in one call.
function Photo({ fridges, reload }: { fridges: Json[]; reload: () => void }) {
  const [url, setUrl] = useState('');
  const [size, setSize] = useState({ w: 1, h: 1 });
  const [found, setFound] = useState<Detection[] | null>(null);
  const [chosen, setChosen] = useState<boolean[]>([]);
  const [into, setInto] = useState('');
  const [added, setAdded] = useState('');
  const act = useAction();
  const target = into || fridges[0]?.id || '';
  return (
    <Section title="Add from a photo">
      <ErrorNote error={act.error} />
      <label>Photo (JPEG, PNG, BMP or WebP)
        <input type="file" accept="image/*" onChange={(e) => {
          const file = e.currentTarget.files?.[0];
          if (!file) return;
          // A data: URL (the console's Content-Security-Policy allows data: images, not blob:).
          const reader = new FileReader();
          reader.onload = () => setUrl(String(reader.result));
          reader.readAsDataURL(file);
          setFound(null);
          setAdded('');
          act.run(async () => {
            const r = await detectPhoto(file);
            setFound(r.detections);
            setChosen(r.detections.map(() => true));
          });
        }} />
      </label>
      {url && (
        <div class="photo" data-testid="fridge-photo">
          <img src={url} alt="the uploaded photo" onLoad={(e) => setSize({ w: e.currentTarget.naturalWidth, h: e.currentTarget.naturalHeight })} />
          {(found ?? []).map((d, i) => (
            <span class={`box${chosen[i] ? ' chosen' : ''}`} aria-hidden="true" style={{
              left: `${(100 * d.box.x) / size.w}%`, top: `${(100 * d.box.y) / size.h}%`,
              width: `${(100 * d.box.width) / size.w}%`, height: `${(100 * d.box.height) / size.h}%`,
            }}><span>{d.label} {d.score.toFixed(2)}</span></span>
          ))}
        </div>
      )}
      {act.busy && !found && <p class="muted">Detecting…</p>}
      {found && found.length === 0 && <p class="muted">Nothing recognised in this photo.</p>}
      {found && found.length > 0 && (
        <form onSubmit={(e) => {
          e.preventDefault();
          act.run(async () => {
            const picked = found.filter((_, i) => chosen[i]);
            const r = await fridge('POST', `fridges/${target}/items:from-detections`, { detections: picked });
            setAdded(`Added ${r.data.map((it: Json) => it.name).join(', ')}.`);
            setFound(null);
            reload();
          });
        }}>
          <fieldset class="detections">
            <legend>Detected: pick what to add</legend>
            {found.map((d, i) => (
              <label class="check">
                <input type="checkbox" checked={chosen[i]} onChange={(e) => setChosen(chosen.map((c, j) => (j === i ? e.currentTarget.checked : c)))} />
                {d.label} ({d.score.toFixed(2)}, {d.box.width}×{d.box.height} at {d.box.x},{d.box.y})
              </label>
            ))}
          </fieldset>
          <div class="row">
            <label>Into fridge
              <select aria-label="Add the chosen into fridge" value={target} onChange={(e) => setInto(e.currentTarget.value)}>{fridges.map((f) => <option value={f.id}>{f.name}</option>)}</select>
            </label>
            <button type="submit" disabled={act.busy || !target || !chosen.some((c) => c)}>Add chosen</button>
          </div>
        </form>
      )}
      {added && <p role="status">{added}</p>}
    </Section>
  );
}

function Recommend({ hid }: { hid: string }) {
  const [except, setExcept] = useState('');
  const [answer, setAnswer] = useState<Json>(null);
  const act = useAction();
  return (
    <Section title="Recommend a recipe">
      <form class="row" onSubmit={(e) => {
        e.preventDefault();
        act.run(async () => {
          const ex = except.split(',').map((x) => x.trim()).filter(Boolean);
          setAnswer(await fridge('POST', 'recommend', { household_id: hid, except_recipe: ex }));
        });
      }}>
        <label>Except recipes (comma separated)<input value={except} onInput={(e) => setExcept(e.currentTarget.value)} /></label>
        <button type="submit" disabled={act.busy}>{act.busy ? 'Thinking…' : 'Recommend'}</button>
      </form>
      <ErrorNote error={act.error} />
      {answer && (
        <div data-testid="fridge-recommendation">
          <h3>{answer.recipe_name}</h3>
          <p>{answer.note}</p>
          <Table head={['uses expiring item', 'use by', 'days left']}
            rows={(answer.uses_expiring ?? []).map((u: Json) => [u.name, u.use_by, String(u.days_left)])} empty="It uses none of the expiring items." />
          <h3>The JSON answer</h3>
          <pre class="json mono">{JSON.stringify(answer, null, 2)}</pre>
        </div>
      )}
    </Section>
  );
}

function Recipes({ hid, recipes, added }: { hid: string; recipes: Json[]; added: (r: Json) => void }) {
  const [form, setForm] = useState({ name: '', ingredients: '', steps: '', visibility: 'household' });
  const act = useAction();
  const set = (k: string) => (e: Event) => setForm({ ...form, [k]: (e.currentTarget as HTMLInputElement).value });
  const own = recipes.filter((r) => r.source !== 'corpus');
  return (
    <Section title="Recipes">
      <ErrorNote error={act.error} />
      <Table head={['recipe', 'shared', 'ingredients']} empty="No household recipe yet."
        rows={own.map((r) => [r.name, r.visibility, (r.ingredients ?? []).map((i: Json) => (typeof i === 'string' ? i : i.name)).join(', ')])} />
      <p class="muted">{recipes.length - own.length} more from the built-in recipe collection.</p>
      <form class="form-grid" onSubmit={(e) => {
        e.preventDefault();
        act.run(async () => {
          const r = await fridge('POST', 'recipes', {
            household_id: hid, name: form.name, visibility: form.visibility,
            ingredients: form.ingredients.split(',').map((x) => x.trim()).filter(Boolean),
            steps: form.steps.split('\n').map((x) => x.trim()).filter(Boolean),
          });
          added(r);
          setForm({ ...form, name: '', ingredients: '', steps: '' });
        });
      }}>
        <label>Recipe name<input value={form.name} onInput={set('name')} required /></label>
        <label>Ingredients (comma separated)<input value={form.ingredients} onInput={set('ingredients')} required /></label>
        <label>Shared with
          <select aria-label="Shared with" value={form.visibility} onChange={set('visibility')}>
            <option value="household">this household</option>
            <option value="public">everyone</option>
          </select>
        </label>
        <label class="wide">Steps (one a line)<textarea rows={3} value={form.steps} onInput={set('steps')} required /></label>
        <button type="submit" disabled={act.busy || !form.name}>Share recipe</button>
      </form>
    </Section>
  );
}
