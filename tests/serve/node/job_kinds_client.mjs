// The imatrix, quantize-with-imatrix and eval job kinds through `ondo serve --workers 1`
// (called by tests/serve/job_kinds_server_test.cpp):
//   node job_kinds_client.mjs BASE_URL F32_MODEL TINY_MODEL
// Uploads a calibration text and an eval dataset with the official openai client
// (files.create), queues an imatrix job on POST /v1/jobs with the file id and follows its
// events over SSE to success, quantizes with `imatrix` = that job's id, runs an eval job of
// two targets over the uploaded dataset, checks a bad eval request's 400 and its param, and
// cancels a long eval job mid-run. Exits 0 when every check passes.
import assert from 'node:assert/strict';
import OpenAI, { toFile } from 'openai';

const [baseURL, f32Model, tinyModel] = process.argv.slice(2);
const apiKey = 'admin-secret';
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0 });
const auth = { Authorization: `Bearer ${apiKey}` };

const post = async (path, body) => {
  const res = await fetch(`${baseURL}${path}`, { method: 'POST', body: body === undefined ? undefined : JSON.stringify(body),
    headers: { ...auth, 'Content-Type': 'application/json' } });
  return { status: res.status, body: await res.json() };
};
const getJob = async (id) => (await fetch(`${baseURL}/jobs/${id}`, { headers: auth })).json();

// Reads a job's SSE event stream until [DONE]; returns the events.
async function followEvents(id) {
  const res = await fetch(`${baseURL}/jobs/${id}/events`, { headers: { ...auth, Accept: 'text/event-stream' } });
  assert.equal(res.status, 200);
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

async function runToSuccess(kind, params) {
  const created = await post('/jobs', { kind, params });
  assert.equal(created.status, 200, JSON.stringify(created.body));
  const events = await followEvents(created.body.id);
  const messages = events.map((e) => e.message);
  const job = await getJob(created.body.id);
  assert.equal(job.state, 'succeeded', JSON.stringify({ job, messages }));
  assert.ok(messages.includes('succeeded'), JSON.stringify(messages));
  assert.equal(job.progress.step, job.progress.total, JSON.stringify(job.progress));
  return job;
}

let words = '';
for (let i = 0; i < 80; i++) words += `Once upon a time the little dog number ${i % 9} ran to the park and played with a ball.\n`;
const calib = await client.files.create({ file: await toFile(Buffer.from(words), 'calib.txt'), purpose: 'user_data' });
let rows = '';
for (let i = 0; i < 3; i++) rows += JSON.stringify({ id: `r${i}`, prompt: `Tell me about dog ${i}`, expected: 'x', checks: { contains: 'the' } }) + '\n';
const dataset = await client.files.create({ file: await toFile(Buffer.from(rows), 'eval.jsonl'), purpose: 'evals' });

const im = await runToSuccess('imatrix', { model: f32Model, calibration_file: calib.id, chunk: 32, chunks: 3 });
assert.equal(im.result.chunks, 3);
assert.ok(im.result.entries > 0);
assert.deepEqual(im.result.datasets, [calib.id]);

const q = await runToSuccess('quantize', { input: f32Model, type: 'Q4_K_M', imatrix: im.id });
assert.equal(q.result.imatrix, im.result.imatrix);
assert.ok(q.result.weighted_tensors > 0, JSON.stringify(q.result));

const ev = await runToSuccess('eval', { dataset: dataset.id, targets: [
  { model: tinyModel, label: 'greedy', params: { temperature: 0, max_tokens: 4 } },
  { model: q.result.model, label: 'quantized', params: { max_tokens: 4 } }] });
assert.equal(ev.result.n_rows, 3);
assert.deepEqual(ev.result.targets.map((t) => t.label), ['greedy', 'quantized']);
assert.ok('contains' in ev.result.targets[0].metrics, JSON.stringify(ev.result));
assert.ok(ev.result.table.includes('greedy'));
assert.equal(ev.result.rows_files.length, 2);
assert.equal(ev.progress.total, 6);

const bad = await post('/jobs', { kind: 'eval', params: { dataset: dataset.id, targets: [{ model: tinyModel, params: { top_p: 3 } }] } });
assert.equal(bad.status, 400);
assert.equal(bad.body.error.param, 'params.targets[0].params.top_p', JSON.stringify(bad.body));
const badIm = await post('/jobs', { kind: 'quantize', params: { input: f32Model, type: 'Q8_0', imatrix: ev.id } });
assert.equal(badIm.status, 400);
assert.ok(badIm.body.error.message.includes(`job '${ev.id}' is of kind eval, not an imatrix job`), JSON.stringify(badIm.body));
assert.equal(badIm.body.error.param, 'params.imatrix');

// A long eval job cancelled once it has started rows.
let many = '';
for (let i = 0; i < 200; i++) many += JSON.stringify({ prompt: `Tell a long story ${i}`, expected: 'x' }) + '\n';
const longData = await client.files.create({ file: await toFile(Buffer.from(many), 'long.jsonl'), purpose: 'evals' });
const long = await post('/jobs', { kind: 'eval', params: { dataset: longData.id, targets: [{ model: tinyModel, params: { max_tokens: 200 } }] } });
assert.equal(long.status, 200, JSON.stringify(long.body));
let job = await getJob(long.body.id);
for (let i = 0; i < 600 && !(job.state === 'running' && job.progress.step >= 1); i++) {
  await new Promise((r) => setTimeout(r, 50));
  job = await getJob(long.body.id);
}
assert.equal(job.state, 'running', JSON.stringify(job));
const cancel = await post(`/jobs/${long.body.id}/cancel`);
assert.equal(cancel.status, 200, JSON.stringify(cancel.body));
const events = await followEvents(long.body.id);
job = await getJob(long.body.id);
assert.equal(job.state, 'cancelled', JSON.stringify({ job, events }));
assert.ok(job.progress.step < 200);
console.log('all checks passed');
