// The checks the API server makes with a CRD's structural schema, run
// offline on the same schema nodes the CRDs are rendered from. The CEL rules
// (x-kubernetes-validations) are not evaluated here: see `lint --cluster`.
import type { Schema } from './schema/builders.js';

/** One value the schema refuses, at the path the API server would name. */
export interface SchemaProblem {
  readonly path: string;
  readonly message: string;
  readonly fix: string;
}

type Check = (schema: Schema, value: unknown, path: string) => SchemaProblem[];

/** Everything in `value` that `schema` refuses: types, enums, required fields, bounds, patterns, list keys and unknown fields. */
export const structuralProblems: Check = (schema, value, path) => {
  const typed = typeProblem(schema, value, path);
  if (typed) return [typed];
  return [...scalarProblems(schema, value, path), ...arrayProblems(schema, value, path), ...objectProblems(schema, value, path)];
};

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function typeProblem(schema: Schema, value: unknown, path: string): SchemaProblem | undefined {
  const actual = kindOf(value);
  if (schema['x-kubernetes-int-or-string']) {
    return actual === 'integer' || actual === 'string' ? undefined : { path, message: `must be an integer or a string, not ${actual}`, fix: 'write a port number or a port name' };
  }
  if (!schema.type) return undefined;
  const fits = schema.type === actual || (schema.type === 'number' && actual === 'integer');
  return fits ? undefined : { path, message: `must be ${article(schema.type)}, not ${actual === 'null' ? 'null' : article(actual)}`, fix: `write ${article(schema.type)}${actual === 'string' ? ' (without quotes)' : ''}` };
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function scalarProblems(schema: Schema, value: unknown, path: string): SchemaProblem[] {
  const out: SchemaProblem[] = [];
  const at = (message: string, fix: string): number => out.push({ path, message, fix });
  if (schema.enum && !schema.enum.includes(String(value))) at(`unsupported value ${JSON.stringify(value)}`, `use one of ${schema.enum.map((e) => `"${e}"`).join(', ')}`);
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) at(`${value} is less than the minimum ${schema.minimum}`, `use ${schema.minimum} or more`);
    if (schema.maximum !== undefined && value > schema.maximum) at(`${value} is more than the maximum ${schema.maximum}`, `use ${schema.maximum} or less`);
  }
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength) at(`is shorter than ${schema.minLength} characters`, 'fill it in, or remove the field');
    if (schema.maxLength !== undefined && value.length > schema.maxLength) at(`is longer than ${schema.maxLength} characters`, `shorten it to ${schema.maxLength}`);
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) at(`${JSON.stringify(value)} does not match ${schema.pattern}`, describeHint(schema));
  }
  return out;
}

function describeHint(schema: Schema): string {
  return schema.description ? `see its description: ${schema.description}` : 'see kubectl explain';
}

function arrayProblems(schema: Schema, value: unknown, path: string): SchemaProblem[] {
  if (!Array.isArray(value)) return [];
  const out: SchemaProblem[] = [];
  if (schema.minItems !== undefined && value.length < schema.minItems) out.push({ path, message: `has ${value.length} items, fewer than ${schema.minItems}`, fix: `give at least ${schema.minItems}` });
  if (schema.maxItems !== undefined && value.length > schema.maxItems) out.push({ path, message: `has ${value.length} items, more than ${schema.maxItems}`, fix: `keep at most ${schema.maxItems}` });
  out.push(...duplicates(schema, value, path));
  const items = schema.items;
  if (items) value.forEach((item, i) => out.push(...structuralProblems(items, item, `${path}[${i}]`)));
  return out;
}

/** x-kubernetes-list-type: set and map refuse duplicates (of the whole item, or of its keys). */
function duplicates(schema: Schema, value: readonly unknown[], path: string): SchemaProblem[] {
  const listType = schema['x-kubernetes-list-type'];
  if (listType !== 'set' && listType !== 'map') return [];
  const keys = schema['x-kubernetes-list-map-keys'] ?? [];
  const seen = new Set<string>();
  const out: SchemaProblem[] = [];
  value.forEach((item, i) => {
    const key = listType === 'set' ? JSON.stringify(item) : JSON.stringify(keys.map((k) => (isObject(item) ? item[k] : undefined)));
    if (seen.has(key)) out.push({ path: `${path}[${i}]`, message: `duplicate ${listType === 'set' ? `value ${key}` : `${keys.join(', ')} ${key}`}`, fix: 'remove the duplicate, or rename it' });
    seen.add(key);
  });
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function objectProblems(schema: Schema, value: unknown, path: string): SchemaProblem[] {
  if (!isObject(value)) return [];
  const out: SchemaProblem[] = [];
  for (const name of schema.required ?? []) {
    if (value[name] === undefined) out.push({ path: `${path}.${name}`, message: 'required value missing', fix: `add ${name}` });
  }
  if (schema.maxProperties !== undefined && Object.keys(value).length > schema.maxProperties) out.push({ path, message: `has more than ${schema.maxProperties} entries`, fix: `keep at most ${schema.maxProperties}` });
  for (const [name, child] of Object.entries(value)) out.push(...propertyProblems(schema, name, child, `${path}.${name}`));
  return out;
}

/** A field the schema does not know is dropped by the API server without a word: here it is named. */
function propertyProblems(schema: Schema, name: string, value: unknown, path: string): SchemaProblem[] {
  const known = schema.properties?.[name] ?? schema.additionalProperties;
  if (known) return structuralProblems(known, value, path);
  if (schema['x-kubernetes-preserve-unknown-fields'] || (!schema.properties && !schema.additionalProperties)) return [];
  const fields = Object.keys(schema.properties ?? {}).join(', ');
  return [{ path, message: `unknown field "${name}": the API server would drop it without a word`, fix: `remove it, or fix its spelling: known fields here are ${fields}` }];
}
