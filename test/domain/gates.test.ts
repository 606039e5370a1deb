import { describe, expect, it } from 'vitest';
import type { GateResult, ManualAction, RolloutStatus, WebhookSpec, WebhookType } from '../../src/api/types.gen.js';
import { decide } from '../../src/domain/decide/decide.js';
import type { AnalysisVerdict, Decision, TickInput } from '../../src/domain/model.js';
import { NOW, REV_A, REV_B, REV_C, fail, idle, input, pass, releasing, spec } from './fixtures.js';

const url = (name: string, type: WebhookType): WebhookSpec => ({ name, type, url: `http://gate.test/${name}` });
const manual = (name: string, type: WebhookType): WebhookSpec => ({ name, type, manual: true });
const answer = (name: string, type: WebhookType, open: boolean, message = open ? 'answered 200' : 'answered 403: not yet'): GateResult => ({
  name,
  type,
  open,
  message,
  time: NOW.toISOString(),
});
const action = (revision: string, at = '2026-11-22T09:59:00Z', by = 'alice'): ManualAction => ({ revision, by, at });

/** A TickInput whose spec has these webhooks, and the answers the tick gathered. */
function gated(status: RolloutStatus, hooks: WebhookSpec[], rest: Partial<TickInput> = {}, answers: GateResult[] = [], verdict?: AnalysisVerdict): TickInput {
  const base = input(status, rest.observed ?? {}, verdict ? { ...rest, verdict } : rest);
  const gates = answers.length ? { gates: Object.fromEntries(answers.map((a) => [a.name, a])) } : {};
  return { ...base, spec: spec({ analysis: { interval: '1m', threshold: 3, webhooks: hooks } }), ...gates };
}

const newRevision: RolloutStatus = { ...idle, phase: 'Succeeded', gates: [answer('told', 'post-rollout', true)] };
const notScaled = { canary: { ready: false, message: '', replicas: 0 } };
const types = (d: Decision): string[] => d.actions.map((a) => a.type);

describe('decide: confirm-rollout', () => {
  const hooks = [url('window', 'confirm-rollout')];

  it('asks the webhook before scaling up a new revision', () => {
    const d = decide(gated(newRevision, hooks, { observed: { ...input(idle).observed, ...notScaled } }));
    expect(d.asks).toEqual([{ kind: 'gate', name: 'window' }]);
  });

  it('waits with nothing scaled and no failed check while the gate is closed', () => {
    const d = decide(gated(newRevision, hooks, { observed: { ...input(idle).observed, ...notScaled } }, [answer('window', 'confirm-rollout', false)]));
    expect(d.status).toMatchObject({ phase: 'Waiting', canaryWeight: 0, failedChecks: 0, lastAppliedSpec: REV_B });
    expect(d.status.gates).toEqual([answer('window', 'confirm-rollout', false)]);
    expect(d.status.message).toBe(`revision ${REV_B.slice(0, 10)} waits for confirm-rollout: confirm-rollout gate window answered 403: not yet`);
    expect(types(d)).toEqual([]);
    expect(d.events.map((e) => e.reason)).toEqual(['Waiting']);
  });

  it('starts the release once the gate opens', () => {
    const waiting: RolloutStatus = { ...releasing(0), phase: 'Waiting' };
    const d = decide(gated(waiting, hooks, { observed: { ...input(waiting).observed, ...notScaled } }, [answer('window', 'confirm-rollout', true)]));
    expect(d.status).toMatchObject({ phase: 'Progressing', canaryWeight: 0 });
    expect(types(d)).toEqual(['scaleCanary']);
    expect(d.events.map((e) => e.reason)).toEqual(['Confirmed']);
  });

  it('routes back to the primary and scales the canary down when a newer revision waits mid-release', () => {
    const d = decide(gated(releasing(20), hooks, { observed: { ...input(releasing(20)).observed, revision: REV_C } }, [answer('window', 'confirm-rollout', false)]));
    expect(d.status).toMatchObject({ phase: 'Waiting', canaryWeight: 0, lastAppliedSpec: REV_C });
    expect(d.actions).toEqual([
      { type: 'setRoutes', routes: { primary: 100, canary: 0, mirror: 0 } },
      { type: 'scaleCanary', replicas: 0 },
    ]);
  });

  it('opens a manual gate only with an approval of the revision in release', () => {
    const manualHooks = [manual('human', 'confirm-rollout')];
    const observed = { ...input(idle).observed, ...notScaled };
    const stale = decide(gated(newRevision, manualHooks, { observed, controls: { approve: action(REV_A) } }));
    expect(stale.asks).toBeUndefined();
    expect(stale.status.phase).toBe('Waiting');
    expect(stale.status.gates?.[0]).toMatchObject({ name: 'human', open: false });
    expect(stale.status.approval).toBeUndefined();

    const approved = decide(gated(newRevision, manualHooks, { observed, controls: { approve: action(REV_B) } }));
    expect(approved.status.phase).toBe('Progressing');
    expect(approved.status.approval).toEqual(action(REV_B));
    expect(approved.status.gates?.[0]).toMatchObject({ name: 'human', open: true, message: 'approved by alice at 2026-11-22T09:59:00Z' });
  });

  it('keeps the time of an unchanged closed manual gate, so a waiting Rollout is not rewritten every tick', () => {
    const earlier = '2026-11-22T09:00:00Z';
    const first = decide(gated(newRevision, [manual('human', 'confirm-rollout')], { observed: { ...input(idle).observed, ...notScaled } }));
    const waiting: RolloutStatus = { ...first.status, gates: (first.status.gates ?? []).map((g) => ({ ...g, time: earlier })) };
    const again = decide(gated(waiting, [manual('human', 'confirm-rollout')], { observed: { ...input(idle).observed, ...notScaled } }));
    expect(again.status.gates?.[0]?.time).toBe(earlier);
    expect(again.events).toEqual([]);
  });
});

