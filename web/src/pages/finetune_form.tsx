// "Start a fine-tune": base model (from /v1/models), training file (uploaded here with
// progress, purpose fine-tune, or one uploaded before), the LoRA target groups (attention:
// q, k, v, o; MLP: gate, up, down), each with its toggle, rank and alpha, and OpenAI's
// hyperparameters. Posts to /v1/fine_tuning/jobs with ondo's `lora` object (docs/api.md).
// Its two reads (/v1/models, /v1/files) happen when the form is opened, not on page load.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, fmtBytes, get, uploadFile } from '../api';
import { ErrorNote, Section } from '../ui';

interface Group {
  enabled: boolean;
  rank: string;
  alpha: string;
  modules: string[];
}

const kAttention = ['q', 'k', 'v', 'o'];
const kMlp = ['gate', 'up', 'down'];

// A field's server error, shown next to it (role alert so a screen reader hears it).
function FieldError({ error, id }: { error: string | undefined; id: string }) {
  if (!error) return null;
  return <p class="error field-error" role="alert" id={id}>{error}</p>;
}

function GroupFields({ name, title, all, group, set, errors }: {
  name: string; title: string; all: string[]; group: Group; set: (g: Group) => void; errors: Record<string, string>;
}) {
  const err = errors[`lora.${name}`] ?? Object.entries(errors).find(([k]) => k.startsWith(`lora.${name}.`))?.[1];
  return (
    <fieldset class="lora-group">
      <legend>
        <label class="check">
          <input type="checkbox" checked={group.enabled} onChange={(e) => set({ ...group, enabled: e.currentTarget.checked })} />
          {title}
        </label>
      </legend>
      <div class="row">
        <label>
          {`${title} rank`}
          <input type="number" min={1} max={256} value={group.rank} disabled={!group.enabled}
            onInput={(e) => set({ ...group, rank: e.currentTarget.value })} />
        </label>
        <label>
          {`${title} alpha`}
          <input type="number" min={0} step="any" placeholder="2 × rank" value={group.alpha} disabled={!group.enabled}
            onInput={(e) => set({ ...group, alpha: e.currentTarget.value })} />
        </label>
      </div>
      <div class="row" role="group" aria-label={`${title} modules`}>
        {all.map((m) => (
          <label class="check">
            <input type="checkbox" checked={group.modules.includes(m)} disabled={!group.enabled}
              onChange={(e) => set({ ...group, modules: e.currentTarget.checked ? all.filter((x) => x === m || group.modules.includes(x)) : group.modules.filter((x) => x !== m) })} />
            {m}
          </label>
        ))}
      </div>
      <FieldError error={err} id={`err-lora-${name}`} />
    </fieldset>
  );
}

const num = (s: string) => (s.trim() === '' ? undefined : Number(s));

