import type { V1ConfigMap, V1Container, V1ObjectMeta, V1PodTemplateSpec, V1Secret, V1Volume, CoreV1Api } from '@kubernetes/client-node';
import type { Rollout } from '../api/types.gen.js';
import type { ClusterCache } from '../kube/cache.js';
import type { KubeClients } from '../kube/client.js';
import { orMissing } from '../kube/errors.js';
import { MANAGED_BY, primaryName } from '../api/names.js';
import { ownerReference } from '../kube/ownership.js';
import { assertOwned, notOwnedMessage, ownedBy } from '../kube/ownership.js';
import { sameJson } from '../kube/same-json.js';
import { configRefs, type ConfigRefs } from './revision.js';

/**
 * Config tracking: the primary reads copies (`<name>-primary`) of the
 * ConfigMaps and Secrets its template references, made when a revision is
 * promoted. A config edit then reaches the canary first and is released, and
 * rolled back, like an image change; the stable pods keep the promoted data.
 */
export class ConfigCopier {
  private readonly core: CoreV1Api;

  constructor(
    clients: KubeClients,
    private readonly cache?: ClusterCache,
  ) {
    this.core = clients.core;
  }

  /** Copies every referenced config that exists; returns the names copied (a missing optional one is left as it is). */
  async copy(rollout: Rollout, namespace: string, template: V1PodTemplateSpec | undefined): Promise<ConfigRefs> {
    const refs = configRefs(template);
    const [configMaps, secrets] = await Promise.all([
      Promise.all(refs.configMaps.map((name) => this.copyConfigMap(rollout, namespace, name))),
      Promise.all(refs.secrets.map((name) => this.copySecret(rollout, namespace, name))),
    ]);
    return { configMaps: configMaps.filter(isName), secrets: secrets.filter(isName) };
  }

  /** The copies' names that exist and belong to someone else, each with the fix. */
  async foreign(rollout: Rollout, namespace: string, template: V1PodTemplateSpec | undefined): Promise<string[]> {
    const refs = configRefs(template);
    const read = async (kind: 'ConfigMap' | 'Secret', name: string): Promise<string[]> => {
      const copyName = primaryName(name);
      const existing =
        kind === 'ConfigMap'
          ? await orMissing(this.core.readNamespacedConfigMap({ name: copyName, namespace }))
          : await orMissing(this.core.readNamespacedSecret({ name: copyName, namespace }));
      return existing && !ownedBy(existing.metadata, rollout) ? [notOwnedMessage(kind, namespace, copyName, existing.metadata)] : [];
    };
    const found = await Promise.all([...refs.configMaps.map((n) => read('ConfigMap', n)), ...refs.secrets.map((n) => read('Secret', n))]);
    return found.flat();
  }

  private async copyConfigMap(rollout: Rollout, namespace: string, name: string): Promise<string | undefined> {
    const source = this.cache?.configMap(namespace, name) ?? (await orMissing(this.core.readNamespacedConfigMap({ name, namespace })));
    if (!source) return undefined;
    const copyName = primaryName(name);
    const existing = await orMissing(this.core.readNamespacedConfigMap({ name: copyName, namespace }));
    const body: V1ConfigMap = {
      metadata: copyMeta(rollout, namespace, copyName, existing?.metadata),
      ...(source.data ? { data: source.data } : {}),
      ...(source.binaryData ? { binaryData: source.binaryData } : {}),
    };
    if (!existing) await this.core.createNamespacedConfigMap({ namespace, body });
    else {
      assertOwned(rollout, 'ConfigMap', namespace, copyName, existing.metadata);
      if (!sameJson([existing.data, existing.binaryData], [source.data, source.binaryData])) {
        await this.core.replaceNamespacedConfigMap({ name: copyName, namespace, body });
      }
    }
    return name;
  }

