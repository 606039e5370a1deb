import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GateResult, Rollout, WebhookSpec } from '../../../src/api/types.gen.js';
import { DELIVERY_HEADER } from '../../../src/http/safe-post.js';
import { createNamespace, mergePatch } from '../../support/env/context.js';
import { HookServer } from '../../support/hook-server.js';
import { Cluster, podinfo, startController, type ControllerProcess } from '../../support/harness.js';
import { quickRollout } from '../../support/rollouts.js';
import { SignedCallReceiver } from '../../http/receiver.js';


interface Payload {
  readonly type: string;
  readonly phase: string;
  readonly revision: string;
  readonly canaryWeight: number;
  readonly metadata: Record<string, string>;
}

const gate = (r: Rollout, name: string): GateResult | undefined => r.status?.gates?.find((g) => g.name === name);

/**
 * Every gate type through the controller process, answered by a real HTTP
 * server whose answers the tests switch while the release runs.
 */
describe('gates run by the controller', () => {
  let cluster: Cluster;
  let controller: ControllerProcess;
  let hooks: HookServer;

  beforeAll(async () => {
    hooks = await HookServer.start();
    cluster = new Cluster(await createNamespace('gates'));
    controller = await startController(cluster.namespace);
  });
  afterAll(async () => {
    await controller.stop();
    await hooks.stop();
  });

  /** A Deployment and its Rollout with these webhooks, Initialized. */
  async function release(name: string, webhooks: WebhookSpec[], threshold = 2): Promise<void> {
    await cluster.apps.createNamespacedDeployment({ namespace: cluster.namespace, body: podinfo(name) });
    await cluster.createRollout(quickRollout(name, { analysis: { interval: '1s', threshold, webhooks } }));
    await cluster.waitForRollout(name, 'Initialized', (r) => r.status?.phase === 'Initialized');
  }

  async function annotate(name: string, key: string, value: object): Promise<void> {
    await cluster.custom.patchNamespacedCustomObject(
      { group: 'flowshift.io', version: 'v1alpha1', plural: 'rollouts', namespace: cluster.namespace, name, body: { metadata: { annotations: { [key]: JSON.stringify(value) } } } },
      mergePatch,
    );
  }

  /** Ticks the controller has finished, from its /metrics. */
  const ticks = async (): Promise<number> => {
    const text = await (await fetch(`http://127.0.0.1:${controller.healthPort}/metrics`)).text();
    return text
      .split('\n')
      .filter((line) => line.startsWith('flowshift_ticks_total'))
      .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
  };

  const replicas = async (name: string): Promise<number | undefined> =>
    (await cluster.apps.readNamespacedDeployment({ name, namespace: cluster.namespace })).spec?.replicas;

  it('confirm-rollout: a signed gate that times out or says no keeps the new revision Waiting, unscaled; a 2xx releases it', async () => {
    await cluster.core.createNamespacedSecret({ namespace: cluster.namespace, body: { metadata: { name: 'gate-key' }, stringData: { key: 's3cret' } } });
    hooks.on('/cr', () => undefined); // never answers: the controller's deadline closes the gate
    await release('cr', [{ name: 'window', type: 'confirm-rollout', url: hooks.url('/cr'), timeout: '300ms', secretRef: { name: 'gate-key' } }]);
    await cluster.setImage('cr', 'podinfo:2');

    const timedOut = await cluster.waitForRollout('cr', 'Waiting on a timeout', (r) => r.status?.phase === 'Waiting');
    expect(gate(timedOut, 'window')).toMatchObject({ type: 'confirm-rollout', open: false, message: 'no answer within 300 ms' });
    expect(timedOut.status?.failedChecks).toBe(0);

    const receiver = new SignedCallReceiver('s3cret');
    hooks.on('/cr', (req, body, res) => {
      // Each tick asks again: a repeated delivery id would be a replay.
      const verdict = receiver.verify(req.headers, body, Date.now() / 1000);
      res.writeHead(verdict === 'ok' ? 403 : 401).end(verdict === 'ok' ? 'outside the release window' : verdict);
    });
    const closed = await cluster.waitForRollout('cr', 'a 403 from the gate', (r) => gate(r, 'window')?.message === 'answered 403: outside the release window');
    expect(closed.status).toMatchObject({ phase: 'Waiting', canaryWeight: 0, failedChecks: 0 });
    expect(closed.status?.message).toContain('waits for confirm-rollout');
    expect(await replicas('cr')).toBe(0);
    const payload = JSON.parse(hooks.callsTo('/cr').at(-1)?.body ?? '{}') as Payload;
    expect(payload).toMatchObject({ type: 'confirm-rollout', revision: closed.status?.lastAppliedSpec });
    const ids = hooks.callsTo('/cr').map((c) => c.headers[DELIVERY_HEADER.toLowerCase()]);
    expect(ids.every((id) => typeof id === 'string')).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);

    hooks.answer('/cr', 204);
    const done = await cluster.waitForRollout('cr', 'Succeeded', (r) => r.status?.phase === 'Succeeded');
    expect(done.status?.failedChecks).toBe(0);
  });

  it('pre-rollout: a failure counts a failed check before any traffic moves; a 2xx lets the release go on', async () => {
    hooks.answer('/pre', 500, 'smoke tests failed');
    await release('pre', [{ name: 'smoke', type: 'pre-rollout', url: hooks.url('/pre') }], 3);
    const recorder = await cluster.recordWeights('pre');
    await cluster.setImage('pre', 'podinfo:2');
    const failed = await cluster.waitForRollout('pre', 'a failed pre-rollout check', (r) => (r.status?.failedChecks ?? 0) >= 1);
    expect(failed.status).toMatchObject({ phase: 'Progressing', canaryWeight: 0 });
    expect(failed.status?.message).toContain('pre-rollout gate smoke answered 500: smoke tests failed');
    expect(gate(failed, 'smoke')).toMatchObject({ type: 'pre-rollout', open: false });

    hooks.answer('/pre', 200);
    const done = await cluster.waitForRollout('pre', 'Succeeded', (r) => r.status?.phase === 'Succeeded');
    recorder.stop();
    expect(recorder.weights).toEqual([0, 20, 40, 60, 0]);
    expect(done.status?.failedChecks).toBe(1);
    expect(hooks.callsTo('/pre').map((c) => (JSON.parse(c.body) as Payload).canaryWeight)).toEqual(hooks.callsTo('/pre').map(() => 0));
  });

  it('confirm-traffic-increase: a closed gate holds the weight while the analysis goes on, without failed checks', async () => {
    // Opens only the first step, so the release holds at weight 20.
    hooks.on('/more', (_req, body, res) => res.writeHead((JSON.parse(body) as Payload).canaryWeight === 0 ? 200 : 409).end('hold'));
    await release('cti', [{ name: 'more', type: 'confirm-traffic-increase', url: hooks.url('/more') }]);
    const recorder = await cluster.recordWeights('cti');
    await cluster.setImage('cti', 'podinfo:2');
    const held = await cluster.waitForRollout('cti', 'held at 20', (r) => r.status?.canaryWeight === 20 && gate(r, 'more')?.open === false);
    const checkedAt = held.status?.lastAnalysisTime ?? '';
    const later = await cluster.waitForRollout('cti', 'two more checks', (r) => Date.parse(r.status?.lastAnalysisTime ?? '') >= Date.parse(checkedAt) + 2000);
    expect(later.status).toMatchObject({ phase: 'Progressing', canaryWeight: 20, failedChecks: 0 });
    expect(later.status?.message).toBe('analysis passed; canary weight 20 held: confirm-traffic-increase gate more answered 409: hold');

    hooks.answer('/more', 200);
    await cluster.waitForRollout('cti', 'Succeeded', (r) => r.status?.phase === 'Succeeded');
    recorder.stop();
    expect(recorder.weights).toEqual([0, 20, 40, 60, 0]);
  });

  it('confirm-promotion (manual): WaitingPromotion keeps the weight and analysing until approve names this revision', async () => {
    await release('cp', [{ name: 'approval', type: 'confirm-promotion', manual: true }]);
    await cluster.setImage('cp', 'podinfo:2');
    const waiting = await cluster.waitForRollout('cp', 'WaitingPromotion', (r) => r.status?.phase === 'WaitingPromotion');
    expect(waiting.status?.canaryWeight).toBe(60);
    expect(gate(waiting, 'approval')).toMatchObject({ type: 'confirm-promotion', open: false });

    // An approval for another revision never opens this release's gates.
    await annotate('cp', 'flowshift.io/approve', { revision: 'another-revision', by: 'mallory', at: new Date().toISOString() });
    const checkedAt = Date.parse(waiting.status?.lastAnalysisTime ?? '');
    const still = await cluster.waitForRollout('cp', 'two more checks', (r) => Date.parse(r.status?.lastAnalysisTime ?? '') >= checkedAt + 2000);
    expect(still.status).toMatchObject({ phase: 'WaitingPromotion', canaryWeight: 60 });
    expect(still.status?.approval).toBeUndefined();

    const revision = still.status?.lastAppliedSpec ?? '';
    await annotate('cp', 'flowshift.io/approve', { revision, by: 'alice', at: new Date().toISOString() });
    const done = await cluster.waitForRollout('cp', 'Succeeded', (r) => r.status?.phase === 'Succeeded');
    expect(done.status?.approval).toMatchObject({ revision, by: 'alice' });
    expect(gate(done, 'approval')).toMatchObject({ open: true });
    expect(gate(done, 'approval')?.message).toMatch(/^approved by alice at /);
  });

  it('acts on an approval at once, not at the next interval', async () => {
    await release('now', [{ name: 'go', type: 'confirm-rollout', manual: true }]);
    // A 5 minute interval: only the tick the annotation triggers can start the release within the wait below.
    await cluster.custom.patchNamespacedCustomObject(
      { group: 'flowshift.io', version: 'v1alpha1', plural: 'rollouts', namespace: cluster.namespace, name: 'now', body: { spec: { analysis: { interval: '5m' } } } },
      mergePatch,
    );
    await cluster.waitForRollout('now', 'the new interval seen', (r) => r.status?.observedGeneration === r.metadata.generation && r.metadata.generation === 2);
    await cluster.setImage('now', 'podinfo:2');
    const waiting = await cluster.waitForRollout('now', 'Waiting', (r) => r.status?.phase === 'Waiting');
    expect(gate(waiting, 'go')?.message).toMatch(/^waits for an approval of revision /);
    await annotate('now', 'flowshift.io/approve', { revision: waiting.status?.lastAppliedSpec ?? '', by: 'carol', at: new Date().toISOString() });
    const started = await cluster.waitForRollout('now', 'Progressing', (r) => r.status?.phase === 'Progressing', 60_000);
    expect(started.status?.approval).toMatchObject({ by: 'carol' });
  });

  it('rollback: a 2xx rolls back now; post-rollout is told once; event webhooks get every Event', async () => {
    hooks.answer('/rb', 404);
    hooks.answer('/post', 200, 'noted');
    hooks.answer('/events', 202);
    hooks.answer('/hold', 403);
    await release('rb', [
      { name: 'panic', type: 'rollback', url: hooks.url('/rb') },
      { name: 'hold', type: 'confirm-traffic-increase', url: hooks.url('/hold') },
      { name: 'told', type: 'post-rollout', url: hooks.url('/post') },
      { name: 'feed', type: 'event', url: hooks.url('/events') },
    ]);
    await cluster.setImage('rb', 'podinfo:2');
    const progressing = await cluster.waitForRollout('rb', 'held with the rollback webhook asked', (r) => gate(r, 'panic')?.open === false && gate(r, 'hold') !== undefined);
    expect(progressing.status?.phase).toBe('Progressing');

    hooks.answer('/rb', 200, 'on-call pressed the button');
    const failed = await cluster.waitForRollout('rb', 'Failed', (r) => r.status?.phase === 'Failed');
    expect(failed.status?.message).toBe('rolled back: rollback gate panic answered 200: on-call pressed the button');
    expect(failed.status?.canaryWeight).toBe(0);

    // Told after the status that ends the release was written; its answer is an Event, not gate state.
    const told = await eventually(
      () => cluster.events('rb'),
      (events) => events.some((e) => e.reason === 'PostRollout'),
    );
    expect(told.find((e) => e.reason === 'PostRollout')).toMatchObject({ type: 'Normal', message: 'post-rollout gate told answered 200: noted' });
    expect(gate(await cluster.rollout('rb'), 'told')).toBeUndefined();
    const post = hooks.callsTo('/post');
    expect(post).toHaveLength(1);
    expect(JSON.parse(post[0]?.body ?? '{}')).toMatchObject({ type: 'post-rollout', phase: 'Failed' });
    // Later ticks do not tell it again.
    const ticked = await ticks();
    await eventually(ticks, (n) => n >= ticked + 3);
    expect(hooks.callsTo('/post')).toHaveLength(1);

    const reasons = await eventually(
      () => Promise.resolve(hooks.callsTo('/events').map((c) => (JSON.parse(c.body) as Payload).metadata['eventReason'])),
      (r) => r.includes('RolledBack'),
    );
    expect(reasons).toEqual(expect.arrayContaining(['Initialized', 'NewRevision', 'RolledBack']));
  });

  it('abort rolls back the release in progress; retry releases the same revision again from weight 0', async () => {
    hooks.answer('/gate', 403, 'not yet');
    await release('ar', [{ name: 'gate', type: 'confirm-traffic-increase', url: hooks.url('/gate') }]);
    await cluster.setImage('ar', 'podinfo:2');
    const held = await cluster.waitForRollout('ar', 'held at 0', (r) => r.status?.phase === 'Progressing' && gate(r, 'gate')?.open === false);
    const revision = held.status?.lastAppliedSpec ?? '';

    await annotate('ar', 'flowshift.io/abort', { revision, by: 'bob', at: new Date().toISOString() });
    const aborted = await cluster.waitForRollout('ar', 'Failed', (r) => r.status?.phase === 'Failed');
    expect(aborted.status?.message).toMatch(/^rolled back: aborted by bob at /);
    expect(aborted.status?.abort).toMatchObject({ revision, by: 'bob' });
    expect(await eventually(() => replicas('ar'), (n) => n === 0)).toBe(0);

    hooks.answer('/gate', 200);
    await annotate('ar', 'flowshift.io/retry', { revision, by: 'bob', at: new Date(Date.now() + 1000).toISOString() });
    const done = await cluster.waitForRollout('ar', 'Succeeded', (r) => r.status?.phase === 'Succeeded');
    expect(done.status?.retry).toMatchObject({ revision, by: 'bob' });
    expect(done.status?.lastPromotedSpec).toBe(revision);
    expect((await cluster.eventsOnce('ar', 'Succeeded')).map((e) => e.reason)).toEqual(expect.arrayContaining(['RolledBack', 'Retry', 'Succeeded']));
  });
});

/** Polls `read` until `done` holds (for what the API server does not show, such as webhook calls). */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
