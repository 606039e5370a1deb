import { beforeAll, describe, expect, it } from 'vitest';
import { CoreV1Api } from '@kubernetes/client-node';
import { pino } from 'pino';
import type { Rollout } from '../../src/api/types.gen.js';
import { EventRecorder } from '../../src/notifier/kube-events.js';
import { createNamespace, kubeClients, kubeConfig } from '../support/env/context.js';
import { rollout } from '../support/rollouts.js';

describe('EventRecorder against the API server', () => {
  let namespace: string;
  const requests: string[] = [];
  let recorder: EventRecorder;

  beforeAll(async () => {
    namespace = await createNamespace('events');
    recorder = new EventRecorder(await kubeClients((method) => requests.push(method)), pino({ level: 'silent' }));
  });

  const recorded = (name: string): Rollout => rollout({ name, namespace, metadata: { uid: `uid-${name}`, resourceVersion: '1' } });

  async function events(name: string): Promise<{ reason: string; message: string; count: number }[]> {
    const list = await kubeConfig().makeApiClient(CoreV1Api).listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${name}` });
    return list.items.map((e) => ({ reason: e.reason ?? '', message: e.message ?? '', count: e.count ?? 0 })).sort((a, b) => a.message.localeCompare(b.message));
  }

  it('aggregates a repeated Event into one object with a count, as Kubernetes does', async () => {
    const drift = { type: 'Warning', reason: 'RouteDrift', message: 'VirtualService routes were changed outside flowshift' } as const;
    for (let i = 0; i < 3; i++) await recorder.record(recorded('agg'), drift);
    expect(await events('agg')).toEqual([{ reason: 'RouteDrift', message: drift.message, count: 3 }]);
    expect(requests.slice(-3)).toEqual(['POST', 'PATCH', 'PATCH']);
  });

  it('keeps Events with another message, reason or Rollout apart', async () => {
    await recorder.record(recorded('apart'), { type: 'Warning', reason: 'AnalysisFailed', message: 'check failed (1 of 3)' });
    await recorder.record(recorded('apart'), { type: 'Warning', reason: 'AnalysisFailed', message: 'check failed (2 of 3)' });
    await recorder.record(recorded('other'), { type: 'Warning', reason: 'AnalysisFailed', message: 'check failed (1 of 3)' });
    expect(await events('apart')).toEqual([
      { reason: 'AnalysisFailed', message: 'check failed (1 of 3)', count: 1 },
      { reason: 'AnalysisFailed', message: 'check failed (2 of 3)', count: 1 },
    ]);
    expect(await events('other')).toHaveLength(1);
  });

  it("tells a release's steps to the event webhooks but writes no Event for them", async () => {
    const forwarded: string[] = [];
    const stepping = new EventRecorder(await kubeClients(), pino({ level: 'silent' }), (_r, e) => forwarded.push(e.reason));
    await stepping.record(recorded('steps'), { type: 'Normal', reason: 'Advanced', message: 'advanced canary weight to 20' });
    await stepping.record(recorded('steps'), { type: 'Normal', reason: 'Promoting', message: 'analysis passed: promoting' });
    expect(forwarded).toEqual(['Advanced', 'Promoting']);
    expect(await events('steps')).toEqual([{ reason: 'Promoting', message: 'analysis passed: promoting', count: 1 }]);
  });

  it('starts a new Event when the aggregated one expired', async () => {
    const waiting = { type: 'Normal', reason: 'Waiting', message: 'waiting for the release window' } as const;
    await recorder.record(recorded('expired'), waiting);
    const core = kubeConfig().makeApiClient(CoreV1Api);
    const [first] = (await core.listNamespacedEvent({ namespace, fieldSelector: 'involvedObject.name=expired' })).items;
    await core.deleteNamespacedEvent({ namespace, name: first?.metadata.name ?? '' });
    await recorder.record(recorded('expired'), waiting);
    expect(await events('expired')).toEqual([{ reason: 'Waiting', message: waiting.message, count: 1 }]);
  });
});
