import { describe, expect, it } from 'vitest';
import type { V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import { createNamespace, kubeConfig } from '../../support/env/context.js';
import { KubeClients } from '../../../src/kube/client.js';
import { podinfoStatefulSet, REVISION_HASH, revisionName, statefulSetStep, updateStatefulSetWithRetry, type PodView } from '../../../devenv/env/statefulsets.js';
import { waitFor } from '../../../devenv/env/processes.js';

/** `web` of 4 pods at revision A with `partition`, its template changed to revision B. */
function changed(partition: number): { sts: V1StatefulSet; a: string; b: string } {
  const before = podinfoStatefulSet('web', 4);
  const a = revisionName(before);
  const sts = podinfoStatefulSet('web', 4, 'podinfo:new');
  sts.metadata = { ...sts.metadata, generation: 2 };
  sts.spec = { ...sts.spec, selector: sts.spec?.selector ?? {}, template: sts.spec?.template ?? {}, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition } } };
  sts.status = { replicas: 4, currentRevision: a, updateRevision: a };
  return { sts, a, b: revisionName(sts) };
}

const pods = (revisions: readonly string[], ready = true): PodView[] => revisions.map((revision, ordinal) => ({ ordinal, revision, ready }));

describe('the StatefulSet controller stand-in, one step at a time', () => {
  it('names a revision after its template: the same template, the same name', () => {
    expect(revisionName(podinfoStatefulSet('web'))).toBe(revisionName(podinfoStatefulSet('web')));
    expect(revisionName(podinfoStatefulSet('web'))).not.toBe(revisionName(podinfoStatefulSet('web', 4, 'podinfo:new')));
    expect(revisionName(podinfoStatefulSet('web'))).toMatch(/^web-[0-9a-f]{10}$/);
  });

  it('updates no pod while the partition is above every ordinal', () => {
    const { sts, a, b } = changed(2147483647);
    const step = statefulSetStep(sts, pods([a, a, a, a]));
    expect(step).toMatchObject({ delete: [], create: [] });
    expect(step.status).toMatchObject({ currentRevision: a, updateRevision: b, currentReplicas: 4, updatedReplicas: 0, readyReplicas: 4, observedGeneration: 2 });
  });

  it('replaces the highest ordinal at or above the partition first, one pod at a time, and only once every pod is ready', () => {
    const { sts, a, b } = changed(2);
    expect(statefulSetStep(sts, pods([a, a, a, a])).delete).toEqual([3]);
    expect(statefulSetStep(sts, pods([a, a, a])).create).toEqual([{ ordinal: 3, revision: b }]);
    expect(statefulSetStep(sts, [...pods([a, a, a]), { ordinal: 3, revision: b, ready: false }]).delete).toEqual([]);
    expect(statefulSetStep(sts, [...pods([a, a, a]), { ordinal: 3, revision: b, ready: true }]).delete).toEqual([2]);
    const done = statefulSetStep(sts, pods([a, a, b, b]));
    expect(done.delete).toEqual([]);
    expect(done.status).toMatchObject({ currentRevision: a, updatedReplicas: 2, currentReplicas: 2 });
  });

  it('recreates a deleted pod at the revision its ordinal should run: the current one below the partition', () => {
    const { sts, a, b } = changed(3);
    expect(statefulSetStep(sts, pods([a, a, a, b]).filter((p) => p.ordinal !== 1)).create).toEqual([{ ordinal: 1, revision: a }]);
    // A pod below the partition keeps whatever revision it runs until it is deleted.
    expect(statefulSetStep(sts, pods([a, a, b, b])).delete).toEqual([]);
  });

  it('makes the update revision the current one once every pod runs it and is ready', () => {
    const { sts, b } = changed(0);
    expect(statefulSetStep(sts, pods([b, b, b, b])).status).toMatchObject({ currentRevision: b, currentReplicas: 4, updatedReplicas: 4 });
    expect(statefulSetStep(sts, [...pods([b, b, b]), { ordinal: 3, revision: b, ready: false }]).status.currentRevision).not.toBe(b);
  });

  it('creates real pods labelled with their revision, and rolls them by the partition against the API server', async () => {
    const namespace = await createNamespace('sts-standin');
    const clients = new KubeClients(kubeConfig());
    try {
      await clients.apps.createNamespacedStatefulSet({ namespace, body: podinfoStatefulSet('db', 3) });
      const list = async (): Promise<V1Pod[]> => (await clients.core.listNamespacedPod({ namespace, labelSelector: 'app=db' })).items.filter((p) => !p.metadata?.deletionTimestamp);
      const sts = async (): Promise<V1StatefulSet> => clients.apps.readNamespacedStatefulSet({ name: 'db', namespace });
      await waitFor('3 ready pods', async () => (await sts()).status?.readyReplicas === 3, { timeoutMs: 15_000 });
      const a = (await sts()).status?.currentRevision ?? '';
      expect((await list()).map((p) => p.metadata?.labels?.[REVISION_HASH])).toEqual([a, a, a]);
      await updateStatefulSetWithRetry(clients.apps, namespace, 'db', (s) => {
        s.spec = { ...s.spec, selector: s.spec?.selector ?? {}, template: s.spec?.template ?? {}, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } };
        const container = s.spec.template.spec?.containers[0];
        if (container) container.image = 'podinfo:new';
      });
      await waitFor('db-2 at the new revision and ready', async () => {
        const s = await sts();
        return s.status?.updatedReplicas === 1 && s.status.readyReplicas === 3 && s.status.observedGeneration === s.metadata?.generation;
      }, { timeoutMs: 15_000 });
      const b = (await sts()).status?.updateRevision ?? '';
      const byName = Object.fromEntries((await list()).map((p) => [p.metadata?.name ?? '', p.metadata?.labels?.[REVISION_HASH] ?? '']));
      expect(byName).toEqual({ 'db-0': a, 'db-1': a, 'db-2': b });
      expect((await sts()).status?.currentRevision).toBe(a);
      // A pod deleted below the partition comes back at the current revision.
      await clients.core.deleteNamespacedPod({ name: 'db-0', namespace });
      await waitFor('db-0 back, ready', async () => (await list()).length === 3 && (await sts()).status?.readyReplicas === 3, { timeoutMs: 15_000 });
      expect((await list()).find((p) => p.metadata?.name === 'db-0')?.metadata?.labels?.[REVISION_HASH]).toBe(a);
    } finally {
      await clients.close();
    }
  });
});
