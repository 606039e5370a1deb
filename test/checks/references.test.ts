import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNamespace, env, mergePatch } from '../support/env/context.js';
import { Cluster, podinfo, startController, type ControllerProcess } from '../support/harness.js';
import { quickRollout } from '../support/rollouts.js';
import { expectHeld, expectReleased, heldCondition, initialized, release } from '../support/preflight-holds.js';

const passing = { thresholdRange: { max: 1 } };

/**
 * Each scenario: a Rollout is Initialized with nothing missing, then a new
 * revision arrives together with a reference that does not resolve. The
 * release must hold at weight 0, name the reference, and start as soon as
 * the reference is created.
 */
describe('the release preflight, through the controller process', () => {
  let cluster: Cluster;
  let controller: ControllerProcess;

  beforeAll(async () => {
    cluster = new Cluster(await createNamespace('preflight'));
    controller = await startController(cluster.namespace);
  });
  afterAll(async () => {
    await controller.stop();
  });

  it('holds a new revision whose MetricTemplate does not exist, and releases it once created', async () => {
    await initialized(cluster, 'tmpl');
    await release(cluster, 'tmpl', { analysis: { interval: '1s', threshold: 2, metrics: [{ name: 'errors', templateRef: { name: 'error-rate' }, ...passing }] } });
    await expectHeld(cluster, 'tmpl', `MetricTemplate ${cluster.namespace}/error-rate not found`);
    await createCustom(cluster, 'metrictemplates', {
      apiVersion: 'flowshift.io/v1alpha1',
      kind: 'MetricTemplate',
      metadata: { name: 'error-rate' },
      spec: { provider: { type: 'prometheus', address: env().prometheusUrl }, query: 'vector(0)' },
    });
    await expectReleased(cluster, 'tmpl');
  });

  it('holds while a MetricTemplate names a Prometheus that does not answer, and releases once it does', async () => {
    await initialized(cluster, 'prom');
    await createCustom(cluster, 'metrictemplates', {
      apiVersion: 'flowshift.io/v1alpha1',
      kind: 'MetricTemplate',
      metadata: { name: 'silent' },
      spec: { provider: { type: 'prometheus', address: 'http://127.0.0.1:9' }, query: 'vector(0)' },
    });
    await release(cluster, 'prom', { analysis: { interval: '1s', threshold: 2, metrics: [{ name: 'errors', templateRef: { name: 'silent' }, ...passing }] } });
    await expectHeld(cluster, 'prom', 'Prometheus at http://127.0.0.1:9 does not answer');
    await cluster.custom.patchNamespacedCustomObject(
      { group: 'flowshift.io', version: 'v1alpha1', plural: 'metrictemplates', namespace: cluster.namespace, name: 'silent', body: { spec: { provider: { address: env().prometheusUrl } } } },
      mergePatch,
    );
    await expectReleased(cluster, 'prom');
  });

  it('names a Prometheus with credentials in its address without them, in the status, the Events and the log', async () => {
    await initialized(cluster, 'creds');
    const withCredentials = (address: string): string => address.replace('://', '://promuser:hunter2-pw@');
    await createCustom(cluster, 'metrictemplates', {
      apiVersion: 'flowshift.io/v1alpha1',
      kind: 'MetricTemplate',
      metadata: { name: 'silent-with-creds' },
      spec: { provider: { type: 'prometheus', address: withCredentials('http://127.0.0.1:9') }, query: 'vector(0)' },
    });
    await release(cluster, 'creds', { analysis: { interval: '1s', threshold: 2, metrics: [{ name: 'errors', templateRef: { name: 'silent-with-creds' }, ...passing }] } });
    await expectHeld(cluster, 'creds', 'Prometheus at http://***@127.0.0.1:9 does not answer');
    await expectNoCredentials(cluster, 'creds', controller);
    // The same credentials towards a Prometheus that answers: used, and still never shown.
    await cluster.custom.patchNamespacedCustomObject(
      { group: 'flowshift.io', version: 'v1alpha1', plural: 'metrictemplates', namespace: cluster.namespace, name: 'silent-with-creds', body: { spec: { provider: { address: withCredentials(env().prometheusUrl) } } } },
      mergePatch,
    );
    await expectReleased(cluster, 'creds');
    await expectNoCredentials(cluster, 'creds', controller);
  });

  it('holds while a webhook signing Secret or its key is missing, and releases once the key is there', async () => {
    await initialized(cluster, 'hook');
    const hook = { name: 'audit', type: 'event' as const, url: 'http://127.0.0.1:9/audit', secretRef: { name: 'audit-signing' } };
    await release(cluster, 'hook', { analysis: { interval: '1s', threshold: 2, webhooks: [hook] } });
    await expectHeld(cluster, 'hook', `Secret ${cluster.namespace}/audit-signing of webhook "audit" not found`);
    await cluster.core.createNamespacedSecret({ namespace: cluster.namespace, body: { metadata: { name: 'audit-signing' }, stringData: { other: 'x' } } });
    await expectHeld(cluster, 'hook', 'has no key "key"');
    await cluster.core.replaceNamespacedSecret({ namespace: cluster.namespace, name: 'audit-signing', body: { metadata: { name: 'audit-signing' }, stringData: { key: 's3cret' } } });
    await expectReleased(cluster, 'hook');
  });

  it('holds while an alert names a missing AlertProvider, and releases once it exists', async () => {
    await initialized(cluster, 'alert');
    await release(cluster, 'alert', { analysis: { interval: '1s', threshold: 2, alerts: [{ name: 'team', providerRef: { name: 'team-hook' } }] } });
    await expectHeld(cluster, 'alert', `AlertProvider ${cluster.namespace}/team-hook not found`);
    await cluster.core.createNamespacedSecret({ namespace: cluster.namespace, body: { metadata: { name: 'team-hook-url' }, stringData: { address: 'http://127.0.0.1:9/hook' } } });
    await createCustom(cluster, 'alertproviders', {
      apiVersion: 'flowshift.io/v1alpha1',
      kind: 'AlertProvider',
      metadata: { name: 'team-hook' },
      spec: { type: 'webhook', secretRef: { name: 'team-hook-url' } },
    });
    await expectReleased(cluster, 'alert');
  });

  it('holds while spec.service.targetPort names no container port, and releases once the target exposes it', async () => {
    await initialized(cluster, 'port');
    await release(cluster, 'port', { service: { port: 9898, targetPort: 'metrics' } });
    await expectHeld(cluster, 'port', 'no container of Deployment port has a port named "metrics" (exposed: http (9898)');
    await cluster.updateDeployment('port', (d) => {
      d.spec?.template.spec?.containers[0]?.ports?.push({ name: 'metrics', containerPort: 9797 });
    });
    await expectReleased(cluster, 'port');
  });

  it('creates nothing for a new Rollout whose reference is missing, and initializes once it exists', async () => {
    await cluster.apps.createNamespacedDeployment({ namespace: cluster.namespace, body: podinfo('fresh') });
    await cluster.createRollout(quickRollout('fresh', { analysis: { interval: '1s', threshold: 2, metrics: [{ name: 'latency', templateRef: { name: 'latency' }, ...passing }] } }));
    const held = await cluster.waitForRollout('fresh', 'held at initialization', (r) => heldCondition(r) !== undefined);
    expect(held.status?.phase).toBe('Initializing');
    expect(held.status?.message).toContain(`MetricTemplate ${cluster.namespace}/latency not found`);
    await expect(cluster.apps.readNamespacedDeployment({ namespace: cluster.namespace, name: 'fresh-primary' })).rejects.toMatchObject({ code: 404 });
    await createCustom(cluster, 'metrictemplates', {
      apiVersion: 'flowshift.io/v1alpha1',
      kind: 'MetricTemplate',
      metadata: { name: 'latency' },
      spec: { provider: { type: 'prometheus', address: env().prometheusUrl }, query: 'vector(0)' },
    });
    const r = await cluster.waitForRollout('fresh', 'Initialized', (x) => x.status?.phase === 'Initialized');
    expect(heldCondition(r)).toBeUndefined();
  });
});

