import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNamespace, env } from '../support/env/context.js';
import { waitFor, type ManagedProcess } from '../../devenv/env/processes.js';
import { Cluster, podinfo, startController, type ControllerProcess } from '../support/harness.js';
import { quickRollout } from '../support/rollouts.js';
import { installPlugin, readLog, startKubectlFlowshift } from './plugin.js';

/** The canary weight each printed view shows, consecutive repeats folded. */
function weightsOf(transcript: string): number[] {
  const weights: number[] = [];
  for (const match of transcript.matchAll(/^Weight: +(\d+)%/gm)) {
    const weight = Number(match[1]);
    if (weights.at(-1) !== weight) weights.push(weight);
  }
  return weights;
}

describe('kubectl flowshift status -w', () => {
  let bin: string;
  let cluster: Cluster;
  let controller: ControllerProcess;
  let watcher: ManagedProcess | undefined;
  let transcript: string;

  beforeAll(async () => {
    const [plugin, namespace] = await Promise.all([installPlugin(), createNamespace('cli-watch')]);
    bin = plugin;
    cluster = new Cluster(namespace);
    transcript = join(env().dir, `status-w-${namespace}.log`);
    controller = await startController(namespace);
  });
  afterAll(async () => {
    await watcher?.stop();
    await controller.stop();
  });

  it('redraws the view on every change the controller makes, through a whole canary release', async () => {
    await cluster.apps.createNamespacedDeployment({ namespace: cluster.namespace, body: podinfo('podinfo') });
    await cluster.createRollout(quickRollout('podinfo'));
    await cluster.waitForRollout('podinfo', 'Initialized', (r) => r.status?.phase === 'Initialized');

    const w = startKubectlFlowshift(bin, ['status', 'podinfo', '-w', '-n', cluster.namespace], transcript);
    watcher = w;
    await waitFor('the first view', () => Promise.resolve(readLog(transcript).includes('Phase:    Initialized')), { timeoutMs: 30_000, process: w });

    await cluster.setImage('podinfo', 'ghcr.io/stefanprodan/podinfo:6.6.0');
    await waitFor('the view of the promoted release', () => Promise.resolve(readLog(transcript).includes('Phase:    Succeeded')), { timeoutMs: 90_000, process: w });

    const text = readLog(transcript);
    // Not a TTY: every view is kept, one after another, separated by a blank line.
    const views = text.trimEnd().split('\n\n');
    expect(views.length).toBeGreaterThan(5);
    for (const view of views) expect(view.split('\n')[0]).toBe(`podinfo (namespace ${cluster.namespace})`);
    expect(new Set(views).size).toBe(views.length);
    expect(weightsOf(text)).toEqual([0, 20, 40, 60, 0]);
    expect(text).toContain('Weight:   20% (step 1 of 3)');
    expect(text).toContain('Weight:   40% (step 2 of 3)');
    expect(text).toContain('Weight:   60% (step 3 of 3)');
    expect(text).toContain('Checks:   0 failed, rollback at 2');
    expect(w.isRunning()).toBe(true);
  });

  it('ends, saying so, when the Rollout is deleted', async () => {
    const w = watcher;
    if (!w) throw new Error('the watcher of the previous test is not running');
    await cluster.custom.deleteNamespacedCustomObject({ group: 'flowshift.io', version: 'v1alpha1', plural: 'rollouts', namespace: cluster.namespace, name: 'podinfo' });
    expect(await w.exited).toBe(0);
    expect(readLog(transcript).trimEnd().split('\n').at(-1)).toBe('rollout podinfo was deleted');
  });
});
