// Jobs and fine-tuning through the official openai npm client (called by
// tests/serve/jobs_server_test.cpp). Two phases:
//   node fine_tuning_client.mjs queue BASE_URL MODEL OUT_JSON
//     (a server without workers) uploads a chat JSONL, checks validation errors of
//     fineTuning.jobs.create with their params, creates two jobs, lists and retrieves them,
//     cancels one while it is queued (listEvents shows it) and writes the other's id;
//   node fine_tuning_client.mjs run BASE_URL OUT_JSON TRAIN_PARAMS_JSON
//     (the same store, now with a worker) follows the queued fine-tuning job (LoRA over the
//     served model, 50 steps) over SSE to success and its fine_tuned_model id, then queues a
//     train job through POST /v1/jobs and follows its events over SSE to success.
// Exits 0 when every check passes.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import OpenAI, { toFile } from 'openai';

const [phase, baseURL, ...rest] = process.argv.slice(2);
const apiKey = 'admin-secret';
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0 });

async function expectError(promise, status, param, fragment) {
  try {
    await promise;
  } catch (e) {
    assert.equal(e.status, status, e.message);
    if (param !== undefined) assert.equal(e.param, param, JSON.stringify(e.error));
    if (fragment) assert.ok(e.message.includes(fragment), e.message);
    return e;
  }
  assert.fail(`expected an HTTP ${status} error`);
}

function checkJob(job, model) {
  assert.equal(job.object, 'fine_tuning.job');
  assert.match(job.id, /^ftjob-[0-9a-f]{24}$/);
  assert.equal(job.model, model);
  assert.ok(['validating_files', 'queued', 'running', 'succeeded', 'failed', 'cancelled'].includes(job.status), job.status);
  assert.equal(typeof job.created_at, 'number');
  assert.ok(Array.isArray(job.result_files));
  assert.ok('hyperparameters' in job && 'n_epochs' in job.hyperparameters);
  assert.equal(job.method.type, 'supervised');
}

// Reads an SSE body until [DONE]; returns the parsed events (bounded by the test's timeout).
async function readSse(url) {
  const res = await fetch(url, { headers: { Authorization: `Bearer ${apiKey}`, Accept: 'text/event-stream' } });
  assert.equal(res.status, 200);
  assert.ok(res.headers.get('content-type').startsWith('text/event-stream'));
  const text = await res.text();
  const events = [];
  let done = false;
  for (const block of text.split('\n\n')) {
    if (!block.startsWith('data: ')) continue;
    const data = block.slice(6);
    if (data === '[DONE]') { done = true; continue; }
    events.push(JSON.parse(data));
  }
  assert.ok(done, 'the stream ends with [DONE]');
  return events;
}

async function queuePhase(model, outPath) {
  const lines = [
    { messages: [{ role: 'user', content: 'What goes with onions?' }, { role: 'assistant', content: 'Pork belly.' }] },
    { messages: [{ role: 'user', content: 'What goes with tofu?' }, { role: 'assistant', content: 'Kimchi.' }] },
  ].map((l) => JSON.stringify(l)).join('\n') + '\n';
  const file = await client.files.create({ file: await toFile(Buffer.from(lines), 'train.jsonl'), purpose: 'fine-tune' });

  // A bad training line is refused at upload, naming its line.
  const badLines = lines.split('\n')[0] + '\n{"messages": [{"role": "robot"}]}\n';
  await expectError(client.files.create({ file: await toFile(Buffer.from(badLines), 'bad.jsonl'), purpose: 'fine-tune' }),
    400, 'file', 'line 2');
  const create = (extra) => client.fineTuning.jobs.create({ model, training_file: file.id, ...extra });
  await expectError(client.fineTuning.jobs.create({ model }), 400, 'training_file', 'missing');
  await expectError(create({ model: 'no-such-model' }), 404, 'model');
  await expectError(create({ training_file: 'file-nope' }), 400, 'training_file', "no file 'file-nope'");
  await expectError(create({ hyperparameters: { n_epochs: 0 } }), 400, 'hyperparameters.n_epochs');
  await expectError(create({ hyperparameters: { batch_size: 'big' } }), 400, 'hyperparameters.batch_size');
  await expectError(create({ method: { type: 'dpo' } }), 400, 'method.type', 'not supported');
  await expectError(create({ suffix: 'a b' }), 400, 'suffix');
  await expectError(create({ lora: { attention: { modules: ['q', 'x'] } } }), 400, 'lora.attention.modules[1]', "unknown module 'x'");
  await expectError(create({ lora: { attention: { enabled: false } } }), 400, 'lora', 'no target group');
  await expectError(create({ lora: { dropout: 2 } }), 400, 'lora.dropout');

  const a = await create({ hyperparameters: { n_epochs: 3, batch_size: 4, learning_rate_multiplier: 'auto' }, suffix: 'recipes', seed: 7,
    lora: { attention: { rank: 8, alpha: 16, modules: ['q', 'v'] }, mlp: { enabled: true, rank: 4 },
      lr_schedule: { type: 'cosine', warmup_steps: 100 }, gradient_accumulation: 2, max_steps: 50 } });
  checkJob(a, model);
  assert.equal(a.status, 'queued');
  assert.equal(a.seed, 7);
  assert.equal(a.hyperparameters.n_epochs, 3);
  assert.equal(a.hyperparameters.learning_rate_multiplier, 'auto');
  assert.equal(a.fine_tuned_model, null);
  assert.deepEqual(a.lora.attention, { enabled: true, rank: 8, alpha: 16, modules: ['q', 'v'] });
  assert.equal(a.lora.mlp.alpha, 8);  // 2 x rank by default
  await new Promise((r) => setTimeout(r, 5));  // a later created_at: listed first
  const b = await create({});
  const page = await client.fineTuning.jobs.list({ limit: 1 });
  assert.equal(page.data.length, 1);
  assert.equal(page.data[0].id, b.id);  // newest first
  assert.equal(page.has_more, true);
  const next = await client.fineTuning.jobs.list({ after: b.id, limit: 10 });
  assert.deepEqual(next.data.map((j) => j.id), [a.id]);
  assert.equal((await client.fineTuning.jobs.retrieve(a.id)).id, a.id);
  await expectError(client.fineTuning.jobs.retrieve('ftjob-nope'), 404);

  const cancelled = await client.fineTuning.jobs.cancel(b.id);
  assert.equal(cancelled.status, 'cancelled');
  await expectError(client.fineTuning.jobs.cancel(b.id), 400, undefined, 'ended (cancelled)');
  const events = await client.fineTuning.jobs.listEvents(b.id, { limit: 10 });
  assert.equal(events.data[0].object, 'fine_tuning.job.event');
  assert.ok(events.data.some((e) => e.message.startsWith('cancel requested')), JSON.stringify(events.data));
  assert.deepEqual((await client.fineTuning.jobs.checkpoints.list(a.id)).data, []);
  writeFileSync(outPath, JSON.stringify({ queued: a.id }));
}

