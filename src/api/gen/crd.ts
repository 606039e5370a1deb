// Renders a kind of the API definition as a CustomResourceDefinition object.
import type { Schema } from '../schema/builders.js';
import { CATEGORY, type KindDefinition } from '../schema/index.js';
import { GROUP, VERSION } from '../names.js';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
type JsonObject = { [key: string]: JsonValue };

/** The schema as OpenAPI v3: TypeScript hints and empty descriptions dropped. */
export function openApi(schema: Schema): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(schema) as [keyof Schema, unknown][]) {
    if (key === 'ts' || value === undefined || (key === 'description' && value === '')) continue;
    out[key] = key === 'description' ? describe(schema) : convert(key, value);
  }
  return out;
}

// kubectl explain prints descriptions but not defaults, so scalar defaults
// are spelt out in the description too.
function describe(schema: Schema): string {
  const value = schema.default;
  const scalar = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
  if (!scalar || schema.description.includes('Default:')) return schema.description;
  return `${schema.description} Default: ${String(value)}.`;
}

function convert(key: keyof Schema, value: unknown): JsonValue {
  if (key === 'properties') {
    return Object.fromEntries(Object.entries(value as Record<string, Schema>).map(([name, s]) => [name, openApi(s)]));
  }
  if (key === 'items' || key === 'additionalProperties') return openApi(value as Schema);
  return value as JsonValue;
}

const standardFields: JsonObject = {
  apiVersion: {
    type: 'string',
    description: 'Versioned schema of this representation of an object; flowshift.io/v1alpha1.',
  },
  kind: { type: 'string', description: 'REST resource this object represents.' },
  metadata: { type: 'object' },
};

export function renderCrd(kind: KindDefinition): JsonObject {
  const properties: JsonObject = { ...standardFields, spec: openApi(kind.spec) };
  if (kind.status) properties['status'] = openApi(kind.status);
  const version: JsonObject = {
    name: VERSION,
    served: true,
    storage: true,
    ...(kind.status ? { subresources: { status: {} } } : {}),
    additionalPrinterColumns: kind.printerColumns.map((c) => ({ ...c })),
    schema: {
      openAPIV3Schema: { type: 'object', description: kind.description, required: ['spec'], properties },
    },
  };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${kind.plural}.${GROUP}` },
    spec: {
      group: GROUP,
      scope: 'Namespaced',
      names: {
        kind: kind.kind,
        listKind: `${kind.kind}List`,
        plural: kind.plural,
        singular: kind.singular,
        shortNames: [...kind.shortNames],
        categories: [CATEGORY],
      },
      versions: [version],
    },
  };
}
