import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { AlertProviderType, AlertSpec, MetricSpec, Rollout } from '../../src/api/types.gen.js';
import { createNamespace, mergePatch } from '../support/env/context.js';
import { waitFor } from '../../devenv/env/processes.js';
import { Cluster, podinfo, startController, type ControllerProcess } from '../support/harness.js';
import { quickRollout } from '../support/rollouts.js';
import { HttpSink } from './sink.js';

const TYPES: readonly AlertProviderType[] = ['slack', 'msteams', 'discord', 'webhook'];
/** A path segment standing in for the token of a real webhook URL: it must never leave the Secret. */
const TOKEN = 'T0KEN-b7e1c9d4';

interface Setup {
  readonly cluster: Cluster;
  readonly sink: HttpSink;
  readonly controllers: ControllerProcess[];
  /** The sink path of each destination. */
  readonly path: (name: string) => string;
}

async function provider(cluster: Cluster, sink: HttpSink, name: string, type: AlertProviderType): Promise<void> {
  const ns = cluster.namespace;
  await cluster.core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: `${name}-url` }, stringData: { address: `${sink.url}/${ns}/${name}/${TOKEN}` } } });
  await cluster.custom.createNamespacedCustomObject({
    group: 'flowshift.io',
    version: 'v1alpha1',
    plural: 'alertproviders',
    namespace: ns,
    body: { apiVersion: 'flowshift.io/v1alpha1', kind: 'AlertProvider', metadata: { name }, spec: { type, secretRef: { name: `${name}-url` }, ...(type === 'slack' ? { channel: '#deploys' } : {}) } },
  });
}

/**
 * Deployment `app` with an Initialized Rollout whose alerts post to the sink:
 * one alert per destination type at severity info, an on-call webhook at
 * severity error, and `extraAlerts`.
 */
async function setup(prefix: string, sink: HttpSink, opts: { replicas?: number; metrics?: MetricSpec[]; extraAlerts?: AlertSpec[] } = {}): Promise<Setup> {
  const cluster = new Cluster(await createNamespace(prefix));
  for (const type of TYPES) await provider(cluster, sink, type, type);
  await provider(cluster, sink, 'oncall', 'webhook');
  const controllers = await Promise.all(
    Array.from({ length: opts.replicas ?? 1 }, () => startController(cluster.namespace, { extraArgs: ['--cluster-name', 'test-cluster'] })),
  );
  await cluster.apps.createNamespacedDeployment({ namespace: cluster.namespace, body: podinfo('app') });
  const alerts: AlertSpec[] = [
    ...TYPES.map((t): AlertSpec => ({ name: t, severity: 'info', providerRef: { name: t } })),
    { name: 'oncall', severity: 'error', providerRef: { name: 'oncall' } },
    ...(opts.extraAlerts ?? []),
  ];
  await cluster.createRollout(
    quickRollout('app', { strategy: { canary: { stepWeights: [30, 60] } }, analysis: { interval: '1s', threshold: 2, alerts, metrics: opts.metrics ?? [] } }),
  );
  await cluster.waitForRollout('app', 'Initialized', (r) => r.status?.phase === 'Initialized');
  return { cluster, sink, controllers, path: (name) => `/${cluster.namespace}/${name}/${TOKEN}` };
}

// Traffic back on the primary and Succeeded are one transition: one message.
const PROMOTION = ['NewRevision', 'Advanced', 'Advanced', 'Promoting', 'Succeeded'];

/** Reasons of the generic webhook's messages, in a stable order. */
function reasons(bodies: Record<string, unknown>[]): string[] {
  return bodies.map((b) => String(b.reason)).sort();
}

async function addAlert(cluster: Cluster, alert: AlertSpec): Promise<void> {
  const alerts = [...((await cluster.rollout('app')).spec.analysis?.alerts ?? []), alert];
  await cluster.custom.patchNamespacedCustomObject(
    { group: 'flowshift.io', version: 'v1alpha1', plural: 'rollouts', namespace: cluster.namespace, name: 'app', body: { spec: { analysis: { alerts } } } },
    mergePatch,
  );
}

function heldByPreflight(r: Rollout): boolean {
  return r.status?.conditions?.some((c) => c.type === 'ReferencesResolved' && c.status === 'False') ?? false;
}

