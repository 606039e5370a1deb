// End to end: the plugin's approve against the controller's manual gates
// (status.gates, status.approval, the WaitingPromotion phase).
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

describe('kubectl flowshift approve with the controller', () => {
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
});
