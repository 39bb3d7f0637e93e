// The structured-output guarantee, checked from outside (called by
// tests/serve/structured_output_server_test.cpp):
//   node structured_guarantee.mjs BASE_URL MODELS(comma list) DRAWS SEED
// Draws DRAWS random JSON Schemas from the keywords ondo supports (a seeded generator),
// sends each to a random model through /v1/chat/completions or /v1/completions with
// response_format json_schema (several requests in flight), and validates every finished
// output with ajv's 2020-12 build plus ajv-formats, an independent validator. Refusals of
// these schemas are failures; outputs cut by max_tokens are counted and must stay under 10%.
// Then: the recipe schema of reference case 1, streamed structured output, json_object and
// grammar, and refusals of unsupported keywords (400 naming keyword and JSON path).
// Prints one summary line; exits 0 when every check passes.
import assert from 'node:assert/strict';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const [baseURL, modelList, drawsArg, seedArg] = process.argv.slice(2);
const models = modelList.split(',');
const draws = Number(drawsArg);
const ajv = new Ajv2020({ strict: false, allErrors: false });
addFormats(ajv);

function rngFrom(seed) {  // mulberry32
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---- the schema generator ----
const PATTERNS = ['^[a-z]{2,6}(-[0-9]{1,3})?$', '^\\d{4}$', '^(yes|no|maybe)$', '^[A-Z][a-z]{0,5}$',
  '^[0-9a-f]{2}:[0-9a-f]{2}$', '^(ab|cd){1,3}$'];
const FORMATS = ['date', 'time', 'date-time', 'uuid', 'email'];

function makeGen(rng) {
  const int = (lo, hi) => lo + Math.floor(rng() * (hi - lo + 1));
  const pick = (xs) => xs[int(0, xs.length - 1)];
  const chance = (p) => rng() < p;

  function stringSchema() {
    switch (int(0, 5)) {
      case 0: return { enum: ['salt', 'sugar', 'eggs', 'rice'].slice(0, int(1, 4)) };
      case 1: return { type: 'string', const: pick(['fixed', 'ok', '두부']) };
      case 2: return { type: 'string', pattern: pick(PATTERNS) };
      case 3: return { type: 'string', format: pick(FORMATS) };
      default: {
        const max = int(0, 12);
        const s = { type: 'string', maxLength: max };
        if (chance(0.5)) s.minLength = int(0, max);
        return s;
      }
    }
  }
  function integerSchema() {
    const s = { type: 'integer' };
    if (chance(0.7)) s.minimum = int(-1000, 100);
    if (chance(0.7)) s.maximum = (s.minimum ?? -50) + int(0, 5000);
    if (chance(0.15) && s.minimum !== undefined && s.maximum !== undefined && s.maximum - s.minimum >= 2) {
      s.exclusiveMinimum = s.minimum;
      delete s.minimum;
    }
    return s;
  }
  function leaf() {
    switch (int(0, 6)) {
      case 0: case 1: return stringSchema();
      case 2: case 3: return integerSchema();
      case 4: return { type: 'boolean' };
      case 5: return { type: 'null' };
      default: return pick([{ type: ['string', 'null'], maxLength: 6 }, { type: ['integer', 'boolean'], maximum: 99, minimum: 0 }]);
    }
  }
  function objectSchema(depth) {
    const n = int(1, 4);
    const properties = {};
    const required = [];
    for (let i = 0; i < n; i++) {
      const key = pick(['name', 'qty', 'tags', 'id', 'when', 'note', 'kind', 'ok']) + i;
      properties[key] = node(depth + 1);
      if (chance(0.6)) required.push(key);
    }
    return { type: 'object', properties, required, additionalProperties: false };
  }
  function arraySchema(depth) {
    if (chance(0.3)) {
      const prefixItems = Array.from({ length: int(1, 3) }, () => node(depth + 1));
      return { type: 'array', prefixItems, items: false, minItems: int(0, prefixItems.length) };
    }
    const minItems = int(0, 2);
    return { type: 'array', items: node(depth + 1), minItems, maxItems: minItems + int(0, 3) };
  }
  function node(depth) {
    if (depth >= 3) return leaf();
    const r = rng();
    if (r < 0.25) return objectSchema(depth);
    if (r < 0.4) return arraySchema(depth);
    if (r < 0.5) return { anyOf: [node(depth + 1), node(depth + 1)] };
    if (r < 0.55) return { $ref: '#/$defs/item' };
    if (r < 0.6) return { $ref: '#/$defs/list' };
    return leaf();
  }
  // A schema: an object at the root with shared $defs (one plain, one recursive list whose
  // depth the model chooses, ending in null).
  return () => {
    const defs = {
      item: { type: 'object', properties: { label: { type: 'string', maxLength: 8 }, n: integerSchema() },
        required: ['label'], additionalProperties: false },
      list: { type: 'object', properties: { v: leaf(), next: { anyOf: [{ $ref: '#/$defs/list' }, { type: 'null' }] } },
        required: ['v', 'next'], additionalProperties: false },
    };
    const root = objectSchema(0);
    return { $defs: defs, ...root };
  };
}

// ---- requests ----
async function post(path, body) {
  const res = await fetch(baseURL + path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

function outputOf(r) {
  const c = r.body.choices[0];
  return { text: c.message ? c.message.content : c.text, finish: c.finish_reason };
}

async function draw(i, schema, seed) {
  const model = models[i % models.length];
  const response_format = { type: 'json_schema', json_schema: { name: 'draw' + i, strict: true, schema } };
  const chat = i % 2 === 0;
  const body = chat
    ? { model, messages: [{ role: 'user', content: 'Tell me a story.' }], max_tokens: 320, seed, response_format }
    : { model, prompt: 'Once upon a time', max_tokens: 320, seed, response_format };
  const r = await post(chat ? '/v1/chat/completions' : '/v1/completions', body);
  if (r.status !== 200) return { kind: 'refused', detail: `${r.status} ${JSON.stringify(r.body)}` };
  const { text, finish } = outputOf(r);
  if (finish === 'length') return { kind: 'cut' };
  let value;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { kind: 'invalid', detail: `not JSON (${finish}): ${text}` };
  }
  const validate = ajv.compile(schema);
  if (!validate(value)) return { kind: 'invalid', detail: `${JSON.stringify(validate.errors)}: ${text}` };
  return { kind: 'ok' };
}

async function guarantee(seed) {
  const rng = rngFrom(seed);
  const gen = makeGen(rng);
  const jobs = Array.from({ length: draws }, (_, i) => ({ i, schema: gen(), seed: Math.floor(rng() * 1e9) }));
  const counts = { ok: 0, cut: 0, refused: 0, invalid: 0 };
  const failures = [];
  let next = 0;
  async function worker() {
    while (next < jobs.length) {
      const job = jobs[next++];
      const out = await draw(job.i, job.schema, job.seed);
      counts[out.kind]++;
      if (out.kind === 'refused' || out.kind === 'invalid') {
        failures.push(`draw ${job.i} ${out.kind}: ${out.detail}\n  schema: ${JSON.stringify(job.schema)}`);
      }
    }
  }
  await Promise.all(Array.from({ length: 8 }, worker));
  return { counts, failures };
}

// ---- fixed checks ----
const RECIPE = {
  type: 'object',
  properties: {
    recipe_name: { type: 'string', maxLength: 40 },
    recipe_ingredients: { type: 'array', items: { type: 'string', maxLength: 20 }, minItems: 1, maxItems: 6 },
    recipes: { type: 'array', items: { type: 'string', maxLength: 60 }, minItems: 1, maxItems: 5 },
  },
  required: ['recipe_name', 'recipe_ingredients', 'recipes'],
  additionalProperties: false,
};

async function recipe() {
  const input = { ingredients: ['onion', 'green onion', 'pork belly'], except_recipe: ['braised onion'] };
  const messages = [
    { role: 'system', content: 'Recommend one recipe using as many of the given ingredients as possible, excluding except_recipe and similar ones. Answer in JSON: {"recipe_name", "recipe_ingredients", "recipes"}.' },
    { role: 'user', content: JSON.stringify(input) },
  ];
  let finished = 0;
  for (const model of models) {
    for (let seed = 1; seed <= 3; seed++) {
      const r = await post('/v1/chat/completions', { model, messages, seed, max_tokens: 600,
        response_format: { type: 'json_schema', json_schema: { name: 'recipe', strict: true, schema: RECIPE } } });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const { text, finish } = outputOf(r);
      if (finish === 'length') continue;
      const value = JSON.parse(text);
      assert.ok(ajv.validate(RECIPE, value), `recipe output validates: ${text}`);
      assert.deepEqual(Object.keys(value), ['recipe_name', 'recipe_ingredients', 'recipes'], 'declared property order');
      finished++;
    }
  }
  assert.ok(finished >= 1, 'at least one recipe finished');
}

async function streamed() {
  const model = models[0];
  const schema = { type: 'object', properties: { title: { type: 'string', maxLength: 10 }, n: { type: 'integer', minimum: 0, maximum: 99 } },
    required: ['title', 'n'], additionalProperties: false };
  const body = { model, messages: [{ role: 'user', content: 'x' }], seed: 5, max_tokens: 200, stream: true,
    response_format: { type: 'json_schema', json_schema: { name: 's', schema } } };
  const res = await fetch(baseURL + '/v1/chat/completions', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const raw = await res.text();
  let text = '';
  let finish = null;
  for (const ev of raw.split('\n\n')) {
    if (!ev.startsWith('data: ') || ev === 'data: [DONE]') continue;
    const c = JSON.parse(ev.slice(6)).choices[0];
    text += c.delta.content ?? '';
    if (c.finish_reason) finish = c.finish_reason;
  }
  assert.equal(finish, 'stop', `streamed structured output finished: ${text}`);
  assert.ok(ajv.validate(schema, JSON.parse(text)), `streamed deltas concatenate to a valid value: ${text}`);
  const whole = await post('/v1/chat/completions', { ...body, stream: false });
  assert.equal(outputOf(whole).text, text, 'stream and non-stream agree (same seed)');
}

async function otherConstraints() {
  const model = models[0];
  const obj = await post('/v1/chat/completions', { model, messages: [{ role: 'user', content: 'x' }], seed: 2, max_tokens: 300,
    response_format: { type: 'json_object' } });
  assert.equal(obj.status, 200);
  const o = outputOf(obj);
  if (o.finish !== 'length') assert.equal(typeof JSON.parse(o.text), 'object');
  const g = await post('/v1/completions', { model, prompt: 'Once', seed: 2, max_tokens: 50, grammar: 'root ::= ("yes" | "no") "!"' });
  assert.equal(g.status, 200);
  assert.ok(['yes!', 'no!'].includes(outputOf(g).text), outputOf(g).text);
  assert.equal(outputOf(g).finish, 'stop');
  const cut = await post('/v1/completions', { model, prompt: 'Once', seed: 2, max_tokens: 3,
    response_format: { type: 'json_schema', json_schema: { name: 'c', schema: { type: 'array', items: { type: 'integer' }, minItems: 5 } } } });
  assert.equal(outputOf(cut).finish, 'length', 'max_tokens mid-value is length');
}

// The layout the grammar allows (docs/api.md "Structured output"): outside string literals, no
// whitespace but at most one space right after ':' or ','.
function spaced(json) {
  return !/\s/.test(json.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/([:,]) (?=\S)/g, '$1'));
}

// Bounded numbers (zod / Pydantic style): every finished output validates under ajv's double
// comparisons, and the JSON has no whitespace outside strings but single spaces after ':' and ','.
async function numbers() {
  const bounds = [
    { minimum: 0, maximum: 1 }, { exclusiveMinimum: 0, exclusiveMaximum: 1 }, { minimum: -90, maximum: 90 },
    { minimum: 0.1, exclusiveMaximum: 0.3 }, { exclusiveMinimum: -2.5 }, { maximum: -1e-3 }, { minimum: 1.5, maximum: 1.5 },
    { minimum: 100000.25, maximum: 100000.75 },
  ];
  let finished = 0;
  for (let i = 0; i < bounds.length * 4; i++) {
    const schema = { type: 'object', properties: { ok: { type: 'boolean' }, n: { type: 'number', ...bounds[i % bounds.length] } },
      required: ['ok', 'n'], additionalProperties: false };
    const r = await post('/v1/completions', { model: models[i % models.length], prompt: 'Once', seed: i, max_tokens: 60,
      response_format: { type: 'json_schema', json_schema: { name: 'num', schema } } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const { text, finish } = outputOf(r);
    if (finish === 'length') continue;
    assert.ok(spaced(text), `json.dumps layout: ${text}`);
    const validate = ajv.compile(schema);
    assert.ok(validate(JSON.parse(text)), `${JSON.stringify(schema)}: ${text} ${JSON.stringify(validate.errors)}`);
    finished++;
  }
  assert.ok(finished >= bounds.length, `bounded numbers finished: ${finished}`);
}

async function refusals() {
  const model = models[0];
  const cases = [
    [{ type: 'object', properties: { tags: { type: 'object', patternProperties: { '^x': {} } } } }, 'patternProperties', '/properties/tags'],
    [{ type: 'array', items: { type: 'string', format: 'hostname' } }, 'format', '/items'],
    [{ type: 'array', uniqueItems: true }, 'uniqueItems', '/'],
    [{ type: 'number', multipleOf: 3 }, 'multipleOf', '/'],
    [{ type: 'object', properties: { a: { $ref: 'https://example.com/s.json' } } }, '$ref', '/properties/a'],
  ];
  for (const [schema, keyword, path] of cases) {
    for (const endpoint of ['/v1/chat/completions', '/v1/completions']) {
      const base = endpoint.includes('chat') ? { messages: [{ role: 'user', content: 'x' }] } : { prompt: 'x' };
      const r = await post(endpoint, { model, ...base, response_format: { type: 'json_schema', json_schema: { name: 'u', schema } } });
      assert.equal(r.status, 400, `${keyword} refused: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.error.param, 'response_format.json_schema.schema');
      assert.ok(r.body.error.message.includes(`'${keyword}'`) && r.body.error.message.includes(`at ${path}`), r.body.error.message);
    }
  }
}

async function main() {
  const { counts, failures } = await guarantee(Number(seedArg));
  const cutShare = counts.cut / draws;
  console.log(`draws ${draws} ok ${counts.ok} cut ${counts.cut} (${(100 * cutShare).toFixed(1)}%) refused ${counts.refused} invalid ${counts.invalid}`);
  for (const f of failures.slice(0, 5)) console.log(f);
  assert.equal(failures.length, 0, 'every finished output validates and no supported schema is refused');
  assert.ok(cutShare < 0.1, 'outputs cut by max_tokens stay under 10% of draws');
  await recipe();
  await streamed();
  await otherConstraints();
  await refusals();
  await numbers();
  console.log('all checks passed');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
