import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoreV1Event } from '@kubernetes/client-node';
import { waitFor } from '../../../devenv/env/processes.js';
import { podinfo } from '../../support/harness.js';
import { useReleaseCluster } from '../../support/release-cluster.js';
import { quickRollout } from '../../support/rollouts.js';

/**
 * Issue 22, point 3, through the controller: with 127.0.0.2/32 denied
 * (loopback otherwise allowed, as every test runs), a webhook there is a
 * closed gate and a check that fails, each naming the policy, with an
 * Event; the listener on 127.0.0.2 never sees a connection.
 */
describe('the outbound policy, enforced by the controller', () => {
  const { cluster } = useReleaseCluster('outbound', { extraArgs: ['--outbound-deny-cidrs', '127.0.0.2/32'] });
  let listener: Server;
  let connections = 0;
  let url = '';

  beforeAll(async () => {
    listener = createServer((_req, res) => res.end('ok'));
    listener.on('connection', () => connections++);
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.2', resolve));
    url = `http://127.0.0.2:${(listener.address() as AddressInfo).port}/hook`;
  });

  afterAll(async () => {
    listener.closeAllConnections();
    await new Promise((resolve) => listener.close(resolve));
  });

  const events = async (name: string): Promise<CoreV1Event[]> =>
    (await cluster().core.listNamespacedEvent({ namespace: cluster().namespace, fieldSelector: `involvedObject.name=${name}` })).items;

  it('a confirm-rollout webhook at a denied address is a closed gate naming the policy, with an Event, and no connection', async () => {
    const c = cluster();
    await c.apps.createNamespacedDeployment({ namespace: c.namespace, body: podinfo('gated') });
    await c.createRollout(quickRollout('gated', { analysis: { interval: '1s', threshold: 2, webhooks: [{ name: 'window', type: 'confirm-rollout', url }] } }));
    await c.waitForRollout('gated', 'Initialized', (r) => r.status?.phase === 'Initialized');
    await c.setImage('gated', 'podinfo:2');
    const refused = 'confirm-rollout gate window refused by the outbound policy: 127.0.0.2 is in --outbound-deny-cidrs';
    const held = await c.waitForRollout('gated', 'Waiting on the refused gate', (r) => r.status?.phase === 'Waiting' && (r.status.message ?? '').includes(refused));
    expect(held.status?.gates).toEqual([expect.objectContaining({ name: 'window', open: false, message: 'refused by the outbound policy: 127.0.0.2 is in --outbound-deny-cidrs' })]);
    await waitFor('the Waiting Event', async () => (await events('gated')).some((e) => e.reason === 'Waiting' && (e.message ?? '').includes(refused)), { timeoutMs: 10_000 });
    expect(connections).toBe(0);
  });

  it('a rollout webhook at a denied address fails the check, naming the policy, with an AnalysisFailed Event, and no connection', async () => {
    const c = cluster();
    await c.apps.createNamespacedDeployment({ namespace: c.namespace, body: podinfo('checked') });
    await c.createRollout(quickRollout('checked', { analysis: { interval: '1s', threshold: 5, webhooks: [{ name: 'load', type: 'rollout', url }] } }));
    await c.waitForRollout('checked', 'Initialized', (r) => r.status?.phase === 'Initialized');
    await c.setImage('checked', 'podinfo:2');
    const failed = await c.waitForRollout('checked', 'a failed check', (r) => (r.status?.failedChecks ?? 0) >= 1);
    expect(failed.status?.message).toContain('webhook load: refused by the outbound policy: 127.0.0.2 is in --outbound-deny-cidrs');
    await waitFor('the AnalysisFailed Event', async () => (await events('checked')).some((e) => e.reason === 'AnalysisFailed' && (e.message ?? '').includes('refused by the outbound policy')), { timeoutMs: 10_000 });
    expect(connections).toBe(0);
  });

  it('an alert destination at a denied address is not sent: a NotificationFailed Warning Event names the policy, and no connection', async () => {
    const c = cluster();
    await c.core.createNamespacedSecret({ namespace: c.namespace, body: { metadata: { name: 'chat-url' }, stringData: { address: url } } });
    await c.custom.createNamespacedCustomObject({
      group: 'flowshift.io', version: 'v1alpha1', plural: 'alertproviders', namespace: c.namespace,
      body: { apiVersion: 'flowshift.io/v1alpha1', kind: 'AlertProvider', metadata: { name: 'chat' }, spec: { type: 'webhook', secretRef: { name: 'chat-url' } } },
    });
    await c.apps.createNamespacedDeployment({ namespace: c.namespace, body: podinfo('alerted') });
    await c.createRollout(quickRollout('alerted', { analysis: { interval: '1s', threshold: 2, alerts: [{ name: 'team', severity: 'info', providerRef: { name: 'chat' } }] } }));
    await c.waitForRollout('alerted', 'Initialized', (r) => r.status?.phase === 'Initialized');
    await c.setImage('alerted', 'podinfo:2');
    await waitFor(
      'the NotificationFailed Event',
      async () => (await events('alerted')).some((e) => e.reason === 'NotificationFailed' && e.type === 'Warning' && (e.message ?? '').includes('alert team not sent: refused by the outbound policy: 127.0.0.2 is in --outbound-deny-cidrs')),
      { timeoutMs: 30_000 },
    );
    expect(connections).toBe(0);
  });
});