  private async copySecret(rollout: Rollout, namespace: string, name: string): Promise<string | undefined> {
    const source = this.cache?.secret(namespace, name) ?? (await orMissing(this.core.readNamespacedSecret({ name, namespace })));
    if (!source) return undefined;
    const copyName = primaryName(name);
    const existing = await orMissing(this.core.readNamespacedSecret({ name: copyName, namespace }));
    const body: V1Secret = {
      metadata: copyMeta(rollout, namespace, copyName, existing?.metadata),
      ...(source.type ? { type: source.type } : {}),
      ...(source.data ? { data: source.data } : {}),
    };
    if (!existing) await this.core.createNamespacedSecret({ namespace, body });
    else {
      assertOwned(rollout, 'Secret', namespace, copyName, existing.metadata);
      if (!sameJson(existing.data, source.data)) await this.core.replaceNamespacedSecret({ name: copyName, namespace, body });
    }
    return name;
  }
}

function copyMeta(rollout: Rollout, namespace: string, name: string, existing: V1ObjectMeta | undefined): V1ObjectMeta {
  return {
    name,
    namespace,
    labels: { ...MANAGED_BY },
    ownerReferences: [ownerReference(rollout)],
    ...(existing?.resourceVersion ? { resourceVersion: existing.resourceVersion } : {}),
  };
}

function isName(name: string | undefined): name is string {
  return name !== undefined;
}

/** The template with every reference to a copied config pointing at its `-primary` copy. */
export function withConfigCopies(template: V1PodTemplateSpec, copied: ConfigRefs): V1PodTemplateSpec {
  return renamedConfigs(template, (kind, name) => (copied[kind].includes(name) ? primaryName(name) : name));
}

/**
 * The inverse, for a primary's template: every reference to a `-primary`
 * copy points at the config it was copied from again. A copy is known by
 * its name alone (the primary keeps no list of them), so a reference the
 * target itself made to a config named `…-primary` that was not copied
 * (an optional one missing at promotion) is renamed too.
 */
export function withoutConfigCopies(template: V1PodTemplateSpec): V1PodTemplateSpec {
  const suffix = primaryName('');
  return renamedConfigs(template, (_kind, name) => (name.endsWith(suffix) && name.length > suffix.length ? name.slice(0, -suffix.length) : name));
}

type Rename = (kind: keyof ConfigRefs, name: string) => string;

/** A copy of the template with every ConfigMap and Secret reference (volumes, envFrom, env valueFrom) renamed. */
function renamedConfigs(template: V1PodTemplateSpec, rename: Rename): V1PodTemplateSpec {
  const out = structuredClone(template);
  renameInVolumes(out.spec?.volumes ?? [], rename);
  renameInContainers([...(out.spec?.containers ?? []), ...(out.spec?.initContainers ?? [])], rename);
  return out;
}

function renameInVolumes(volumes: V1Volume[], rename: Rename): void {
  for (const v of volumes) {
    renameRef(v.configMap, 'configMaps', rename);
    if (v.secret?.secretName) v.secret.secretName = rename('secrets', v.secret.secretName);
    for (const source of v.projected?.sources ?? []) {
      renameRef(source.configMap, 'configMaps', rename);
      renameRef(source.secret, 'secrets', rename);
    }
  }
}

function renameInContainers(containers: V1Container[], rename: Rename): void {
  for (const c of containers) {
    for (const from of c.envFrom ?? []) {
      renameRef(from.configMapRef, 'configMaps', rename);
      renameRef(from.secretRef, 'secrets', rename);
    }
    for (const e of c.env ?? []) {
      renameRef(e.valueFrom?.configMapKeyRef, 'configMaps', rename);
      renameRef(e.valueFrom?.secretKeyRef, 'secrets', rename);
    }
  }
}

function renameRef(ref: { name?: string } | undefined, kind: keyof ConfigRefs, rename: Rename): void {
  if (ref?.name) ref.name = rename(kind, ref.name);
}
