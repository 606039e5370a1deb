import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubernetesObjectApi, loadAllYaml, type KubernetesObject } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { Rollout } from '../../src/api/types.gen.js';
import { validateRollout } from '../../src/api/validate.js';
import { createNamespace, kubeConfig } from '../env/context.js';

const EXAMPLES = fileURLToPath(new URL('../../deploy/examples', import.meta.url));
const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml')).sort();

function documents(file: string): KubernetesObject[] {
  return (loadAllYaml(readFileSync(join(EXAMPLES, file), 'utf8')) as (KubernetesObject | null)[]).filter(
    (doc): doc is KubernetesObject => doc !== null,
  );
}

describe('deploy/examples', () => {
  it('has the examples the docs promise', () => {
    const kinds = files.flatMap((f) => documents(f).map((d) => `${f}:${d.kind ?? ''}`));
    expect(kinds).toEqual(
      expect.arrayContaining([
        'canary-prometheus-slack.yaml:Rollout',
        'canary-mirror.yaml:Rollout',
        'blue-green.yaml:Rollout',
        'ab-testing.yaml:Rollout',
        'metric-template.yaml:MetricTemplate',
        'alert-provider.yaml:AlertProvider',
        'alert-provider.yaml:Secret',
      ]),
    );
  });

  // toMatchObject also proves nothing was pruned: a misspelt field would be
  // dropped silently by the API server and missing from what it returns.
  it.each(files)('%s is accepted by the API server as written, nothing pruned', async (file) => {
    const namespace = await createNamespace('api-example');
    const api = KubernetesObjectApi.makeApiClient(kubeConfig());
    for (const doc of documents(file)) {
      const body = { ...doc, metadata: { ...doc.metadata, namespace } };
      const created = await api.create(body);
      expect(created.metadata.uid).toBeTruthy();
      // A Secret's stringData comes back as data.
      if (doc.kind !== 'Secret') expect(created).toMatchObject(body);
    }
  });

  it.each(files)('%s passes semantic validation', (file) => {
    const rollouts = documents(file).filter((d): d is KubernetesObject & Rollout => d.kind === 'Rollout');
    for (const rollout of rollouts) expect(validateRollout(rollout)).toEqual([]);
  });
});