export function FineTuneForm({ onCreated }: { onCreated: (id: string) => void }) {
  const [models, setModels] = useState<string[]>([]);
  const [files, setFiles] = useState<any[]>([]);
  const [loadError, setLoadError] = useState<Error | null>(null);
  const [model, setModel] = useState('');
  const [fileId, setFileId] = useState('');
  const [chosen, setChosen] = useState<File | null>(null);
  const [uploading, setUploading] = useState<number | null>(null);
  const [attention, setAttention] = useState<Group>({ enabled: true, rank: '8', alpha: '', modules: ['q', 'v'] });
  const [mlp, setMlp] = useState<Group>({ enabled: false, rank: '8', alpha: '', modules: [...kMlp] });
  const [epochs, setEpochs] = useState('');
  const [lrMult, setLrMult] = useState('');
  const [batch, setBatch] = useState('');
  const [suffix, setSuffix] = useState('');
  const [seed, setSeed] = useState('42');
  const [maxSteps, setMaxSteps] = useState('');
  const [warmup, setWarmup] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    get<{ data: any[] }>('/v1/models')
      .then((r) => {
        const bases = r.data.filter((m) => !m.parent && !String(m.id).startsWith('ft:')).map((m) => String(m.id));
        setModels(bases);
        setModel((cur) => cur || bases[0] || '');
      })
      .catch(setLoadError);
    get<{ data: any[] }>('/v1/files?purpose=fine-tune&limit=100')
      .then((r) => setFiles(r.data.filter((f) => f.purpose === 'fine-tune')))
      .catch(() => setFiles([]));  // a server without a store: the create says so
  }, []);

  // A server error: next to its field when it names one, else under the form.
  function show(e: unknown, fallbackParam?: string) {
    const err = e as ApiError;
    const param = err.param ?? fallbackParam;
    if (param) setErrors({ [param]: err.message });
    else setError(err);
  }

  async function upload() {
    if (!chosen) return;
    setErrors({});
    setError(null);
    setUploading(0);
    try {
      const f = await uploadFile(chosen, 'fine-tune', setUploading);
      setFiles((old) => [f, ...old]);
      setFileId(f.id);
      setChosen(null);
    } catch (e) {
      show(e, 'file');
    } finally {
      setUploading(null);
    }
  }

  const group = (g: Group) => {
    const out: Record<string, unknown> = { enabled: g.enabled };
    if (!g.enabled) return out;
    if (num(g.rank) !== undefined) out.rank = num(g.rank);
    if (num(g.alpha) !== undefined) out.alpha = num(g.alpha);
    out.modules = g.modules;
    return out;
  };

  async function submit(e: Event) {
    e.preventDefault();
    setErrors({});
    setError(null);
    setBusy(true);
    const hp: Record<string, unknown> = {};
    if (num(epochs) !== undefined) hp.n_epochs = num(epochs);
    if (num(lrMult) !== undefined) hp.learning_rate_multiplier = num(lrMult);
    if (num(batch) !== undefined) hp.batch_size = num(batch);
    const lora: Record<string, unknown> = { attention: group(attention), mlp: group(mlp) };
    if (num(maxSteps) !== undefined) lora.max_steps = num(maxSteps);
    if (num(warmup) !== undefined) lora.lr_schedule = { type: 'cosine', warmup_steps: num(warmup) };
    const body: Record<string, unknown> = { model, training_file: fileId, hyperparameters: hp, lora };
    if (suffix.trim()) body.suffix = suffix.trim();
    if (num(seed) !== undefined) body.seed = num(seed);
    try {
      const job = await api<any>('POST', '/v1/fine_tuning/jobs', body);
      onCreated(job.id);
    } catch (err) {
      show(err);
    } finally {
      setBusy(false);
    }
  }

  const fieldErr = (k: string) => errors[k];
  const hpErr = Object.entries(errors).find(([k]) => k.startsWith('hyperparameters'))?.[1];
  const loraErr = errors.lora ?? errors['lora.max_steps'] ?? errors['lora.lr_schedule.warmup_steps'];
  return (
    <Section title="Start a fine-tune">
      <ErrorNote error={loadError} />
      <form onSubmit={submit} class="finetune-form" aria-label="Start a fine-tune">
        <div class="form-grid">
          <label>
            Base model
            <select value={model} onChange={(e) => setModel(e.currentTarget.value)} required aria-describedby="err-model">
              {models.map((m) => <option value={m}>{m}</option>)}
            </select>
          </label>
          <FieldError error={fieldErr('model')} id="err-model" />
        </div>
        <fieldset class="training-file">
          <legend>Training file (JSONL: chat <code>messages</code>, <code>instruction</code> or plain text)</legend>
          <div class="row">
            <label>
              Upload a JSONL file
              <input type="file" accept=".jsonl,.json,.txt,application/jsonl" aria-describedby="err-file"
                onChange={(e) => setChosen(e.currentTarget.files?.[0] ?? null)} />
            </label>
            <button type="button" class="ghost" onClick={upload} disabled={!chosen || uploading !== null}>Upload</button>
            {uploading !== null && (
              <progress value={uploading} max={1} aria-label="upload progress" />
            )}
          </div>
          <FieldError error={fieldErr('file')} id="err-file" />
          <label>
            Training file
            <select value={fileId} onChange={(e) => setFileId(e.currentTarget.value)} aria-describedby="err-training-file">
              <option value="">(choose an uploaded file)</option>
              {files.map((f) => <option value={f.id}>{`${f.filename} · ${fmtBytes(f.bytes)} · ${f.id}`}</option>)}
            </select>
          </label>
          <FieldError error={fieldErr('training_file')} id="err-training-file" />
        </fieldset>
        <div class="grid2">
          <GroupFields name="attention" title="Attention" all={kAttention} group={attention} set={setAttention} errors={errors} />
          <GroupFields name="mlp" title="MLP" all={kMlp} group={mlp} set={setMlp} errors={errors} />
        </div>
        <div class="form-grid">
          <label>
            Epochs
            <input type="number" min={1} max={50} placeholder="auto (3)" value={epochs} onInput={(e) => setEpochs(e.currentTarget.value)} />
          </label>
          <label>
            Learning-rate multiplier
            <input type="number" min={0} step="any" placeholder="auto (1)" value={lrMult} onInput={(e) => setLrMult(e.currentTarget.value)} />
          </label>
          <label>
            Batch size
            <input type="number" min={1} max={256} placeholder="auto (4)" value={batch} onInput={(e) => setBatch(e.currentTarget.value)} />
          </label>
          <label>
            Suffix
            <input type="text" maxLength={64} pattern="[A-Za-z0-9_\-]*" value={suffix} onInput={(e) => setSuffix(e.currentTarget.value)} aria-describedby="err-suffix" />
          </label>
          <label>
            Seed
            <input type="number" min={0} value={seed} onInput={(e) => setSeed(e.currentTarget.value)} />
          </label>
          <label>
            Max steps
            <input type="number" min={0} placeholder="0: from the epochs" value={maxSteps} onInput={(e) => setMaxSteps(e.currentTarget.value)} />
          </label>
          <label>
            Warm-up steps
            <input type="number" min={0} placeholder="100" value={warmup} onInput={(e) => setWarmup(e.currentTarget.value)} />
          </label>
        </div>
        <FieldError error={fieldErr('suffix')} id="err-suffix" />
        <FieldError error={hpErr} id="err-hyperparameters" />
        <FieldError error={loraErr} id="err-lora" />
        {Object.entries(errors).filter(([k]) => !['model', 'file', 'training_file', 'suffix', 'lora', 'lora.max_steps', 'lora.lr_schedule.warmup_steps'].includes(k)
          && !k.startsWith('hyperparameters') && !k.startsWith('lora.attention') && !k.startsWith('lora.mlp')).map(([k, m]) => (
          <p class="error" role="alert">{`${k}: ${m}`}</p>
        ))}
        <ErrorNote error={error} />
        <button type="submit" disabled={busy || !model}>{busy ? 'Starting…' : 'Start fine-tune'}</button>
      </form>
    </Section>
  );
}