async function runPhase(outPath, trainParams) {
  const { queued } = JSON.parse(readFileSync(outPath, 'utf8'));
  const sse = await readSse(`${baseURL}/fine_tuning/jobs/${queued}/events?stream=true`);
  assert.ok(sse.some((e) => e.message === 'succeeded'), JSON.stringify(sse));
  assert.ok(sse.some((e) => e.message.startsWith('fine-tuning tiny (chat data, targets q,v,gate,up,down)')), JSON.stringify(sse));
  const done = await client.fineTuning.jobs.retrieve(queued);
  assert.equal(done.status, 'succeeded', JSON.stringify(done));
  assert.equal(done.fine_tuned_model, `ft:tiny:recipes:${queued}`);
  assert.equal(done.error, null);
  assert.equal(typeof done.finished_at, 'number');
  // The fine-tuned model answers under its id (its adapter is loaded on first use).
  const chat = await client.chat.completions.create({ model: done.fine_tuned_model, max_tokens: 8, temperature: 0,
    messages: [{ role: 'user', content: 'What goes with onions?' }] });
  assert.equal(chat.model, done.fine_tuned_model);
  assert.equal(chat.choices[0].message.role, 'assistant');
  const listed = await (await fetch(`${baseURL}/adapters`, { headers: { Authorization: `Bearer ${apiKey}` } })).json();
  assert.ok(listed.data.some((a) => a.name === done.fine_tuned_model), JSON.stringify(listed));
  await expectError(client.chat.completions.create({ model: `ft:tiny:recipes:ftjob-nope`, max_tokens: 1,
    messages: [{ role: 'user', content: 'hi' }] }), 404, 'model');

  const post = (body) => fetch(`${baseURL}/jobs`, { method: 'POST', body: JSON.stringify(body),
    headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' } });
  const bad = await post({ kind: 'train', params: { ...trainParams, steps: 0 } });
  assert.equal(bad.status, 400);
  const badBody = await bad.json();
  assert.equal(badBody.error.param, 'params.steps', JSON.stringify(badBody));
  assert.equal((await post({ kind: 'fine_tune', params: {} })).status, 400);
  const created = await post({ kind: 'train', params: trainParams });
  assert.equal(created.status, 200);
  const job = await created.json();
  assert.match(job.id, /^job-/);
  const events = await readSse(`${baseURL}/jobs/${job.id}/events`);
  const messages = events.map((e) => e.message);
  assert.ok(messages.includes('succeeded'), JSON.stringify(messages));
  assert.ok(messages.some((m) => m.startsWith('checkpoint at step')), JSON.stringify(messages));
  const seqs = events.map((e) => e.seq);
  assert.deepEqual(seqs, [...seqs].sort((x, y) => x - y));
  const final = await (await fetch(`${baseURL}/jobs/${job.id}`, { headers: { Authorization: `Bearer ${apiKey}` } })).json();
  assert.equal(final.state, 'succeeded');
  assert.equal(final.progress.step, trainParams.steps);
  assert.ok(final.result.model.endsWith('model.gguf'));
  const cks = await (await fetch(`${baseURL}/jobs/${job.id}/checkpoints`, { headers: { Authorization: `Bearer ${apiKey}` } })).json();
  assert.ok(cks.data.length >= 1);
  assert.equal(cks.data[0].object, 'job.checkpoint');
  writeFileSync(outPath, JSON.stringify({ queued, model: final.result.model }));
}

if (phase === 'queue') await queuePhase(rest[0], rest[1]);
else if (phase === 'run') await runPhase(rest[0], JSON.parse(rest[1]));
else throw new Error(`unknown phase ${phase}`);
console.log('all checks passed');
