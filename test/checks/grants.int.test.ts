// A Rollout may use a MetricTemplate or AlertProvider of another namespace
// only when that object grants the Rollout's namespace (spec.allowedNamespaces),
// against the test API server: the controller holds the release before any
// traffic moves, the preflight and `lint --cluster` name the missing grant,
// the analysis refuses a grant revoked mid-release, and the Secrets are read
// from the granting object's namespace only.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeMetricSources } from '../../src/analysis/kube-sources.js';
import { MetricAnalyzer } from '../../src/analysis/metric-analyzer.js';
import { analysisContextOf } from '../../src/analysis/metric-query.js';
import type { AlertSpec, MetricSpec, Rollout, RolloutSpec } from '../../src/api/types.gen.js';
import { kubeReferenceSources } from '../../src/checks/reference-sources.js';
import { unresolvedReferences, type ReferenceSources } from '../../src/checks/references.js';
import type { KubeClients } from '../../src/kube/client.js';
import { lintTexts } from '../../src/lint/lint.js';
import { checkAlerts, kubeAlertSources } from '../../src/notifier/alerts.js';
import { createNamespace, env, kubeClients, kubeConfig, mergePatch } from '../support/env/context.js';
import { Cluster, startController, type ControllerProcess } from '../support/harness.js';
import { rollout } from '../support/rollouts.js';
import { tryCreate, type Verdict } from '../api/rollouts.js';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { LOOPBACK_ALLOWED } from '../support/outbound.js';
import { expectHeld, expectReleased, initialized, release } from '../support/preflight-holds.js';

type Plural = 'metrictemplates' | 'alertproviders';

const custom = (): CustomObjectsApi => kubeConfig().makeApiClient(CustomObjectsApi);
const core = (): CoreV1Api => kubeConfig().makeApiClient(CoreV1Api);

/** A MetricTemplate on the test Prometheus, answering 0; `allowedNamespaces` omitted when undefined. */
function templateBody(name: string, options: { allowedNamespaces?: string[]; secret?: string } = {}): object {
  const provider = { type: 'prometheus', address: env().prometheusUrl, ...(options.secret ? { secretRef: { name: options.secret } } : {}) };
  const spec = { provider, query: 'vector(0)', ...(options.allowedNamespaces ? { allowedNamespaces: options.allowedNamespaces } : {}) };
  return { apiVersion: 'flowshift.io/v1alpha1', kind: 'MetricTemplate', metadata: { name }, spec };
}

async function createTemplate(namespace: string, name: string, options: { allowedNamespaces?: string[]; secret?: string } = {}): Promise<void> {
  await custom().createNamespacedCustomObject({ group: 'flowshift.io', version: 'v1alpha1', plural: 'metrictemplates', namespace, body: templateBody(name, options) });
}

/** A webhook AlertProvider whose URL is in Secret `secret` (created elsewhere, or not at all). */
async function createProvider(namespace: string, name: string, secret: string): Promise<void> {
  await custom().createNamespacedCustomObject({
    group: 'flowshift.io', version: 'v1alpha1', plural: 'alertproviders', namespace,
    body: { apiVersion: 'flowshift.io/v1alpha1', kind: 'AlertProvider', metadata: { name }, spec: { type: 'webhook', secretRef: { name: secret } } },
  });
}

async function createSecret(namespace: string, name: string, data: Record<string, string>): Promise<void> {
  await core().createNamespacedSecret({ namespace, body: { metadata: { name }, stringData: data } });
}

/** Sets spec.allowedNamespaces, as the shared object's owner does; null removes it (revokes every grant). */
async function grant(namespace: string, plural: Plural, name: string, allowedNamespaces: string[] | null): Promise<void> {
  await custom().patchNamespacedCustomObject(
    { group: 'flowshift.io', version: 'v1alpha1', plural, namespace, name, body: { spec: { allowedNamespaces } } },
    mergePatch,
  );
}

function notGranted(field: string, kind: string, object: string, team: string): string {
  const copy = kind === 'MetricTemplate' ? 'the template' : 'the provider and its Secret';
  return `${field}: ${kind} ${object} is in another namespace and does not grant ${team} (its owner adds "${team}" to spec.allowedNamespaces, or copy ${copy} into ${team})`;
}

