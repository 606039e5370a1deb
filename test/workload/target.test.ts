import { describe, expect, it } from 'vitest';
import type { V1DaemonSet, V1DaemonSetStatus, V1Deployment, V1PodTemplateSpec } from '@kubernetes/client-node';
import { PARK_KEY, isParked, parkingPatch, unparked } from '../../src/workload/parking.js';
import { daemonSetReadiness, deploymentReadiness } from '../../src/workload/readiness.js';
import { sideBySideProblem } from '../../src/workload/side-by-side.js';
import { selectorLabel } from '../../src/workload/workload.js';
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
    expect(selectorLabel('Deployment', d)).toEqual({ key: 'name', value: 'y' });
  });

  it('explains a selector without any of them', () => {
    const d = deployment({});
    if (d.spec) d.spec.selector = { matchLabels: { tier: 'web' } };
    expect(() => selectorLabel('Deployment', d)).toThrow(TargetError);
    expect(() => selectorLabel('Deployment', d)).toThrow(/Deployment d: spec.selector.matchLabels needs one of app, name, app.kubernetes.io\/name/);
  });
});

function daemonSet(status: Partial<V1DaemonSetStatus>, nodeSelector?: Record<string, string>, generation = 3): V1DaemonSet {
  return {
    metadata: { name: 'agent', generation },
    spec: { selector: { matchLabels: { app: 'agent' } }, template: { spec: { containers: [], ...(nodeSelector ? { nodeSelector } : {}) } } },
    status: { currentNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0, desiredNumberScheduled: 0, ...status },
  };
}

describe('daemonSetReadiness', () => {
  const rolledOut = { observedGeneration: 3, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 3 };

  it('is ready when the generation is observed and every node runs an updated, available pod', () => {
    expect(daemonSetReadiness(daemonSet(rolledOut))).toEqual({ ready: true, message: '' });
  });

  it.each([
    [{ ...rolledOut, observedGeneration: 2 }, 'the new generation is not observed yet'],
    [{ ...rolledOut, updatedNumberScheduled: 1 }, '1 of 3 nodes updated'],
    [{ ...rolledOut, numberAvailable: 2, numberUnavailable: 1 }, '2 of 3 nodes available (100% needed)'],
    // An old pod still available on a node counts in numberAvailable; numberUnavailable says that node lacks its pod.
    [{ ...rolledOut, numberAvailable: 3, numberUnavailable: 1 }, '2 of 3 nodes available (100% needed)'],
  ])('says why it is not ready: %j', (status, message) => {
    expect(daemonSetReadiness(daemonSet(status))).toEqual({ ready: false, message });
  });

  it('honours a ready threshold below 100% of the nodes', () => {
    const status = { ...rolledOut, desiredNumberScheduled: 4, updatedNumberScheduled: 4, numberAvailable: 2, numberUnavailable: 2 };
    expect(daemonSetReadiness(daemonSet(status), 50).ready).toBe(true);
    expect(daemonSetReadiness(daemonSet(status), 75)).toEqual({ ready: false, message: '2 of 4 nodes available (75% needed)' });
  });

  it('is ready parked (it runs what it should: nothing), and not ready scheduled on no node otherwise', () => {
    const none = { observedGeneration: 3, desiredNumberScheduled: 0, updatedNumberScheduled: 0, numberAvailable: 0 };
    expect(daemonSetReadiness(daemonSet(none, { [PARK_KEY]: 'true' }))).toEqual({ ready: true, message: '' });
    expect(daemonSetReadiness(daemonSet(none, { disk: 'ssd' })).message).toMatch(/^scheduled on no node/);
  });
});

describe('parking', () => {
  const template = (nodeSelector?: Record<string, string>): V1PodTemplateSpec => ({ metadata: { labels: { app: 'agent' } }, spec: { containers: [], ...(nodeSelector ? { nodeSelector } : {}) } });

  it('leaves the user\'s nodeSelector as it was, and an unparked template as it is', () => {
    expect(unparked(template({ disk: 'ssd', [PARK_KEY]: 'true' }))).toEqual(template({ disk: 'ssd' }));
    // Parking added the only entry: the API server stores no empty nodeSelector, so neither does unparked().
    expect(unparked(template({ [PARK_KEY]: 'true' }))).toEqual(template());
    const plain = template({ disk: 'ssd' });
    expect(unparked(plain)).toBe(plain);
  });

  it('keeps the revision hash: a parked template hashes as the released one', () => {
    expect(revisionHash(unparked(template({ [PARK_KEY]: 'true' })), {})).toBe(revisionHash(template(), {}));
    expect(isParked(template({ [PARK_KEY]: 'true' }))).toBe(true);
    expect(isParked(template({ disk: 'ssd' }))).toBe(false);
  });

  it('patches only its own nodeSelector entry (null removes it in a merge patch)', () => {
    expect(parkingPatch(true)).toEqual({ spec: { template: { spec: { nodeSelector: { [PARK_KEY]: 'true' } } } } });
    expect(parkingPatch(false)).toEqual({ spec: { template: { spec: { nodeSelector: { [PARK_KEY]: null } } } } });
  });
});

describe('sideBySideProblem', () => {
  it('refuses host ports and the host network by field, with the way out', () => {
    const hostPort: V1PodTemplateSpec = { spec: { containers: [{ name: 'a' }, { name: 'b', ports: [{ containerPort: 80 }, { containerPort: 9100, hostPort: 9100 }] }] } };
    expect(sideBySideProblem('ns/agent', hostPort)).toMatch(/^DaemonSet ns\/agent: spec\.template\.spec\.containers\[1\]\.ports\[1\]\.hostPort 9100 .*\(remove it/);
    expect(sideBySideProblem('ns/agent', { spec: { hostNetwork: true, containers: [] } })).toMatch(/spec\.template\.spec\.hostNetwork is true/);
    expect(sideBySideProblem('ns/agent', { spec: { containers: [{ name: 'a', ports: [{ containerPort: 80 }] }] } })).toBeUndefined();
  });
});
