import { createHash } from 'node:crypto';
import type { V1Container, V1PodTemplateSpec, V1Volume } from '@kubernetes/client-node';

/** ConfigMaps and Secrets a pod template reads, by kind and name. */
export interface ConfigRefs {
  readonly configMaps: readonly string[];
  readonly secrets: readonly string[];
}

/** Every ConfigMap and Secret referenced by volumes, envFrom and env valueFrom. */
export function configRefs(template: V1PodTemplateSpec | undefined): ConfigRefs {
  const refs = [...volumeRefs(template?.spec?.volumes ?? []), ...containerRefs([...(template?.spec?.containers ?? []), ...(template?.spec?.initContainers ?? [])])];
  const names = (kind: Ref['kind']): string[] => [...new Set(refs.filter((r) => r.kind === kind && r.name).map((r) => r.name ?? ''))].sort();
  return { configMaps: names('configMap'), secrets: names('secret') };
}

interface Ref {
  readonly kind: 'configMap' | 'secret';
  readonly name: string | undefined;
}

function volumeRefs(volumes: V1Volume[]): Ref[] {
  return volumes.flatMap((v) => [
    { kind: 'configMap', name: v.configMap?.name },
    { kind: 'secret', name: v.secret?.secretName },
    ...(v.projected?.sources ?? []).flatMap((s): Ref[] => [
      { kind: 'configMap', name: s.configMap?.name },
      { kind: 'secret', name: s.secret?.name },
    ]),
  ]);
}

function containerRefs(containers: V1Container[]): Ref[] {
  return containers.flatMap((c) => [
    ...(c.envFrom ?? []).flatMap((f): Ref[] => [
      { kind: 'configMap', name: f.configMapRef?.name },
      { kind: 'secret', name: f.secretRef?.name },
    ]),
    ...(c.env ?? []).flatMap((e): Ref[] => [
      { kind: 'configMap', name: e.valueFrom?.configMapKeyRef?.name },
      { kind: 'secret', name: e.valueFrom?.secretKeyRef?.name },
    ]),
  ]);
}

/**
 * The revision of a release: a hash of the pod template and of the data of
 * every config it references, so a ConfigMap edit is released like an image
 * change. `configs` maps "configmap/<name>" or "secret/<name>" to its data.
 */
export function revisionHash(template: V1PodTemplateSpec | undefined, configs: Readonly<Record<string, unknown>>): string {
  const hash = createHash('sha256');
  hash.update(stableJson(template ?? {}));
  for (const key of Object.keys(configs).sort()) hash.update(`\n${key}=${stableJson(configs[key] ?? null)}`);
  return hash.digest('hex').slice(0, 16);
}

/** JSON with object keys sorted, so equal objects hash equally. */
export function stableJson(value: unknown): string {
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return value === undefined ? 'null' : JSON.stringify(value);
}
