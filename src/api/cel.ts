// The CRDs' CEL rules (x-kubernetes-validations), evaluated offline with
// @marcbachmann/cel-js and the Kubernetes CEL library functions the rules
// use, on the same schema nodes the CRDs are rendered from.
import { Environment } from '@marcbachmann/cel-js';
import type { Schema } from './schema/builders.js';
import type { SchemaProblem } from './structural.js';

class CelUrl {
  constructor(readonly url: URL) {}
}

const isUrl = (s: string): boolean => URL.canParse(s);

/** Kubernetes' CEL additions that the rules of flowshift's CRDs call (lists and URLs libraries). */
const environment = new Environment({ unlistedVariablesAreDyn: true, homogeneousAggregateLiterals: false })
  .registerType('URL', CelUrl)
  .registerVariable('self', 'dyn')
  .registerFunction({ name: 'isSorted', receiverType: 'list', returnType: 'bool', params: [], handler: (l: unknown[]) => l.every((x, i) => i === 0 || (l[i - 1] as number) <= (x as number)) })
  .registerFunction({ name: 'indexOf', receiverType: 'list', returnType: 'int', params: [{ name: 'value', type: 'dyn' }], handler: (l: unknown[], v: unknown) => BigInt(l.indexOf(v)) })
  .registerFunction({ name: 'lastIndexOf', receiverType: 'list', returnType: 'int', params: [{ name: 'value', type: 'dyn' }], handler: (l: unknown[], v: unknown) => BigInt(l.lastIndexOf(v)) })
  .registerFunction('isURL(string): bool', isUrl)
  .registerFunction('url(string): URL', (s: string) => new CelUrl(new URL(s)))
  .registerFunction({ name: 'getScheme', receiverType: 'URL', returnType: 'string', params: [], handler: (u: CelUrl) => u.url.protocol.replace(/:$/, '') })
  .registerFunction({ name: 'getHostname', receiverType: 'URL', returnType: 'string', params: [], handler: (u: CelUrl) => u.url.hostname.replace(/^\[|\]$/g, '') });

/**
 * Every CEL rule of `schema` (and of its fields, items and map values) that
 * `value` breaks, at the rule's fieldPath. `value` must already pass the
 * structural schema, as the API server evaluates rules on typed values.
 */
export function celProblems(schema: Schema, value: unknown, path: string, kind = 'rollout'): SchemaProblem[] {
  if (value === undefined || value === null) return [];
  const out: SchemaProblem[] = [];
  for (const rule of schema['x-kubernetes-validations'] ?? []) {
    const at = `${path}${rule.fieldPath ?? ''}`;
    try {
      if (environment.evaluate(rule.rule, { self: celValue(schema, value) }) !== true) out.push({ path: at, message: rule.message, fix: `see kubectl explain ${kind}.${at.replace(/\[\d+\]/g, '')}` });
    } catch (err) {
      out.push({ path: at, message: `the rule "${rule.rule}" could not be evaluated offline: ${err instanceof Error ? err.message.split('\n')[0] ?? '' : String(err)}`, fix: 'check it with --cluster' });
    }
  }
  return [...out, ...childProblems(schema, value, path, kind)];
}

function childProblems(schema: Schema, value: unknown, path: string, kind: string): SchemaProblem[] {
  const items = schema.items;
  if (Array.isArray(value)) return items ? value.flatMap((item, i) => celProblems(items, item, `${path}[${i}]`, kind)) : [];
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([name, child]) => {
    const known = schema.properties?.[name] ?? schema.additionalProperties;
    return known ? celProblems(known, child, `${path}.${name}`, kind) : [];
  });
}

/** A value as CEL sees it under its schema: integers as int (bigint), numbers as double. */
function celValue(schema: Schema | undefined, value: unknown): unknown {
  if (typeof value === 'number') return schema?.type === 'number' || !Number.isInteger(value) ? value : BigInt(value);
  if (Array.isArray(value)) return value.map((v) => celValue(schema?.items, v));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, celValue(schema?.properties?.[k] ?? schema?.additionalProperties, v)]));
}

/** The rules of `schema` (at any depth) this evaluator cannot type-check: each would be left to `lint --cluster`. */
export function uncheckableRules(schema: Schema): string[] {
  const own = (schema['x-kubernetes-validations'] ?? []).filter((r) => !environment.check(r.rule).valid).map((r) => r.rule);
  const children = [...Object.values(schema.properties ?? {}), ...(schema.items ? [schema.items] : []), ...(schema.additionalProperties ? [schema.additionalProperties] : [])];
  return [...own, ...children.flatMap(uncheckableRules)];
}