describe('the release preflight of a controller without a Prometheus', () => {
  it('holds a built-in metric until a Prometheus address is configured', async () => {
    const cluster = new Cluster(await createNamespace('preflight-noprom'));
    const bare = await startController(cluster.namespace, { prometheus: false });
    try {
      await initialized(cluster, 'builtin');
      await release(cluster, 'builtin', { analysis: { interval: '1s', threshold: 2, metrics: [{ name: 'request-success-rate', thresholdRange: { min: 99 } }] } });
      await expectHeld(cluster, 'builtin', 'no Prometheus address');
    } finally {
      await bare.stop();
    }
    // The same Rollout under a controller that has one: the check passes and the release starts.
    const configured = await startController(cluster.namespace);
    try {
      const r = await cluster.waitForRollout('builtin', 'references resolved', (x) => heldCondition(x) === undefined && (x.status?.canaryWeight ?? 0) > 0);
      expect(r.status?.phase).toBe('Progressing');
    } finally {
      await configured.stop();
    }
  });
});

/** Neither the user nor the password of an address shows in the Rollout's status (conditions included), its Events or the controller's log. */
async function expectNoCredentials(cluster: Cluster, name: string, controller: ControllerProcess): Promise<void> {
  const shown = [JSON.stringify((await cluster.rollout(name)).status), JSON.stringify(await cluster.events(name)), readFileSync(controller.logFile, 'utf8')];
  for (const text of shown) {
    expect(text).not.toContain('hunter2-pw');
    expect(text).not.toContain('promuser:');
  }
}

async function createCustom(cluster: Cluster, plural: string, body: object): Promise<void> {
  await cluster.custom.createNamespacedCustomObject({ group: 'flowshift.io', version: 'v1alpha1', plural, namespace: cluster.namespace, body });
}