async function waitForMessages(sink: HttpSink, path: string, count: number, timeoutMs = 30_000): Promise<Record<string, unknown>[]> {
  await waitFor(`${count} messages on ${path}`, () => Promise.resolve(sink.delivered(path).length >= count), { timeoutMs, intervalMs: 100 });
  return sink.delivered(path);
}

describe('release notifications through the controller process', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  const track = (s: Setup): Setup => {
    cleanups.push(() => Promise.all(s.controllers.map((c) => c.stop())).then(() => undefined));
    return s;
  };
  const startSink = async (): Promise<HttpSink> => {
    const sink = await HttpSink.start();
    cleanups.push(() => sink.stop());
    return sink;
  };

  it('posts every step of a promotion to Slack, Teams, Discord and a webhook in their formats, and holds a new revision while an AlertProvider is missing', async () => {
    const sink = await startSink();
    const s = track(await setup('notify-promote', sink));
    const { cluster } = s;
    await addAlert(cluster, { name: 'ghost', severity: 'info', providerRef: { name: 'no-such-provider' } });
    const reported = await cluster.waitForRollout('app', 'AlertsReady False', (r) => r.status?.conditions?.some((c) => c.type === 'AlertsReady' && c.status === 'False') ?? false);
    expect(reported.status?.conditions?.find((c) => c.type === 'AlertsReady')?.message).toContain(
      `alert "ghost" (spec.analysis.alerts[5]): AlertProvider ${cluster.namespace}/no-such-provider not found`,
    );
    const warning = (await cluster.eventsOnce('app', 'AlertMisconfigured')).find((e) => e.reason === 'AlertMisconfigured');
    expect(warning?.type).toBe('Warning');
    expect(warning?.message).toContain('no-such-provider');

    await cluster.setImage('app', 'podinfo:2');
    // The preflight: the new revision gets no traffic until every alert can be delivered.
    const held = await cluster.waitForRollout('app', 'held by the preflight', heldByPreflight);
    expect(held.status).toMatchObject({ phase: 'Progressing', canaryWeight: 0 });
    expect(held.status?.message).toContain('no-such-provider');
    await provider(cluster, sink, 'no-such-provider', 'webhook');
    await cluster.waitForRollout('app', 'Succeeded', (r) => r.status?.phase === 'Succeeded', 90_000);
    const webhook = await waitForMessages(sink, s.path('webhook'), PROMOTION.length);
    expect(reasons(webhook)).toEqual([...PROMOTION].sort());
    const done = webhook.find((b) => b.reason === 'Succeeded');
    expect(done).toMatchObject({ schema: 'flowshift.io/notification/v1', kind: 'promoted', severity: 'info', cluster: 'test-cluster', phase: 'Succeeded', images: ['podinfo=podinfo:2'] });
    expect(done?.rollout).toMatchObject({ namespace: cluster.namespace, name: 'app' });

    const slack = await waitForMessages(sink, s.path('slack'), PROMOTION.length);
    const slackDone = slack.find((b) => String(b.text).startsWith('Promotion complete'));
    expect(slackDone).toMatchObject({ channel: '#deploys', username: 'flowshift' });
    expect(JSON.stringify(slackDone?.blocks)).toContain(`Promotion complete: ${cluster.namespace}/app (test-cluster)`);
    const teams = await waitForMessages(sink, s.path('msteams'), PROMOTION.length);
    expect(JSON.stringify(teams)).toContain('application/vnd.microsoft.card.adaptive');
    expect(JSON.stringify(teams)).toContain(`Promotion complete: ${cluster.namespace}/app`);
    const discord = await waitForMessages(sink, s.path('discord'), PROMOTION.length);
    expect(JSON.stringify(discord)).toContain(`"title":"Promotion complete: ${cluster.namespace}/app (test-cluster)"`);
    // severity error: nothing of a successful release.
    expect(sink.delivered(s.path('oncall'))).toEqual([]);

    // The URL is a credential: not in the status, the Events or the controller's log.
    const rollout = await cluster.rollout('app');
    expect(JSON.stringify(rollout.status)).not.toContain(TOKEN);
    expect(JSON.stringify(await cluster.events('app'))).not.toContain(TOKEN);
    expect(readFileSync(s.controllers[0]?.logFile ?? '', 'utf8')).not.toContain(TOKEN);

    // Creating the missing AlertProvider cleared the problem.
    expect(rollout.status?.conditions?.find((c) => c.type === 'AlertsReady')?.status).toBe('True');
  });

  it('posts a rollback with the failed metric, its value against its bound and the weight it failed at; the on-call alert gets only that', async () => {
    const sink = await startSink();
    const failing: MetricSpec = { name: 'always-zero', query: 'vector(0)', thresholdRange: { min: 1 } };
    const s = track(await setup('notify-rollback', sink, { metrics: [failing] }));
    await s.cluster.setImage('app', 'podinfo:2');
    await s.cluster.waitForRollout('app', 'Failed', (r) => r.status?.phase === 'Failed', 90_000);

    const [onCall] = await waitForMessages(sink, s.path('oncall'), 1);
    expect(onCall).toMatchObject({ kind: 'rolled-back', severity: 'error', reason: 'RolledBack', failedAtWeight: 30, failedChecks: 2, threshold: 2, images: ['podinfo=podinfo:2'] });
    expect(onCall?.evidence).toEqual([expect.objectContaining({ name: 'always-zero', value: 0, thresholdRange: { min: 1 }, passed: false })]);
    const webhook = await waitForMessages(sink, s.path('webhook'), 4);
    expect(reasons(webhook)).toEqual(['Advanced', 'AnalysisFailed', 'NewRevision', 'RolledBack']);

    const slack = await waitForMessages(sink, s.path('slack'), 4);
    const slackRollback = JSON.stringify(slack.find((b) => String(b.text).startsWith('Rolled back')));
    expect(slackRollback).toContain('always-zero: 0 (bound ≥ 1): failed');
    expect(slackRollback).toContain('*Failed at weight*\\n30%');
    const teams = JSON.stringify(await waitForMessages(sink, s.path('msteams'), 4));
    expect(teams).toContain('"color":"Attention"');
    expect(teams).toContain('{"title":"Failed at weight","value":"30%"}');
    const discord = JSON.stringify(await waitForMessages(sink, s.path('discord'), 4));
    expect(discord).toContain(`"title":"Rolled back: ${s.cluster.namespace}/app (test-cluster)"`);
    expect(discord).toContain('always-zero: 0 (bound ≥ 1): failed');
    // Sent once, in exactly one severity filter pass.
    expect(sink.delivered(s.path('oncall'))).toHaveLength(1);
  });

  it('with three replicas posts each transition exactly once, and a Slack answering 500 neither holds the release nor loses a message', async () => {
    const sink = await startSink();
    const s = track(await setup('notify-replicas', sink, { replicas: 3 }));
    const slack = s.path('slack');
    sink.fail(slack, true);
    await s.cluster.setImage('app', 'podinfo:2');
    await s.cluster.waitForRollout('app', 'Succeeded', (r) => r.status?.phase === 'Succeeded', 90_000);
    // The release finished while Slack was still down.
    expect(sink.received.filter((r) => r.path === slack).every((r) => r.status === 500)).toBe(true);
    expect(sink.received.some((r) => r.path === slack)).toBe(true);

    const webhook = await waitForMessages(sink, s.path('webhook'), PROMOTION.length);
    sink.fail(slack, false);
    const slackMessages = await waitForMessages(sink, slack, PROMOTION.length, 90_000);
    // Let any duplicate that would come arrive: every other destination has had all its messages by now.
    await waitForMessages(sink, s.path('discord'), PROMOTION.length);
    await waitForMessages(sink, s.path('msteams'), PROMOTION.length);
    expect(reasons(webhook)).toEqual([...PROMOTION].sort());
    expect(sink.delivered(s.path('webhook'))).toHaveLength(PROMOTION.length);
    expect(sink.delivered(s.path('discord'))).toHaveLength(PROMOTION.length);
    expect(sink.delivered(s.path('msteams'))).toHaveLength(PROMOTION.length);
    expect(slackMessages).toHaveLength(PROMOTION.length);
    const weights = webhook.filter((b) => b.reason === 'Advanced').map((b) => b.canaryWeight);
    expect(weights.sort()).toEqual([30, 60]);
  });
});
