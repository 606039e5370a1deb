import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { MetricResult, RolloutStatus } from '../../../src/api/types.gen.js';
import { commit, type CommitDeps } from '../../../src/controller/tick/commit.js';
import { decideRefusedStatus } from '../../../src/domain/decide/decide.js';
import { fitStatus } from '../../../src/domain/fit.js';
import type { Decision, TickInput } from '../../../src/domain/model.js';
import { GateAsker } from '../../../src/gates/asker.js';
import { statusCode } from '../../../src/kube/errors.js';
import { Conflict, RolloutClient } from '../../../src/kube/rollouts.js';
import { EventRecorder } from '../../../src/notifier/kube-events.js';
import { createRouters } from '../../../src/router/registry.js';
import { ServiceRouter } from '../../../src/router/services.js';
import { DeploymentTarget } from '../../../src/workload/deployment.js';
import { createNamespace, kubeClients } from '../../support/env/context.js';
import { Cluster } from '../../support/harness.js';
import { rollout } from '../../support/rollouts.js';
import { LOOPBACK_ALLOWED } from '../../support/outbound.js';

const NOW = new Date('2026-12-02T10:00:00Z');
const log = pino({ level: 'silent' });

async function setUp(): Promise<{ cluster: Cluster; deps: CommitDeps; client: RolloutClient }> {
  const cluster = new Cluster(await createNamespace('commit'));
  const clients = await kubeClients();
  const client = new RolloutClient(clients);
  const deps: CommitDeps = {
    rollouts: client,
    gates: new GateAsker({ readSecret: () => Promise.resolve(undefined), now: () => NOW, outbound: LOOPBACK_ALLOWED }),
    events: new EventRecorder(clients, log),
    target: new DeploymentTarget(clients),
    routers: createRouters(clients),
    services: new ServiceRouter(clients),
  };
  await cluster.createRollout(rollout({ name: 'app' }));
  return { cluster, deps, client };
}

function inputOf(status: RolloutStatus): TickInput {
  return {
    spec: rollout().spec,
    status,
    generation: 1,
    deleting: false,
    problems: [],
    hasFinalizer: false,
    observed: { now: NOW, revision: 'r1', canary: undefined, primary: undefined, routes: undefined, foreign: [] },
  };
}

/** What a metric returning 500 series with long labels, and a Prometheus error of 100 KB, put into a status. */
function hugeStatus(): RolloutStatus {
  const labels = Array.from({ length: 500 }, (_, i) => JSON.stringify({ pod: `podinfo-${i}-${'x'.repeat(200)}`, namespace: 'team-a' })).join(', ');
  const results: MetricResult[] = [
    { name: 'latency', passed: false, message: `latency returned 500 series where one was expected (aggregate with sum or avg): ${labels}`, time: NOW.toISOString() },
    { name: 'errors', passed: false, message: `errors query failed: bad_data: ${'e'.repeat(100_000)}`, time: NOW.toISOString() },
  ];
  return { phase: 'Progressing', failedChecks: 1, analysis: results, message: `check failed (1 of 5): ${results.map((r) => r.message).join('; ')}` };
}

describe('a status always fits what the API server accepts', () => {
  it('is refused whole by the CRD when nothing is cut, and written once fitted', async () => {
    const { cluster, client } = await setUp();
    const read = await cluster.rollout('app');
    const refused = await client.writeStatus(read, hugeStatus()).then(
      () => undefined,
      (err: unknown) => statusCode(err),
    );
    expect(refused).toBe(422);
    const written = await client.writeStatus(read, fitStatus(hugeStatus()));
    if (written === Conflict) throw new Error('lost the write');
    expect(written.status?.message?.length).toBeLessThanOrEqual(32768);
    expect(written.status?.message).toMatch(/ … \(\d+ more characters cut\)$/);
    expect(written.status?.analysis?.map((r) => r.message.length).every((n) => n <= 4096)).toBe(true);
    expect(written.status?.analysis?.[1]?.message).toMatch(/^errors query failed: bad_data: e+ … \(\d+ more characters cut\)$/);
  });

  it('answers a status refused for good with the status on record and the reason, once, not a retry loop', async () => {
    const { cluster, deps } = await setUp();
    const read = await cluster.rollout('app');
    const before = await deps.rollouts.writeStatus(read, { phase: 'Initialized', message: 'initialized' });
    if (before === Conflict) throw new Error('lost the write');
    // A status no decision of flowshift's makes (an unknown phase), which the CRD refuses whatever its size.
    const invalid: Decision = { status: { ...before.status, phase: 'Sideways' as NonNullable<RolloutStatus['phase']> }, actions: [], events: [] };
    const outcome = await commit(deps, before, invalid, inputOf(before.status ?? {}), undefined, log);
    expect(outcome.kind).toBe('refused-status');
    if (outcome.kind !== 'refused-status') return;
    expect(outcome.message).toContain('Sideways');

    const answer = decideRefusedStatus(inputOf(outcome.rollout.status ?? {}), outcome.message);
    const after = await commit(deps, outcome.rollout, answer, inputOf(outcome.rollout.status ?? {}), undefined, log);
    expect(after.kind).toBe('done');
    const recorded = await cluster.rollout('app');
    expect(recorded.status?.phase).toBe('Initialized');
    expect(recorded.status?.message).toMatch(/^the API server refused the status flowshift decided, so nothing moved: .*Sideways/);
    expect(recorded.status?.conditions?.find((c) => c.type === 'StatusRefused')).toMatchObject({ status: 'True', reason: 'Invalid' });
    const events = await cluster.events('app');
    expect(events.filter((e) => e.reason === 'StatusRefused')).toHaveLength(1);
  });
});