describe('decide: pre-rollout', () => {
  const hooks = [url('smoke', 'pre-rollout')];

  it('is asked once the canary is ready, before any traffic moves', () => {
    expect(decide(gated(releasing(0), hooks)).asks).toEqual([{ kind: 'gate', name: 'smoke' }]);
    expect(decide(gated(releasing(0), hooks, { observed: { ...input(releasing(0)).observed, canary: { ready: false, message: '', replicas: 2 } } })).asks).toBeUndefined();
  });

  it('counts a failed check when it does not answer 2xx, keeping the weight at 0', () => {
    const d = decide(gated(releasing(0), hooks, {}, [answer('smoke', 'pre-rollout', false, 'no answer within 100 ms')]));
    expect(d.status).toMatchObject({ phase: 'Progressing', canaryWeight: 0, failedChecks: 1, lastAnalysisTime: NOW.toISOString() });
    expect(d.status.message).toBe('check failed (1 of 3): pre-rollout gate smoke no answer within 100 ms');
    expect(d.status.gates).toEqual([answer('smoke', 'pre-rollout', false, 'no answer within 100 ms')]);
  });

  it('rolls back when failures reach the threshold', () => {
    const d = decide(gated(releasing(0, { failedChecks: 2 }), hooks, {}, [answer('smoke', 'pre-rollout', false)]));
    expect(d.status.phase).toBe('Failed');
  });

  it('is not asked again before an interval has passed since the last failure', () => {
    const d = decide(gated(releasing(0, { failedChecks: 1, lastAnalysisTime: new Date(NOW.getTime() - 5_000).toISOString() }), hooks));
    expect(d.asks).toBeUndefined();
    expect(d.status.canaryWeight).toBe(0);
  });

  it('moves to the first step once it answers 2xx', () => {
    const d = decide(gated(releasing(0), hooks, {}, [answer('smoke', 'pre-rollout', true)]));
    expect(d.status).toMatchObject({ phase: 'Progressing', canaryWeight: 10 });
  });

  it('is not asked again once it said yes, while a closed confirm-traffic-increase holds weight 0', () => {
    const both = [...hooks, url('more', 'confirm-traffic-increase')];
    const first = decide(gated(releasing(0), both, {}, [answer('smoke', 'pre-rollout', true), answer('more', 'confirm-traffic-increase', false)]));
    expect(first.status).toMatchObject({ canaryWeight: 0, failedChecks: 0 });
    const later = { ...first.status, lastAnalysisTime: new Date(NOW.getTime() - 120_000).toISOString() };
    expect(decide(gated(later, both)).asks).toEqual([{ kind: 'gate', name: 'more' }]);
  });
});