const metricOf = (name: string, namespace: string): MetricSpec => ({ name: 'latency', templateRef: { name, namespace }, thresholdRange: { max: 1 } });
const alertOf = (name: string, namespace: string): AlertSpec => ({ name: 'team', providerRef: { name, namespace } });

describe('a reference to another namespace, at the preflight and the analysis, on API server objects', () => {
  let team: string;
  let platform: string;
  let clients: KubeClients;
  let sources: ReferenceSources;
  beforeAll(async () => {
    [team, platform] = await Promise.all([createNamespace('grant-team'), createNamespace('grant-platform')]);
    clients = await kubeClients();
    const metrics = kubeMetricSources(clients);
    sources = kubeReferenceSources({ clients, readTemplate: metrics.readTemplate, readSecret: metrics.readSecret, cachedTarget: () => undefined, prometheusUrl: env().prometheusUrl, outbound: LOOPBACK_ALLOWED });
  });
  const using = (analysis: NonNullable<RolloutSpec['analysis']>): Rollout => rollout({ name: 'app', namespace: team, spec: { analysis } });

  it('refuses a MetricTemplate of another namespace that grants nothing, or only others, and resolves it once granted to the Rollout\'s namespace or "*"', async () => {
    await createTemplate(platform, 'latency');
    const r = using({ metrics: [metricOf('latency', platform)] });
    const refused = notGranted('spec.analysis.metrics[0].templateRef', 'MetricTemplate', `${platform}/latency`, team);
    expect(await unresolvedReferences(r, sources)).toEqual([refused]);
    await grant(platform, 'metrictemplates', 'latency', ['someone-else']);
    expect(await unresolvedReferences(r, sources)).toEqual([refused]);
    await grant(platform, 'metrictemplates', 'latency', ['someone-else', team]);
    expect(await unresolvedReferences(r, sources)).toEqual([]);
    await grant(platform, 'metrictemplates', 'latency', ['*']);
    expect(await unresolvedReferences(r, sources)).toEqual([]);
    // Revoked: refused again.
    await grant(platform, 'metrictemplates', 'latency', null);
    expect(await unresolvedReferences(r, sources)).toEqual([refused]);
  });

  it('reads a granted template\'s Secret from the template\'s namespace, never from the Rollout\'s', async () => {
    // The Rollout's team holds a Secret of that name; the template's namespace does not (yet).
    await createSecret(team, 'prom-token', { token: 'team-token' });
    await createTemplate(platform, 'tokened', { allowedNamespaces: [team], secret: 'prom-token' });
    const r = using({ metrics: [metricOf('tokened', platform)] });
    expect(await unresolvedReferences(r, sources)).toEqual([
      `spec.analysis.metrics[0].templateRef: metric "latency": Secret ${platform}/prom-token (secretRef of MetricTemplate ${platform}/tokened) not found`,
    ]);
    await createSecret(platform, 'prom-token', { token: 'platform-token' });
    expect(await unresolvedReferences(r, sources)).toEqual([]);
  });

  it('refuses an AlertProvider of another namespace until it grants the Rollout\'s namespace, and reads its Secret from its own namespace', async () => {
    await createSecret(team, 'chat-url', { address: 'http://127.0.0.1:9/team' });
    await createProvider(platform, 'chat', 'chat-url');
    const r = using({ alerts: [alertOf('chat', platform)] });
    const refused = notGranted('spec.analysis.alerts[0].providerRef', 'AlertProvider', `${platform}/chat`, team);
    // Refused before its Secret is looked at: nothing of another namespace's Secret is told.
    expect(await unresolvedReferences(r, sources)).toEqual([refused]);
    const alerts = await checkAlerts(kubeAlertSources(clients), r);
    expect(alerts).toEqual({ ready: new Set(), problems: [{ alert: 'team', message: `alert "team": ${refused}`, reference: refused }] });

    await grant(platform, 'alertproviders', 'chat', [team]);
    // Granted, its Secret is looked for beside it: the team's Secret of the same name is not it.
    expect(await unresolvedReferences(r, sources)).toEqual([
      `spec.analysis.alerts[0].providerRef: alert "team": Secret ${platform}/chat-url (of AlertProvider ${platform}/chat) not found: create it with the URL under the key "address"`,
    ]);
    await createSecret(platform, 'chat-url', { address: 'http://127.0.0.1:9/platform' });
    expect(await unresolvedReferences(r, sources)).toEqual([]);
    expect((await checkAlerts(kubeAlertSources(clients), r)).ready).toEqual(new Set(['team']));
    await grant(platform, 'alertproviders', 'chat', ['*']);
    expect(await unresolvedReferences(r, sources)).toEqual([]);
    // Revoked mid-release: the next check no longer counts it ready, so nothing is queued for it.
    await grant(platform, 'alertproviders', 'chat', ['someone-else']);
    expect((await checkAlerts(kubeAlertSources(clients), r)).ready).toEqual(new Set());
  });

  it('fails the metric at the analysis after its grant is revoked mid-release, naming the grant', async () => {
    await createTemplate(platform, 'revocable', { allowedNamespaces: [team] });
    const r = using({ metrics: [metricOf('revocable', platform)] });
    const analyzer = new MetricAnalyzer({ ...kubeMetricSources(clients), defaultAddress: env().prometheusUrl, now: () => new Date() });
    expect(await analyzer.analyze(r, analysisContextOf(r))).toMatchObject({ passed: true, results: [{ name: 'latency', value: 0, passed: true }] });
    await grant(platform, 'metrictemplates', 'revocable', []);
    const refused = notGranted('spec.analysis.metrics[0].templateRef', 'MetricTemplate', `${platform}/revocable`, team);
    expect(await analyzer.analyze(r, analysisContextOf(r))).toMatchObject({
      passed: false,
      reason: `latency not checked: ${refused}`,
      results: [{ name: 'latency', passed: false, message: `latency not checked: ${refused}` }],
    });
  });

  it('lint --cluster names a missing grant at the line of the reference, and nothing once granted', async () => {
    await createTemplate(platform, 'lint-latency');
    await createSecret(platform, 'lint-chat-url', { address: 'http://127.0.0.1:9/lint' });
    await createProvider(platform, 'lint-chat', 'lint-chat-url');
    const text = `apiVersion: flowshift.io/v1alpha1
kind: Rollout
metadata:
  name: app
spec:
  targetRef: {apiVersion: apps/v1, kind: Deployment, name: app}
  service: {port: 9898}
  strategy:
    canary: {stepWeights: [10, 20]}
  analysis:
    metrics:
      - name: latency
        templateRef: {name: lint-latency, namespace: ${platform}}
        thresholdRange: {max: 1}
    alerts:
      - name: team
        providerRef: {name: lint-chat, namespace: ${platform}}
`;
    const lint = async (): Promise<string[]> =>
      (await lintTexts([{ file: 'app.yaml', text }], { namespace: team, cluster: { clients, prometheusUrl: env().prometheusUrl } })).problems.map((p) => `${p.line} ${p.path}: ${p.message}`);
    const said = (field: string, kind: string, object: string): string => notGranted(field, kind, object, team).replace(`${field}: `, '');
    expect(await lint()).toEqual([
      `13 spec.analysis.metrics[0].templateRef: ${said('spec.analysis.metrics[0].templateRef', 'MetricTemplate', `${platform}/lint-latency`)}`,
      `17 spec.analysis.alerts[0].providerRef: ${said('spec.analysis.alerts[0].providerRef', 'AlertProvider', `${platform}/lint-chat`)}`,
    ]);
    await grant(platform, 'metrictemplates', 'lint-latency', [team]);
    await grant(platform, 'alertproviders', 'lint-chat', ['*']);
    expect(await lint()).toEqual([]);
  });

  it('the API server accepts a grant of namespace names and "*" only, each once', async () => {
    let n = 0;
    const create = (allowedNamespaces: string[]): Promise<Verdict> => tryCreate(platform, 'metrictemplates', templateBody(`grant-${n++}`, { allowedNamespaces }));
    const patternRefused = { code: 422, message: expect.stringContaining('spec.allowedNamespaces[0]: Invalid value') as unknown };
    expect(await create(['team-*'])).toMatchObject(patternRefused);
    expect(await create(['Team-A'])).toMatchObject(patternRefused);
    expect(await create([team, team])).toMatchObject({ code: 422, message: expect.stringContaining('spec.allowedNamespaces[1]: Duplicate value') as unknown });
    expect(await create(Array.from({ length: 257 }, (_, i) => `ns-${i}`))).toMatchObject({ code: 422, message: expect.stringContaining('must have at most 256 items') as unknown });
    expect(await create(['*', team])).toEqual({ code: 201, message: '' });
  });
});

