// End to end: the plugin's approve against the controller's manual gates
// (status.gates, status.approval, the WaitingPromotion phase), and promote
// [--full] against its checks and steps; one controller for the file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Rollout, RolloutStatus, WebhookSpec } from '../../src/api/types.gen.js';
import { createNamespace } from '../support/env/context.js';
import { Cluster, podinfo, startController, type ControllerProcess } from '../support/harness.js';
import { quickRollout } from '../support/rollouts.js';
import { installPlugin, kubectlFlowshift } from './plugin.js';

const ADMIN = 'flowshift-test-admin';

/** The manual gate of the contract; `manual` (and no url) is typed loosely until the schema has it. */
const manualGate = { name: 'approval', type: 'confirm-promotion', manual: true } as unknown as WebhookSpec;

const statusOf = (r: Rollout): RolloutStatus => r.status ?? {};
const gate = (r: Rollout): { open: boolean } | undefined => statusOf(r).gates?.find((g) => g.name === 'approval');

describe('kubectl flowshift approve and promote with the controller', () => {
  let bin: string;
  let cluster: Cluster;
  let controller: ControllerProcess;
  const flowshift = (...args: string[]): ReturnType<typeof kubectlFlowshift> => kubectlFlowshift(bin, [...args, '-n', cluster.namespace]);

  beforeAll(async () => {
    const [plugin, namespace] = await Promise.all([installPlugin(), createNamespace('cli-approve')]);
    bin = plugin;
    cluster = new Cluster(namespace);
    controller = await startController(namespace);
  });
  afterAll(async () => {
    await controller.stop();
  });

  it('approve releases a WaitingPromotion and records who approved which revision', async () => {
    await cluster.apps.createNamespacedDeployment({ namespace: cluster.namespace, body: podinfo('podinfo') });
    await cluster.createRollout(quickRollout('podinfo', { analysis: { interval: '1s', threshold: 2, webhooks: [manualGate] } }));
    await cluster.waitForRollout('podinfo', 'Initialized', (r) => r.status?.phase === 'Initialized');
    await cluster.setImage('podinfo', 'ghcr.io/stefanprodan/podinfo:6.6.0');
    const waiting = await cluster.waitForRollout('podinfo', 'WaitingPromotion', (r) => r.status?.phase === 'WaitingPromotion');
    expect(gate(waiting)?.open).toBe(false);
    const view = await flowshift('status', 'podinfo');
    expect(view.stdout).toContain('Phase:    WaitingPromotion');
    expect(view.stdout).toMatch(/^ {2}approval +confirm-promotion +closed/m);

    const revision = statusOf(waiting).lastAppliedSpec ?? '';
    const out = await flowshift('approve', 'podinfo');
    expect(out).toMatchObject({ code: 0, stderr: '' });
    expect(out.stdout).toContain(`podinfo: revision ${revision} approved`);

    const done = await cluster.waitForRollout('podinfo', 'Succeeded after approve', (r) => r.status?.phase === 'Succeeded');
    expect(statusOf(done).approval).toMatchObject({ revision, by: ADMIN });
    expect(statusOf(done).lastPromotedSpec).toBe(revision);
  });

  it('an approval does not carry over to a newer revision', async () => {
    const approved = statusOf(await cluster.rollout('podinfo')).lastAppliedSpec;
    await cluster.setImage('podinfo', 'ghcr.io/stefanprodan/podinfo:6.7.0');
    const waiting = await cluster.waitForRollout(
      'podinfo',
      'WaitingPromotion of the newer revision',
      (r) => r.status?.phase === 'WaitingPromotion' && r.status.lastAppliedSpec !== approved,
    );
    expect(gate(waiting)?.open).toBe(false);
    expect(statusOf(waiting).approval?.revision).not.toBe(statusOf(waiting).lastAppliedSpec);

    expect((await flowshift('approve', 'podinfo')).code).toBe(0);
    const done = await cluster.waitForRollout('podinfo', 'Succeeded after the second approve', (r) => r.status?.phase === 'Succeeded');
    expect(statusOf(done).approval?.revision).toBe(statusOf(waiting).lastAppliedSpec);
  });

  it('promote moves exactly one step now; promote --full then ends the multi-step release early, recorded in status and an Event', async () => {
    await cluster.apps.createNamespacedDeployment({ namespace: cluster.namespace, body: podinfo('steps') });
    // A check every 10 minutes: no step but the first is taken within the test unless promote asks for it.
    await cluster.createRollout(quickRollout('steps', { analysis: { interval: '10m', threshold: 2 } }));
    await cluster.waitForRollout('steps', 'Initialized', (r) => r.status?.phase === 'Initialized');
    const recorder = await cluster.recordWeights('steps');
    try {
      await cluster.setImage('steps', 'ghcr.io/stefanprodan/podinfo:6.6.0');
      const first = await cluster.waitForRollout('steps', 'the first step', (r) => r.status?.canaryWeight === 20);
      const revision = statusOf(first).lastAppliedSpec ?? '';

      expect(await flowshift('promote', 'steps')).toMatchObject({ code: 0, stdout: `steps: revision ${revision} promote requested; its next check runs at the next tick, and a pass moves one step (by ${ADMIN})\n` });
      const second = await cluster.waitForRollout('steps', 'the promote acted on', (r) => statusOf(r).promote !== undefined);
      expect(statusOf(second)).toMatchObject({ phase: 'Progressing', canaryWeight: 40, promote: { revision, by: ADMIN } });

      expect((await flowshift('promote', 'steps', '--full')).code).toBe(0);
      const done = await cluster.waitForRollout('steps', 'Succeeded after promote --full', (r) => r.status?.phase === 'Succeeded');
      expect(statusOf(done)).toMatchObject({ lastPromotedSpec: revision, fullPromotion: { revision, by: ADMIN } });
      const events = await cluster.eventsOnce('steps', 'FullPromotion');
      expect(events).toContainEqual(expect.objectContaining({ type: 'Warning', reason: 'FullPromotion', message: expect.stringContaining(`full promotion asked by ${ADMIN}`) as string }));
      const view = JSON.parse((await flowshift('status', 'steps', '-o', 'json')).stdout) as { phase: string; fullPromotion: { by: string } };
      expect(view).toMatchObject({ phase: 'Succeeded', fullPromotion: { by: ADMIN } });
    } finally {
      recorder.stop();
    }
    // 20 (the first step), 40 (promote), then back to 0 at promotion: 60, the last step, was skipped.
    expect(recorder.weights).toEqual([0, 20, 40, 0]);
  });
});