describe('decide: confirm-traffic-increase', () => {
  const hooks = [url('more', 'confirm-traffic-increase')];

  it('is asked only when a weight increase is due', () => {
    expect(decide(gated(releasing(10), hooks, { verdict: pass })).asks).toEqual([{ kind: 'gate', name: 'more' }]);
    expect(decide(gated(releasing(10), hooks, { verdict: fail })).asks).toBeUndefined();
    expect(decide(gated(releasing(30), hooks, { verdict: pass })).status.phase).toBe('Promoting');
  });

  it('holds the weight without a failed check while closed, recording the analysis', () => {
    const d = decide(gated(releasing(10, { failedChecks: 1 }), hooks, { verdict: pass }, [answer('more', 'confirm-traffic-increase', false)]));
    expect(d.status).toMatchObject({ phase: 'Progressing', canaryWeight: 10, failedChecks: 1, lastAnalysisTime: NOW.toISOString(), analysis: pass.results });
    expect(d.status.message).toBe('analysis passed; canary weight 10 held: confirm-traffic-increase gate more answered 403: not yet');
    expect(d.actions).toEqual([]);
  });

  it('steps once it opens', () => {
    const d = decide(gated(releasing(10), hooks, { verdict: pass }, [answer('more', 'confirm-traffic-increase', true)]));
    expect(d.status.canaryWeight).toBe(20);
    expect(d.status.gates).toEqual([answer('more', 'confirm-traffic-increase', true)]);
  });
});

describe('decide: confirm-promotion', () => {
  const hooks = [manual('human', 'confirm-promotion')];

  it('waits for promotion at the last step, keeping the canary weight', () => {
    const d = decide(gated(releasing(30), hooks, { verdict: pass }));
    expect(d.status).toMatchObject({ phase: 'WaitingPromotion', canaryWeight: 30 });
    expect(d.actions).toEqual([]);
    expect(d.events.map((e) => e.reason)).toEqual(['WaitingPromotion']);
  });

  it('keeps analysing while waiting: a failed check still counts and can roll back', () => {
    const waiting = releasing(30, { phase: 'WaitingPromotion', failedChecks: 2 });
    const d = decide(gated(waiting, hooks, { verdict: fail }));
    expect(d.status.phase).toBe('Failed');
  });

  it('promotes at once when an approval arrives between checks', () => {
    const waiting = releasing(30, { phase: 'WaitingPromotion', lastAnalysisTime: new Date(NOW.getTime() - 5_000).toISOString() });
    expect(decide(gated(waiting, hooks)).status.phase).toBe('WaitingPromotion');
    const d = decide(gated(waiting, hooks, { controls: { approve: action(REV_B) } }));
    expect(d.status.phase).toBe('Promoting');
    expect(d.actions).toContainEqual({ type: 'promotePrimary', revision: REV_B });
    expect(d.status.approval).toEqual(action(REV_B));
  });

  it('needs every gate of the type open: a manual and a webhook gate', () => {
    const both = [...hooks, url('ci', 'confirm-promotion')];
    const d = decide(gated(releasing(30), both, { verdict: pass, controls: { approve: action(REV_B) } }, [answer('ci', 'confirm-promotion', false)]));
    expect(d.status.phase).toBe('WaitingPromotion');
    expect(d.status.message).toContain('confirm-promotion gate ci answered 403: not yet');
  });
});

