import { describe, expect, it } from 'vitest';
import type { V1Deployment, V1PodTemplateSpec } from '@kubernetes/client-node';
import { selectorLabel } from '../../src/workload/deployment.js';
import { deploymentReadiness } from '../../src/workload/readiness.js';
import { configRefs, revisionHash, stableJson } from '../../src/workload/revision.js';
import { TargetError } from '../../src/workload/target.js';

const template: V1PodTemplateSpec = {
  metadata: { labels: { app: 'podinfo' } },
  spec: {
    containers: [
      {
        name: 'app',
        image: 'podinfo:1',
        envFrom: [{ configMapRef: { name: 'env-cm' } }, { secretRef: { name: 'env-secret' } }],
        env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'key-secret', key: 'x' } } }],
      },
    ],
    volumes: [{ name: 'c', configMap: { name: 'vol-cm' } }, { name: 'p', projected: { sources: [{ secret: { name: 'proj-secret' } }] } }],
  },
};

function deployment(status: NonNullable<V1Deployment['status']>, replicas = 2, generation = 3): V1Deployment {
  return { metadata: { name: 'd', generation }, spec: { replicas, selector: { matchLabels: { app: 'd' } }, template: {} }, status };
}

describe('revision', () => {
  it('finds every referenced ConfigMap and Secret', () => {
    expect(configRefs(template)).toEqual({ configMaps: ['env-cm', 'vol-cm'], secrets: ['env-secret', 'key-secret', 'proj-secret'] });
  });

  it('changes with the template and with config data, not with key order', () => {
    const base = revisionHash(template, { 'configmap/env-cm': { a: '1', b: '2' } });
    expect(revisionHash(template, { 'configmap/env-cm': { b: '2', a: '1' } })).toBe(base);
    expect(revisionHash(template, { 'configmap/env-cm': { a: '1', b: '3' } })).not.toBe(base);
    const bumped = structuredClone(template);
    if (bumped.spec?.containers[0]) bumped.spec.containers[0].image = 'podinfo:2';
    expect(revisionHash(bumped, { 'configmap/env-cm': { a: '1', b: '2' } })).not.toBe(base);
  });

  it('serialises objects with sorted keys', () => expect(stableJson({ b: 1, a: [{ d: 1, c: undefined }] })).toBe('{"a":[{"d":1}],"b":1}'));
});

describe('deploymentReadiness', () => {
  it('is ready when the generation is observed and enough replicas are available', () => {
    expect(deploymentReadiness(deployment({ observedGeneration: 3, updatedReplicas: 2, availableReplicas: 2 }))).toEqual({ ready: true, message: '' });
  });

  it.each([
    [{ observedGeneration: 2, updatedReplicas: 2, availableReplicas: 2 }, 'not observed yet'],
    [{ observedGeneration: 3, updatedReplicas: 1, availableReplicas: 1 }, '1 of 2 replicas updated'],
    [{ observedGeneration: 3, updatedReplicas: 2, availableReplicas: 1 }, '1 of 2 replicas available (100% needed)'],
    [{ observedGeneration: 3, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'timed out' }] }, 'exceeded its progress deadline'],
  ])('is not ready for %j, saying why', (status, why) => {
    const r = deploymentReadiness(deployment(status));
    expect(r.ready).toBe(false);
    expect(r.message).toContain(why);
  });

  it('honours a ready threshold below 100%', () => {
    expect(deploymentReadiness(deployment({ observedGeneration: 3, updatedReplicas: 4, availableReplicas: 2 }, 4), 50).ready).toBe(true);
  });
});

describe('selectorLabel', () => {
  it('takes app, name or app.kubernetes.io/name in that order', () => {
    const d = deployment({});
    if (d.spec) d.spec.selector = { matchLabels: { 'app.kubernetes.io/name': 'x', name: 'y' } };
    expect(selectorLabel(d)).toEqual({ key: 'name', value: 'y' });
  });

  it('explains a selector without any of them', () => {
    const d = deployment({});
    if (d.spec) d.spec.selector = { matchLabels: { tier: 'web' } };
    expect(() => selectorLabel(d)).toThrow(TargetError);
    expect(() => selectorLabel(d)).toThrow(/spec.selector.matchLabels needs one of app, name, app.kubernetes.io\/name/);
  });
});
