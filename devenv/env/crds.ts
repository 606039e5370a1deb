import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ApiextensionsV1Api, loadAllYaml, type KubeConfig, type V1CustomResourceDefinition } from '@kubernetes/client-node';
import { waitFor } from './processes.js';

export function readCrdFile(file: string): V1CustomResourceDefinition[] {
  return (loadAllYaml(readFileSync(file, 'utf8')) as (V1CustomResourceDefinition | null)[]).filter(
    (doc): doc is V1CustomResourceDefinition => doc?.kind === 'CustomResourceDefinition',
  );
}

export function readCrdDir(dir: string): V1CustomResourceDefinition[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
  } catch {
    return [];
  }
  return files.flatMap((f) => readCrdFile(join(dir, f)));
}

/** Creates (or replaces) the CRDs and waits until every one is Established. */
export async function installCrds(kubeConfig: KubeConfig, crds: readonly V1CustomResourceDefinition[]): Promise<void> {
  const api = kubeConfig.makeApiClient(ApiextensionsV1Api);
  for (const crd of crds) {
    const name = crd.metadata?.name ?? '';
    try {
      await api.createCustomResourceDefinition({ body: crd });
    } catch (err) {
      if (statusCode(err) !== 409) throw new Error(`installing CRD ${name}: ${String(err)}`, { cause: err });
      const existing = await api.readCustomResourceDefinition({ name });
      await api.replaceCustomResourceDefinition({
        name,
        body: { ...(crd as object), metadata: { name, resourceVersion: existing.metadata?.resourceVersion ?? '' } } as V1CustomResourceDefinition,
      });
    }
  }
  await Promise.all(
    crds.map((crd) =>
      waitFor(
        `CRD ${crd.metadata?.name ?? ''} Established`,
        async () => {
          const current = await api.readCustomResourceDefinition({ name: crd.metadata?.name ?? '' });
          return current.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ?? false;
        },
        { timeoutMs: 30_000 },
      ),
    ),
  );
}

/** HTTP status of an ApiException from @kubernetes/client-node, if any. */
export function statusCode(err: unknown): number | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'number') return err.code;
  return undefined;
}