describe('decide: rollback webhooks, abort and retry', () => {
  it('rolls back when a rollback webhook answers 2xx', () => {
    const d = decide(gated(releasing(20), [url('panic', 'rollback')], { verdict: pass }, [answer('panic', 'rollback', true)]));
    expect(d.status.phase).toBe('Failed');
    expect(d.status.message).toBe('rolled back: rollback gate panic answered 200');
    expect(d.status.gates).toEqual([answer('panic', 'rollback', true)]);
  });

  it('goes on and records the answer when the rollback webhook does not ask for it', () => {
    const d = decide(gated(releasing(10), [url('panic', 'rollback')], { verdict: pass }, [answer('panic', 'rollback', false, 'answered 404')]));
    expect(d.status.canaryWeight).toBe(20);
    expect(d.status.gates).toEqual([answer('panic', 'rollback', false, 'answered 404')]);
  });

  it('asks rollback webhooks while waiting, too', () => {
    const waiting: RolloutStatus = { ...releasing(0), phase: 'Waiting' };
    expect(decide(gated(waiting, [url('panic', 'rollback'), url('window', 'confirm-rollout')], { observed: { ...input(waiting).observed, ...notScaled } })).asks).toEqual([{ kind: 'gate', name: 'panic' }]);
  });

  it('aborts the release in progress of the named revision, once', () => {
    const abort = action(REV_B);
    const d = decide(gated(releasing(20), [], { controls: { abort } }));
    expect(d.status).toMatchObject({ phase: 'Failed', canaryWeight: 0, abort });
    expect(d.status.message).toBe('rolled back: aborted by alice at 2026-11-22T09:59:00Z');
    expect(decide(gated(releasing(20), [], { controls: { abort: action(REV_A) } })).status.phase).toBe('Progressing');
    expect(decide(gated(releasing(20, { abort }), [], { controls: { abort } })).status.phase).toBe('Progressing');
  });

  it('releases a failed revision again on retry, once, and not with the approval of the failed attempt', () => {
    const failed: RolloutStatus = { ...releasing(0), phase: 'Failed', failedChecks: 3 };
    const retry = action(REV_B, '2026-11-22T09:59:30Z');
    const observed = { ...input(failed).observed, ...notScaled };
    const d = decide(gated(failed, [manual('human', 'confirm-promotion')], { observed, controls: { retry, approve: action(REV_B) } }));
    expect(d.status).toMatchObject({ phase: 'Progressing', canaryWeight: 0, failedChecks: 0, retry });
    expect(types(d)).toEqual(['scaleCanary']);
    expect(d.events.map((e) => e.reason)).toEqual(['Retry']);
    expect(d.status.approval).toBeUndefined();

    const again = decide(gated({ ...failed, retry }, [], { observed, controls: { retry } }));
    expect(again.status.phase).toBe('Failed');
  });
});

describe('decide: post-rollout', () => {
  const hooks = [url('told', 'post-rollout')];

  it('is told once, with the decision that ends the release, never asked before the status is written', () => {
    const failing = releasing(20, { failedChecks: 2, lastAnalysisTime: new Date(NOW.getTime() - 120_000).toISOString() });
    const d = decide(gated(failing, hooks, {}, [], fail));
    expect(d.asks).toBeUndefined();
    expect(d.status.phase).toBe('Failed');
    expect(d.hooks).toEqual(['told']);
    expect(d.status.gates ?? []).toEqual([]);
    const observed = { ...input(d.status).observed, ...notScaled };
    expect(decide(gated(d.status, hooks, { observed })).hooks).toBeUndefined();
  });

  it('is told when a promotion completes', () => {
    const finalising = releasing(0, { phase: 'Finalising' });
    const d = decide(gated(finalising, hooks));
    expect(d.status.phase).toBe('Succeeded');
    expect(d.hooks).toEqual(['told']);
  });

  it('is not told before any release', () => {
    const d = decide(gated(idle, hooks, { observed: { ...input(idle).observed, revision: REV_A, ...notScaled } }));
    expect(d.asks).toBeUndefined();
    expect(d.hooks).toBeUndefined();
  });
});
