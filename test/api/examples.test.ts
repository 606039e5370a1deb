import { KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { WebhookType, type MetricTemplate, type Rollout } from '../../src/api/types.gen.js';
import { validationProblems } from '../../src/checks/spec.js';
import { createNamespace, kubeConfig } from '../support/env/context.js';
import { documents, exampleFiles } from './example-files.js';

const files = exampleFiles();

describe('deploy/examples', () => {
  it('has the examples the docs promise', () => {
    const kinds = files.flatMap((f) => documents(f).map((d) => `${f}:${d.kind ?? ''}`));
    expect(kinds).toEqual(
      expect.arrayContaining([
        'canary.yaml:Rollout',
        'autoscaler.yaml:HorizontalPodAutoscaler',
        'autoscaler.yaml:Rollout',
        'canary-prometheus-slack.yaml:Rollout',
        'canary-mirror.yaml:Rollout',
        'blue-green.yaml:Rollout',
        'ab-testing.yaml:Rollout',
        'metric-template.yaml:MetricTemplate',
        'alert-provider.yaml:AlertProvider',
        'alert-provider.yaml:Secret',
        'webhook-gates.yaml:Rollout',
        'webhook-gates.yaml:Secret',
        'operator-role.yaml:Role',
        'shared-across-namespaces.yaml:MetricTemplate',
        'shared-across-namespaces.yaml:AlertProvider',
        'statefulset.yaml:StatefulSet',
        'statefulset.yaml:Rollout',
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

  // The very checks the controller makes before acting on a Rollout, with the
  // example MetricTemplates as the templates it would read.
  const templates = files.flatMap(documents).filter((d): d is KubernetesObject & MetricTemplate => d.kind === 'MetricTemplate');
  const readTemplate = (_namespace: string, name: string): Promise<MetricTemplate | undefined> => Promise.resolve(templates.find((t) => t.metadata.name === name));

  it.each(files)('%s passes the controller\'s own validation', async (file) => {
    const rollouts = documents(file).filter((d): d is KubernetesObject & Rollout => d.kind === 'Rollout');
    for (const rollout of rollouts) expect(await validationProblems(rollout, readTemplate)).toEqual([]);
  });

  it('runs a manual approval gate in the Slack example', () => {
    const [rollout] = documents('canary-prometheus-slack.yaml').filter((d): d is KubernetesObject & Rollout => d.kind === 'Rollout');
    expect(rollout?.spec.analysis?.webhooks?.map((w) => [w.name, w.type ?? 'rollout', w.manual ?? false])).toEqual([
      ['load-test', 'rollout', false],
      ['release-window', 'confirm-rollout', false],
      ['approval', 'confirm-promotion', true],
    ]);
  });

  it('has a webhook of every type in the gates example, and a manual gate', () => {
    const [rollout] = documents('webhook-gates.yaml').filter((d): d is KubernetesObject & Rollout => d.kind === 'Rollout');
    const webhooks = rollout?.spec.analysis?.webhooks ?? [];
    expect(new Set(webhooks.map((w) => w.type ?? 'rollout'))).toEqual(new Set(Object.values(WebhookType)));
    expect(webhooks.filter((w) => w.manual).map((w) => [w.name, w.type])).toEqual([['sign-off', 'confirm-promotion']]);
  });
});
