// Collections, "Ask": a question answered by a chat model with retrieval over the open vector
// store (the `rag` field of /v1/chat/completions, streamed), then the numbered citations the
// answer's first chunk carries (filename, score, the quoted chunk, expandable). The model list
// is read when the section is opened, so a page load does not pay for it.
import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { get, streamEvents } from '../api';
import { ErrorNote } from '../ui';

interface Citation {
  index: number;
  file_id: string;
  filename: string;
  chunk: string;
  score: number;
  text: string;
}

// The answer with its [n] markers as links to citation n.
function withMarkers(text: string, known: Set<number>) {
  return text.split(/(\[\d+\])/).map((part) => {
    const m = /^\[(\d+)\]$/.exec(part);
    return m && known.has(Number(m[1])) ? <a href={`#cite-${m[1]}`} class="cite-ref">{part}</a> : <Fragment>{part}</Fragment>;
  });
}

export function Ask({ storeId }: { storeId: string }) {
  const [open, setOpen] = useState(false);
  const [models, setModels] = useState<string[] | null>(null);
  const [model, setModel] = useState('');
  const [question, setQuestion] = useState('');
  const [max, setMax] = useState('3');
  const [maxTokens, setMaxTokens] = useState('64');
  const [answer, setAnswer] = useState('');
  const [citations, setCitations] = useState<Citation[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);

  function toggle(e: Event) {
    const isOpen = (e.currentTarget as HTMLDetailsElement).open;
    setOpen(isOpen);
    if (isOpen && models === null) {
      setModels([]);
      get<{ data: { id: string }[] }>('/v1/models').then((r) => setModels(r.data.map((m) => m.id))).catch((err) => setError(err));
    }
  }

  async function ask(e: Event) {
    e.preventDefault();
    const chosen = model || models?.[0];
    if (!chosen || !question.trim() || busy) return;
    setBusy(true);
    setError(null);
    setAnswer('');
    setCitations(null);
    let text = '';
    try {
      await streamEvents('/v1/chat/completions', {
        model: chosen,
        messages: [{ role: 'user', content: question }],
        rag: { vector_store_ids: [storeId], max_num_results: Number(max) },
        stream: true,
        max_tokens: Number(maxTokens),
        temperature: 0,
      }, (chunk) => {
        if (Array.isArray(chunk.citations)) setCitations(chunk.citations);
        const delta = chunk.choices?.[0]?.delta?.content;
        if (delta) {
          text += delta;
          setAnswer(text);
        }
      });
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  }

  const known = new Set((citations ?? []).map((c) => c.index));
  return (
    <details class="card ask" onToggle={toggle}>
      <summary><h2>Ask with citations</h2></summary>
      {open && (
        <>
          <p class="muted">A chat model answers from this store's best chunks (the <code>rag</code> field of chat completions);
            the sources it was given are listed, numbered as in its prompt.</p>
          <form class="form-grid" onSubmit={ask} aria-label="Ask">
            <label class="wide">Question<textarea name="question" rows={2} value={question} onInput={(e) => setQuestion(e.currentTarget.value)} required /></label>
            <label>Chat model
              <select value={model || models?.[0] || ''} onChange={(e) => setModel(e.currentTarget.value)}>
                {(models ?? []).map((m) => <option value={m}>{m}</option>)}
              </select>
            </label>
            <label>Sources<input type="number" min="1" max="50" value={max} onInput={(e) => setMax(e.currentTarget.value)} /></label>
            <label>max_tokens<input type="number" min="1" value={maxTokens} onInput={(e) => setMaxTokens(e.currentTarget.value)} /></label>
            <div><button type="submit" disabled={busy || !models?.length}>{busy ? 'Answering…' : 'Ask'}</button></div>
          </form>
          <ErrorNote error={error} />
          {(answer || busy) && (
            <div class="answer" data-testid="answer" aria-live="polite">
              {withMarkers(answer, known)}{busy && <span class="cursor">▍</span>}
            </div>
          )}
          {citations && (
            <ol class="citations" data-testid="citations">
              {citations.map((c) => (
                <li id={`cite-${c.index}`} value={c.index}>
                  <details>
                    <summary>
                      <strong>[{c.index}] {c.filename}</strong> <span class="score">score {c.score.toFixed(4)}</span>{' '}
                      <code class="muted">{c.chunk}</code>
                    </summary>
                    <blockquote class="hit-text">{c.text}</blockquote>
                  </details>
                </li>
              ))}
              {!citations.length && <li class="muted">No sources were found in this store.</li>}
            </ol>
          )}
        </>
      )}
    </details>
  );
}
