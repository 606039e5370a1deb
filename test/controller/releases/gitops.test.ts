import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Condition, Rollout } from '../../../src/api/types.gen.js';
import { createNamespace, env, mergePatch } from '../../support/env/context.js';
import { Cluster, podinfo } from '../../support/harness.js';
import { useReleaseCluster } from '../../support/release-cluster.js';
import { quickRollout } from '../../support/rollouts.js';
import { argoHealth, healthScript, type ArgoHealth } from '../../support/argo-health.js';

const run = promisify(execFile);

const condition = (r: Rollout, type: string): Condition | undefined => r.status?.conditions?.find((c) => c.type === type);
const holds = (r: Rollout, type: string): boolean => condition(r, type)?.status === 'True';

/**
 * What GitOps tools read of a Rollout, from real releases driven by the
 * controller: `kubectl wait` on its conditions, and the Argo CD health check
 * of docs/gitops.md run by Lua 5.1 on the Rollout read from the API server.
 */
describe('GitOps health of a Rollout', () => {
  const release = useReleaseCluster('gitops');
  const cluster = (): Cluster => release.cluster();
  let script: string;
  const health = (r: Rollout): ArgoHealth => argoHealth(script, r);

  /** `kubectl wait` on the Rollout, with the test kubeconfig; resolves once kubectl returns 0. */
  async function kubectlWait(name: string, condition: string, signal?: AbortSignal): Promise<string> {
    const { stdout } = await run('kubectl', [
      '--kubeconfig', env().kubeconfigPath,
      '--cache-dir', join(env().dir, 'kubectl-cache'),
      '-n', cluster().namespace,
      'wait', `--for=condition=${condition}`, `rollout/${name}`, '--timeout=90s',
    ], signal ? { signal } : {});
    return stdout;
  }

  async function annotate(name: string, key: string, value: object): Promise<void> {
    await cluster().custom.patchNamespacedCustomObject(
      { group: 'flowshift.io', version: 'v1alpha1', plural: 'rollouts', namespace: cluster().namespace, name, body: { metadata: { annotations: { [key]: JSON.stringify(value) } } } },
      mergePatch,
    );
  }

  beforeAll(async () => {
    script = healthScript();
    const approval = { name: 'approval', type: 'confirm-promotion' as const, manual: true };
    await cluster().apps.createNamespacedDeployment({ namespace: cluster().namespace, body: podinfo('app') });
    await cluster().createRollout(quickRollout('app', { analysis: { interval: '1s', threshold: 2, webhooks: [approval] } }));
  });

  it('kubectl wait --for=condition=Ready returns once the Rollout is initialized; Argo CD: Healthy', async () => {
    expect(await kubectlWait('app', 'Ready')).toContain('rollout.flowshift.io/app condition met');
    const r = await cluster().rollout('app');
    expect(r.status?.phase).toBe('Initialized');
    expect(r.status?.observedGeneration).toBe(r.metadata.generation);
    expect(condition(r, 'Ready')).toMatchObject({ status: 'True', reason: 'Initialized', observedGeneration: r.metadata.generation });
    expect(health(r)).toEqual({ status: 'Healthy', message: r.status?.message });
  });

  it('a release: Progressing, Suspended at the manual gate, Healthy once approved, when kubectl wait returns', async () => {
    await cluster().setImage('app', 'podinfo:2');
    const progressing = await cluster().waitForRollout('app', 'Progressing', (r) => r.status?.phase === 'Progressing');
    expect(holds(progressing, 'Reconciling')).toBe(true);
    expect(health(progressing)).toEqual({ status: 'Progressing', message: progressing.status?.message });

    // The release has started (Ready is False), so kubectl waits for its end; stopped by the test if it fails first.
    const stop = new AbortController();
    const done = kubectlWait('app', 'Ready', stop.signal);
    done.catch(() => undefined); // awaited below: a failure before then is not an unhandled rejection
    try {
      const waiting = await cluster().waitForRollout('app', 'WaitingPromotion', (r) => r.status?.phase === 'WaitingPromotion');
      expect(condition(waiting, 'Ready')).toMatchObject({ status: 'False', reason: 'WaitingPromotion' });
      expect(health(waiting)).toEqual({ status: 'Suspended', message: waiting.status?.message });

      await annotate('app', 'flowshift.io/approve', { revision: waiting.status?.lastAppliedSpec, by: 'alice', at: new Date().toISOString() });
      expect(await done).toContain('condition met');
    } finally {
      stop.abort();
    }
    const succeeded = await cluster().rollout('app');
    expect(succeeded.status?.phase).toBe('Succeeded');
    expect(health(succeeded)).toEqual({ status: 'Healthy', message: succeeded.status?.message });
  });

  it('a rollback is Stalled (Argo CD: Degraded) until the target is reverted to the promoted revision', async () => {
    await cluster().setImage('app', 'podinfo:3');
    const releasing = await cluster().waitForRollout('app', 'Progressing', (r) => r.status?.phase === 'Progressing');
    await annotate('app', 'flowshift.io/abort', { revision: releasing.status?.lastAppliedSpec, by: 'bob', at: new Date().toISOString() });
    expect(await kubectlWait('app', 'Stalled')).toContain('condition met');
    const failed = await cluster().rollout('app');
    expect(failed.status?.phase).toBe('Failed');
    expect(condition(failed, 'Ready')).toMatchObject({ status: 'False', reason: 'Failed' });
    expect(health(failed)).toEqual({ status: 'Degraded', message: failed.status?.message });
    expect(failed.status?.message).toContain('aborted by bob');

    // A GitOps revert: the target goes back to the promoted revision, and the Rollout is at rest on it.
    await cluster().setImage('app', 'podinfo:2');
    const reverted = await cluster().waitForRollout('app', 'Ready again', (r) => holds(r, 'Ready'));
    expect(reverted.status?.phase).toBe('Failed');
    expect(condition(reverted, 'Ready')?.reason).toBe('RevisionReverted');
    expect(holds(reverted, 'Stalled')).toBe(false);
    expect(health(reverted).status).toBe('Healthy');
  });

  it('after a spec change, kubectl wait returns once the controller acted on the new generation', async () => {
    const before = await cluster().rollout('app');
    await cluster().custom.patchNamespacedCustomObject(
      { group: 'flowshift.io', version: 'v1alpha1', plural: 'rollouts', namespace: cluster().namespace, name: 'app', body: { spec: { analysis: { interval: '2s' } } } },
      mergePatch,
    );
    await kubectlWait('app', 'Ready');
    const after = await cluster().rollout('app');
    expect(after.metadata.generation).toBeGreaterThan(before.metadata.generation ?? 0);
    expect(after.status?.observedGeneration).toBe(after.metadata.generation);
    expect(condition(after, 'Ready')?.observedGeneration).toBe(after.metadata.generation);
  });

  it('Argo CD: a Rollout flowshift has not reported on, or whose spec changed since, is Progressing', async () => {
    // A namespace no controller watches: the Rollout stays as the API server keeps it.
    const unwatched = new Cluster(await createNamespace('gitops-unwatched'));
    await unwatched.createRollout(quickRollout('app'));
    const unseen = await unwatched.rollout('app');
    expect(unseen.status).toBeUndefined();
    expect(health(unseen)).toEqual({ status: 'Progressing', message: 'waiting for flowshift to report on the Rollout' });

    // The status the controller wrote above, as if written for this Rollout's generation 1; then the spec changes.
    // Its message has what a Lua string literal must escape, and UTF-8: the health check quotes it unchanged.
    const written = (await cluster().rollout('app')).status;
    const message = 'canary "podinfo" → 0 %, C:\\ok\nnext line';
    const conditions = written?.conditions?.map((c) => (c.type === 'Ready' ? { ...c, message } : c));
    const status = { ...written, observedGeneration: 1, conditions };
    await unwatched.custom.patchNamespacedCustomObjectStatus(
      { group: 'flowshift.io', version: 'v1alpha1', plural: 'rollouts', namespace: unwatched.namespace, name: 'app', body: { status } },
      mergePatch,
    );
    expect(health(await unwatched.rollout('app'))).toEqual({ status: 'Healthy', message });
    await unwatched.custom.patchNamespacedCustomObject(
      { group: 'flowshift.io', version: 'v1alpha1', plural: 'rollouts', namespace: unwatched.namespace, name: 'app', body: { spec: { skipAnalysis: true } } },
      mergePatch,
    );
    const changed = await unwatched.rollout('app');
    expect(changed.metadata.generation).toBe(2);
    expect(health(changed)).toEqual({ status: 'Progressing', message: 'waiting for flowshift to act on generation 2' });
  });
});
