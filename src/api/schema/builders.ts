// Small builders for the one definition of the flowshift API. Every CRD file,
// the TypeScript types and the field reference are rendered from these nodes,
// so a field is written down exactly once.

export type CelReason = 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';

/** One `x-kubernetes-validations` entry. */
export interface CelRule {
  readonly rule: string;
  readonly message: string;
  readonly fieldPath?: string;
  readonly reason?: CelReason;
}

/** How a node appears in the generated TypeScript; never rendered into a CRD. */
export interface TsHint {
  /** Emit this object as `export interface <name>` and refer to it by name. */
  readonly name?: string;
  /** Render as this already-declared type (an enum or an alias). */
  readonly ref?: string;
  /** Doc comment of the named interface; default: the node's description. */
  readonly doc?: string;
}

export type SchemaType = 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';

/** An OpenAPI v3 node as a CRD takes it, plus a TypeScript hint. */
export interface Schema {
  readonly type?: SchemaType;
  readonly description: string;
  readonly format?: string;
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly required?: readonly string[];
  readonly items?: Schema;
  readonly additionalProperties?: Schema;
  readonly enum?: readonly string[];
  readonly default?: unknown;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly maxProperties?: number;
  readonly 'x-kubernetes-int-or-string'?: true;
  readonly 'x-kubernetes-preserve-unknown-fields'?: true;
  readonly 'x-kubernetes-validations'?: readonly CelRule[];
  readonly 'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  readonly 'x-kubernetes-list-map-keys'?: readonly string[];
  readonly ts?: TsHint;
}

type Constraints = Omit<Schema, 'type' | 'description' | 'properties' | 'items' | 'additionalProperties' | 'enum'>;

export interface ObjectOptions {
  readonly required?: readonly string[];
  readonly rules?: readonly CelRule[];
  readonly default?: object;
  /** Name of the generated TypeScript interface. */
  readonly tsName?: string;
  readonly tsDoc?: string;
}

export function string(description: string, constraints: Constraints = {}): Schema {
  return { type: 'string', description, ...constraints };
}

export function integer(description: string, constraints: Constraints = {}): Schema {
  return { type: 'integer', description, ...constraints };
}

export function number(description: string, constraints: Constraints = {}): Schema {
  return { type: 'number', description, ...constraints };
}

export function boolean(description: string, constraints: Constraints = {}): Schema {
  return { type: 'boolean', description, ...constraints };
}

export function object(description: string, properties: Record<string, Schema>, options: ObjectOptions = {}): Schema {
  const unknown = (options.required ?? []).filter((name) => !(name in properties));
  if (unknown.length > 0) throw new Error(`required names no property: ${unknown.join(', ')}`);
  return {
    type: 'object',
    description,
    properties,
    ...(options.required ? { required: options.required } : {}),
    ...(options.default ? { default: options.default } : {}),
    ...(options.rules ? { 'x-kubernetes-validations': options.rules } : {}),
    ...(options.tsName ? { ts: { name: options.tsName, ...(options.tsDoc ? { doc: options.tsDoc } : {}) } } : {}),
  };
}

export function array(description: string, items: Schema, constraints: Constraints = {}): Schema {
  return { type: 'array', description, items, ...constraints };
}

/** A list of objects keyed by `name`, so server-side apply merges entries and duplicates are refused. */
export function namedList(description: string, items: Schema, maxItems: number): Schema {
  return array(description, items, {
    maxItems,
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': ['name'],
  });
}

/** string → string map, e.g. labels or template variables. */
export function stringMap(description: string, maxProperties: number, valueMaxLength = 1024): Schema {
  return {
    type: 'object',
    description,
    maxProperties,
    additionalProperties: { type: 'string', description: '', maxLength: valueMaxLength },
  };
}

/**
 * A string restricted to the values of an `as const` object. With `ref` the
 * TypeScript type is that object's union; without, an inline literal union.
 */
export function enumOf(
  values: Readonly<Record<string, string>>,
  description: string,
  options: { readonly ref?: string; readonly default?: string } = {},
): Schema {
  return {
    type: 'string',
    description,
    enum: Object.values(values),
    ...(options.default === undefined ? {} : { default: options.default }),
    ...(options.ref ? { ts: { ref: options.ref } } : {}),
  };
}

/** Go duration syntax as Prometheus and Istio write it: "30s", "1m30s", "250ms". */
export const DURATION_PATTERN = '^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$';

export function duration(description: string, constraints: Constraints = {}): Schema {
  return string(description, { pattern: DURATION_PATTERN, maxLength: 32, ...constraints });
}

/** A CEL rule that a duration is at least `min` (the pattern guards duration() against bad input). */
export function durationAtLeast(min: string, message: string): CelRule {
  const pattern = DURATION_PATTERN.replaceAll('\\', '\\\\');
  return { rule: `!self.matches('${pattern}') || duration(self) >= duration('${min}')`, message };
}

/** A CEL rule that a duration is at most `max`. */
export function durationAtMost(max: string, message: string): CelRule {
  const pattern = DURATION_PATTERN.replaceAll('\\', '\\\\');
  return { rule: `!self.matches('${pattern}') || duration(self) <= duration('${max}')`, message };
}

export function intOrString(description: string, constraints: Constraints = {}): Schema {
  return { description, 'x-kubernetes-int-or-string': true, ...constraints };
}

/** An Istio object flowshift copies verbatim; Istio's own schema validates it when written. */
export function passthrough(description: string): Schema {
  return {
    type: 'object',
    description,
    'x-kubernetes-preserve-unknown-fields': true,
    ts: { ref: 'IstioObject' },
  };
}

export function rule(expression: string, message: string, extra: { fieldPath?: string; reason?: CelReason } = {}): CelRule {
  return { rule: expression, message, ...extra };
}

/** Kubernetes object and label names (RFC 1123 subdomain, kept to one label here). */
export const DNS_LABEL_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
/** Service names (RFC 1035 label): must start with a letter. */
export const DNS_1035_PATTERN = '^[a-z]([-a-z0-9]*[a-z0-9])?$';
