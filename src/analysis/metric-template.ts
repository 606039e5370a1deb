import { MetricProviderType, type MetricTemplate, type MetricTemplateSpec, type ObjectMeta } from '../api/types.gen.js';
import { DEFAULT_METRIC_PROVIDER } from '../metrics/providers/registry.js';

/**
 * Narrows a MetricTemplate read from the API server. The CRD schema validates
 * it on write; this guards the fields the analysis uses against an older
 * schema or a hand-edited object, with an error that names the field.
 */
export function parseMetricTemplate(value: unknown): MetricTemplate {
  const object = record(value, 'MetricTemplate');
  const metadata = record(object['metadata'] ?? {}, 'metadata');
  const name = optionalString(metadata, 'name', 'metadata');
  const namespace = optionalString(metadata, 'namespace', 'metadata');
  const where = `MetricTemplate ${namespace ?? ''}/${name ?? ''}`;
  const spec = record(object['spec'], `${where}: spec`);
  const provider = record(spec['provider'] ?? {}, `${where}: spec.provider`);
  const query = spec['query'];
  if (typeof query !== 'string') throw new Error(`${where}: spec.query must be a string`);
  const type: unknown = provider['type'] ?? DEFAULT_METRIC_PROVIDER;
  const types: readonly unknown[] = Object.values(MetricProviderType);
  if (!types.includes(type)) throw new Error(`${where}: spec.provider.type ${JSON.stringify(type)} is not supported (supported: ${types.join(', ')})`);
  const address = optionalString(provider, 'address', `${where}: spec.provider`);
  const headers = stringMap(provider['headers'], `${where}: spec.provider.headers`);
  const secretRef = provider['secretRef'] === undefined ? undefined : record(provider['secretRef'], `${where}: spec.provider.secretRef`);
  const secretName = secretRef ? optionalString(secretRef, 'name', `${where}: spec.provider.secretRef`) : undefined;
  const insecureSkipVerify = optionalBoolean(provider, 'insecureSkipVerify', `${where}: spec.provider`);
  // Kept, or the grant to other namespaces would be lost on the way to the analysis.
  const allowedNamespaces = stringList(spec['allowedNamespaces'], `${where}: spec.allowedNamespaces`);
  const templateSpec: MetricTemplateSpec = {
    provider: {
      type: type as MetricProviderType,
      ...(address === undefined ? {} : { address }),
      ...(headers === undefined ? {} : { headers }),
      ...(secretName === undefined ? {} : { secretRef: { name: secretName } }),
      ...(insecureSkipVerify === undefined ? {} : { insecureSkipVerify }),
    },
    query,
    ...(allowedNamespaces === undefined ? {} : { allowedNamespaces }),
  };
  return { apiVersion: 'flowshift.io/v1alpha1', kind: 'MetricTemplate', metadata: metadataOf(name, namespace), spec: templateSpec };
}

function metadataOf(name: string | undefined, namespace: string | undefined): ObjectMeta {
  return { ...(name === undefined ? {} : { name }), ...(namespace === undefined ? {} : { namespace }) };
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${what} must be an object`);
  return value as Record<string, unknown>;
}

function optionalString(object: Record<string, unknown>, key: string, where: string): string | undefined {
  const value = object[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new Error(`${where}.${key} must be a string`);
  return value;
}

function optionalBoolean(object: Record<string, unknown>, key: string, where: string): boolean | undefined {
  const value = object[key];
  if (value === undefined || typeof value === 'boolean') return value;
  throw new Error(`${where}.${key} must be true or false`);
}

function stringMap(value: unknown, where: string): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  const entries = Object.entries(record(value, where));
  const map: Record<string, string> = {};
  for (const [key, item] of entries) {
    if (typeof item !== 'string') throw new Error(`${where}.${key} must be a string`);
    map[key] = item;
  }
  return map;
}

function stringList(value: unknown, where: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((item): item is string => typeof item === 'string')) throw new Error(`${where} must be a list of strings`);
  return value;
}