/**
 * Through the controller process: a Rollout of namespace `team` is
 * Initialized, then a new revision arrives whose analysis names an object of
 * namespace `platform` that does not grant `team`. The release holds at
 * weight 0 naming the grant, and starts once the owner grants it.
 */
describe('a reference to another namespace, through the controller process', () => {
  let team: Cluster;
  let platform: string;
  let controller: ControllerProcess;
  beforeAll(async () => {
    team = new Cluster(await createNamespace('grant-rel'));
    platform = await createNamespace('grant-shared');
    controller = await startController(team.namespace);
  });
  afterAll(async () => {
    await controller.stop();
  });

  it('holds a new revision whose MetricTemplate does not grant its namespace, with no release step, and releases it once granted', async () => {
    await createTemplate(platform, 'latency');
    await initialized(team, 'tmpl');
    const recorder = await team.recordWeights('tmpl');
    try {
      await release(team, 'tmpl', { analysis: { interval: '1s', threshold: 2, metrics: [metricOf('latency', platform)] } });
      await expectHeldOnPrimary(team, 'tmpl', notGranted('spec.analysis.metrics[0].templateRef', 'MetricTemplate', `${platform}/latency`, team.namespace));
      // Held over several analysis intervals: the canary never got a step.
      await sleep(3_000);
      expect(recorder.weights).toEqual([0]);
      expect((await team.rollout('tmpl')).status).toMatchObject({ phase: 'Progressing', canaryWeight: 0 });
      await grant(platform, 'metrictemplates', 'latency', [team.namespace]);
      await expectReleased(team, 'tmpl', 90_000);
      expect(recorder.weights).toEqual([0, 20, 40, 60, 0]);
    } finally {
      recorder.stop();
    }
  });

  it('holds a new revision whose AlertProvider does not grant its namespace, reports it in AlertsReady, and releases it once granted to "*"', async () => {
    await createSecret(platform, 'hook-url', { address: 'http://127.0.0.1:9/hook' });
    await createProvider(platform, 'hook', 'hook-url');
    await initialized(team, 'alert');
    await release(team, 'alert', { analysis: { interval: '1s', threshold: 2, alerts: [alertOf('hook', platform)] } });
    const refused = notGranted('spec.analysis.alerts[0].providerRef', 'AlertProvider', `${platform}/hook`, team.namespace);
    const held = await expectHeldOnPrimary(team, 'alert', refused);
    const ready = held.status?.conditions?.find((c) => c.type === 'AlertsReady');
    expect(ready).toMatchObject({ status: 'False', message: `alert "team": ${refused}` });
    await grant(platform, 'alertproviders', 'hook', ['*']);
    const done = await expectReleased(team, 'alert', 90_000);
    expect(done.status?.conditions?.find((c) => c.type === 'AlertsReady')?.status).toBe('True');
  });
});

/** Held as every unresolved reference is (expectHeld), with the reference in the message and the primary keeping 100%. */
async function expectHeldOnPrimary(cluster: Cluster, name: string, reference: string): Promise<Rollout> {
  const r = await expectHeld(cluster, name, reference);
  expect(r.status?.message).toContain(reference);
  const vs = await cluster.virtualService(name);
  const weightOf = (host: string): number | undefined => vs.spec.http[0]?.route.find((d) => d.destination.host === host)?.weight;
  expect([weightOf(`${name}-primary`), weightOf(`${name}-canary`)]).toEqual([100, 0]);
  return r;
}
