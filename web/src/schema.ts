// A small JSON Schema checker for the playground's live validation of structured output:
// type (and type arrays), properties, required, additionalProperties (false), items, enum,
// const, minimum/maximum, minLength/maxLength, minItems/maxItems. (A library such as ajv
// compiles schemas with `new Function`, which the console's Content-Security-Policy forbids.)

export interface Problem {
  path: string;
  message: string;
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(want: string, v: unknown): boolean {
  const t = typeOf(v);
  return want === t || (want === 'number' && t === 'integer');
}

export function validate(schema: any, value: unknown, path = '$', out: Problem[] = []): Problem[] {
  if (schema === true || schema == null || typeof schema !== 'object') return out;
  if (schema === false) {
    out.push({ path, message: 'no value is allowed here' });
    return out;
  }
  if (schema.type !== undefined) {
    const types: string[] = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => typeMatches(t, value))) {
      out.push({ path, message: `expected ${types.join(' or ')}, got ${typeOf(value)}` });
      return out;
    }
  }
  if (schema.enum && !schema.enum.some((e: unknown) => JSON.stringify(e) === JSON.stringify(value))) {
    out.push({ path, message: `not one of ${JSON.stringify(schema.enum)}` });
  }
  if ('const' in schema && JSON.stringify(schema.const) !== JSON.stringify(value)) {
    out.push({ path, message: `expected ${JSON.stringify(schema.const)}` });
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) out.push({ path, message: `below minimum ${schema.minimum}` });
    if (schema.maximum !== undefined && value > schema.maximum) out.push({ path, message: `above maximum ${schema.maximum}` });
  }
  if (typeof value === 'string') {
    const n = [...value].length;
    if (schema.minLength !== undefined && n < schema.minLength) out.push({ path, message: `shorter than ${schema.minLength}` });
    if (schema.maxLength !== undefined && n > schema.maxLength) out.push({ path, message: `longer than ${schema.maxLength}` });
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) out.push({ path, message: `fewer than ${schema.minItems} items` });
    if (schema.maxItems !== undefined && value.length > schema.maxItems) out.push({ path, message: `more than ${schema.maxItems} items` });
    if (schema.items) value.forEach((v, i) => validate(schema.items, v, `${path}[${i}]`, out));
  }
  if (typeOf(value) === 'object') {
    const obj = value as Record<string, unknown>;
    for (const r of schema.required ?? []) if (!(r in obj)) out.push({ path, message: `missing required property '${r}'` });
    const props = schema.properties ?? {};
    for (const [k, v] of Object.entries(obj)) {
      if (k in props) validate(props[k], v, `${path}.${k}`, out);
      else if (schema.additionalProperties === false) out.push({ path: `${path}.${k}`, message: 'property not allowed' });
      else if (typeof schema.additionalProperties === 'object') validate(schema.additionalProperties, v, `${path}.${k}`, out);
    }
  }
  return out;
}

// Live check of a partial output: 'incomplete' while the JSON text has not ended yet.
export function checkOutput(schema: any, text: string): { state: 'empty' | 'incomplete' | 'valid' | 'invalid'; problems: Problem[] } {
  if (!text.trim()) return { state: 'empty', problems: [] };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { state: 'incomplete', problems: [] };
  }
  const problems = validate(schema, value);
  return { state: problems.length ? 'invalid' : 'valid', problems };
}
