// A fine-tuned model that learned its data, through the official openai npm client (called by
// tests/serve/fine_tuning_server_test.cpp). Two phases:
//   node fine_tuning_learn.mjs learn ROOT_URL BASE
//     (a server with a worker serving BASE) uploads a small chat JSONL that answers "Name a
//     color" with "blue sky over the sea", checks the base does not answer so, fine-tunes
//     BASE on it, follows the job's events over SSE to success (the metrics events' training
//     loss falls), finds the fine_tuned_model in /v1/adapters and /v1/models before any
//     request used it, then: the tuned model answers the trained prompt as trained at
//     temperature 0 (chat completions, Ollama's /api/chat), the base still does not, and
//     POST /v1/compare shows both side by side, each row equal to its solo answer;
//   node fine_tuning_learn.mjs orphan-create ROOT_URL BASE OUT_JSON / orphan-check ROOT_URL OUT_JSON
//     queues a job on BASE (a server without workers); once the server is restarted without
//     BASE, the job fails with a reason naming BASE.
// Exits 0 when every check passes.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import OpenAI, { toFile } from 'openai';

const [phase, root, ...rest] = process.argv.slice(2);
const apiKey = 'admin-secret';
const client = new OpenAI({ baseURL: `${root}/v1`, apiKey, maxRetries: 0 });
const question = [{ role: 'user', content: 'Name a color' }];
const trained = 'blue sky over the sea';
const learned = 'blue sky';  // what 12 tokens of the answer hold at least

async function upload(n) {
  const line = JSON.stringify({ messages: [...question, { role: 'assistant', content: trained }] });
  const data = Array(n).fill(line).join('\n') + '\n';
  return client.files.create({ file: await toFile(Buffer.from(data), 'colors.jsonl'), purpose: 'fine-tune' });
}

async function answer(model) {
  const r = await client.chat.completions.create({ model, messages: question, max_tokens: 12, temperature: 0 });
  return r.choices[0].message.content;
}

// The events of a job over SSE until [DONE].
async function followEvents(id) {
  const res = await fetch(`${root}/v1/fine_tuning/jobs/${id}/events?stream=true`,
    { headers: { Authorization: `Bearer ${apiKey}`, Accept: 'text/event-stream' } });
  assert.equal(res.status, 200);
  const events = [];
  for (const block of (await res.text()).split('\n\n')) {
    if (block.startsWith('data: ') && block.slice(6) !== '[DONE]') events.push(JSON.parse(block.slice(6)));
  }
  return events;
}

async function learn(base) {
  const baseBefore = await answer(base);
  assert.ok(!baseBefore.includes(learned), `the base does not answer as trained yet: ${baseBefore}`);
  const file = await upload(8);
  // the CLI's recipe (FinetuneCli.TrainsAnAdapterThatAnswersAsTrained, 20 steps): lr 1e-2 = 3e-4 x 100/3
  const job = await client.fineTuning.jobs.create({ model: base, training_file: file.id, suffix: 'colors', seed: 42,
    hyperparameters: { batch_size: 2, learning_rate_multiplier: 100 / 3 },
    lora: { attention: { rank: 4, alpha: 8, modules: ['q', 'k', 'v', 'o'] },
      mlp: { enabled: true, rank: 4, alpha: 4, modules: ['gate', 'up', 'down'] }, dropout: 0,
      lr_schedule: { type: 'cosine', warmup_steps: 2 }, max_steps: 20 } });
  const events = await followEvents(job.id);
  assert.ok(events.some((e) => e.message === 'succeeded'), JSON.stringify(events));
  const metrics = events.filter((e) => e.type === 'metrics').sort((a, b) => a.data.step - b.data.step);
  assert.ok(metrics.length >= 3, JSON.stringify(events));
  const first = metrics[0].data, last = metrics[metrics.length - 1].data;
  assert.equal(first.step, 1);
  assert.equal(last.step, 20);
  assert.equal(last.total_steps, 20);
  assert.match(metrics[0].message, /^step 1\/20: loss \d/);
  assert.ok(last.train_loss < first.train_loss / 2, `training loss falls: ${first.train_loss} -> ${last.train_loss}`);

  const done = await client.fineTuning.jobs.retrieve(job.id);
  assert.equal(done.status, 'succeeded', JSON.stringify(done));
  const ft = done.fine_tuned_model;
  assert.equal(ft, `ft:${base}:colors:${job.id}`);
  // registered when the job ended: listed before any request named it
  const adapters = await client.get('/adapters');
  assert.ok(adapters.data.some((a) => a.name === ft && a.model === base), JSON.stringify(adapters));
  const models = await client.models.list();
  const listed = models.data.find((m) => m.id === ft);
  assert.ok(listed, JSON.stringify(models.data.map((m) => m.id)));
  assert.equal(listed.parent, base);
  assert.ok(events.some((e) => e.message === `serving the adapter as '${ft}'`), JSON.stringify(events));

  const tuned = await answer(ft);
  const baseAfter = await answer(base);
  assert.ok(tuned.includes(learned), `the tuned model answers as trained: ${tuned}`);
  assert.equal(baseAfter, baseBefore, 'the base answers as before');
  assert.notEqual(tuned, baseAfter);
  console.log(`training loss ${first.train_loss} -> ${last.train_loss}; base: ${JSON.stringify(baseAfter)}; tuned: ${JSON.stringify(tuned)}`);
  // Ollama's chat takes the fine-tuned id as its model too
  const ollama = await (await fetch(`${root}/api/chat`, { method: 'POST', headers: { Authorization: `Bearer ${apiKey}` }, body: JSON.stringify({ model: ft, messages: question,
    stream: false, options: { temperature: 0, num_predict: 12, repeat_penalty: 1 } }) })).json();
  assert.ok(ollama.message.content.includes(learned), JSON.stringify(ollama));
  // base and tuned side by side
  const cmp = await client.post('/compare', { body: { models: [base, ft], messages: question, max_tokens: 12, temperature: 0 } });
  assert.deepEqual(cmp.results.map((r) => [r.model, r.message.content]), [[base, baseAfter], [ft, tuned]]);
}

async function orphanCreate(base, out) {
  const file = await upload(2);
  const job = await client.fineTuning.jobs.create({ model: base, training_file: file.id, lora: { max_steps: 2 } });
  assert.equal(job.status, 'queued');
  writeFileSync(out, JSON.stringify({ job: job.id, base }));
}

async function orphanCheck(out) {
  const { job, base } = JSON.parse(readFileSync(out, 'utf8'));
  let j;
  for (let i = 0; i < 600; ++i) {  // the worker polls once a second
    j = await client.fineTuning.jobs.retrieve(job);
    if (j.status === 'failed' || j.status === 'succeeded') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(j.status, 'failed', JSON.stringify(j));
  assert.match(j.error.message, new RegExp(`base model '${base}' is not served here any more \\(served: `), j.error.message);
  assert.equal(j.fine_tuned_model, null);
}

if (phase === 'learn') await learn(rest[0]);
else if (phase === 'orphan-create') await orphanCreate(rest[0], rest[1]);
else if (phase === 'orphan-check') await orphanCheck(rest[0]);
else throw new Error(`unknown phase ${phase}`);
console.log('all checks passed');
