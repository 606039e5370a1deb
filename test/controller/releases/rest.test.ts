import { describe, expect, it } from 'vitest';
import { mergePatch } from '../../support/env/context.js';
import { waitFor } from '../../../devenv/env/processes.js';
import { podinfo } from '../../support/harness.js';
import { useReleaseCluster } from '../../support/release-cluster.js';
import { quickRollout } from '../../support/rollouts.js';


/**
 * A resting Rollout (its release ended, nothing new) costs nothing between
 * resyncs: the resync is set far beyond the test, so only informer events
 * can wake it.
 */
describe('a resting Rollout', () => {
  const { cluster, controller } = useReleaseCluster('rest', { extraArgs: ['--resync-interval', '1h'] });

  /** The controller's own count of Kubernetes API requests and of finished ticks, from its /metrics. */
  async function counters(): Promise<{ requests: number; ticks: number }> {
    const lines = (await (await fetch(`http://127.0.0.1:${controller().healthPort}/metrics`)).text()).split('\n');
    const sum = (name: string): number => lines.filter((l) => l.startsWith(name)).reduce((s, l) => s + Number(l.split(' ').at(-1)), 0);
    return { requests: sum('flowshift_kube_requests_total'), ticks: sum('flowshift_ticks_total') };
  }

  it('makes no API request and writes no status between resyncs, and still wakes on a route edit and a new revision', async () => {
    await cluster().apps.createNamespacedDeployment({ namespace: cluster().namespace, body: podinfo('idle') });
    await cluster().createRollout(quickRollout('idle'));
    await cluster().waitForRollout('idle', 'Initialized', (r) => r.status?.phase === 'Initialized');
    // Let the ticks that follow initialization settle (each interval is 1s).
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const before = await counters();
    const resting = await cluster().rollout('idle');
    await new Promise((resolve) => setTimeout(resolve, 6000));
    const after = await counters();
    expect(after.requests - before.requests).toBe(0);
    expect(after.ticks - before.ticks).toBe(0);
    // Nothing wrote the Rollout meanwhile: no status write either.
    expect((await cluster().rollout('idle')).metadata.resourceVersion).toBe(resting.metadata.resourceVersion);

    // A hand edit of the route wakes it (the route informer), with no resync to help.
    const vs = await cluster().virtualService('idle');
    const http = vs.spec.http.map((h) => ({ ...h, route: h.route.map((x) => ({ ...x, weight: 50 })) }));
    await cluster().custom.patchNamespacedCustomObject(
      { group: 'networking.istio.io', version: 'v1', plural: 'virtualservices', namespace: cluster().namespace, name: 'idle', body: { spec: { http } } },
      mergePatch,
    );
    await waitFor('weights restored', async () => (await cluster().virtualService('idle')).spec.http[0]?.route[0]?.weight === 100, { timeoutMs: 15_000 });

    // A new revision wakes it (the Deployment informer) and the release runs to its end.
    await cluster().setImage('idle', 'podinfo:2');
    await cluster().waitForRollout('idle', 'Succeeded', (r) => r.status?.phase === 'Succeeded');
  });
});
