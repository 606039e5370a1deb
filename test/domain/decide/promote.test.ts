import { describe, expect, it } from 'vitest';
import type { ManualAction, RolloutStatus, WebhookSpec } from '../../../src/api/types.gen.js';
import { decide } from '../../../src/domain/decide/decide.js';
import type { TickInput } from '../../../src/domain/model.js';
import { NOW, REV_A, REV_B, fail, input, pass, releasing, spec } from '../fixtures.js';

const action = (revision: string, at = '2026-11-22T09:59:50Z', by = 'alice'): ManualAction => ({ revision, by, at });
/** The last check 10 s ago: with a 1 m interval the next one is not due. */
const checkedRecently = (weight: number, extra: Partial<RolloutStatus> = {}): RolloutStatus =>
  releasing(weight, { lastAnalysisTime: new Date(NOW.getTime() - 10_000).toISOString(), ...extra });
const reasons = (i: TickInput): string[] => decide(i).events.map((e) => e.reason);

describe('decide: promote makes the next check due now', () => {
  it('without a promote, a check that is not due yet changes nothing', () => {
    expect(decide(input(checkedRecently(10), {}, { verdict: pass })).status.canaryWeight).toBe(10);
  });

  it('runs the check at once and, when it passes, moves exactly one step; recorded so it is acted on once', () => {
    const promote = action(REV_B);
    const d = decide(input(checkedRecently(10), {}, { verdict: pass, controls: { promote } }));
    expect(d.status).toMatchObject({ phase: 'Progressing', canaryWeight: 20, promote, lastAnalysisTime: NOW.toISOString() });
    expect(d.events.map((e) => e.reason)).toEqual(['Promote', 'Advanced']);
    expect(d.events[0]?.message).toBe('promote asked by alice at 2026-11-22T09:59:50Z: the check ran without waiting for the rest of the interval');
    // The same annotation, next tick: the interval counts from this check again.
    expect(decide(input(checkedRecently(20, { promote }), {}, { verdict: pass, controls: { promote } })).status.canaryWeight).toBe(20);
  });

  it('asks for the analysis first: a promote never makes a check pass', () => {
    const promote = action(REV_B);
    expect(decide(input(checkedRecently(10), {}, { controls: { promote } })).asks).toEqual([{ kind: 'analysis' }]);
    const d = decide(input(checkedRecently(10), {}, { verdict: fail, controls: { promote } }));
    expect(d.status).toMatchObject({ canaryWeight: 10, failedChecks: 1, promote });
  });

  it('is ignored for another revision, outside Progressing, and when it predates a retry', () => {
    expect(decide(input(checkedRecently(10), {}, { verdict: pass, controls: { promote: action(REV_A) } })).status.canaryWeight).toBe(10);
    const retried = checkedRecently(10, { retry: action(REV_B, '2026-11-22T09:59:55Z') });
    expect(decide(input(retried, {}, { verdict: pass, controls: { promote: action(REV_B) } })).status.canaryWeight).toBe(10);
    const waiting = checkedRecently(30, { phase: 'WaitingPromotion' });
    expect(reasons(input(waiting, {}, { verdict: pass, controls: { promote: action(REV_B) } }))).not.toContain('Promote');
  });

  it('does not open a closed gate: a passed check still holds for confirm-traffic-increase', () => {
    const gate: WebhookSpec = { name: 'human', type: 'confirm-traffic-increase', manual: true };
    const gated: TickInput = { ...input(checkedRecently(10), {}, { verdict: pass, controls: { promote: action(REV_B) } }), spec: spec({ analysis: { interval: '1m', threshold: 3, webhooks: [gate] } }) };
    const d = decide(gated);
    expect(d.status.canaryWeight).toBe(10);
    expect(d.status.message).toContain('canary weight 10 held');
  });
});

describe('decide: promote --full skips the analysis and the remaining steps', () => {
  const full = action(REV_B);

  it('promotes at once from the first step, without asking for an analysis, and says who skipped it', () => {
    const d = decide(input(checkedRecently(10), {}, { controls: { promoteFull: full } }));
    expect(d.asks).toBeUndefined();
    expect(d.status).toMatchObject({ phase: 'Promoting', fullPromotion: full });
    expect(d.status.message).toBe('full promotion asked by alice at 2026-11-22T09:59:50Z: promoting without analysis or the remaining steps');
    expect(d.events.map((e) => [e.type, e.reason])).toEqual([['Warning', 'FullPromotion'], ['Normal', 'Promoting']]);
    expect(d.actions).toContainEqual({ type: 'promotePrimary', revision: REV_B });
  });

  it('is not rolled back by a failing check it skipped', () => {
    const due = releasing(10, { failedChecks: 2, lastAnalysisTime: new Date(NOW.getTime() - 120_000).toISOString() });
    expect(decide(input(due, {}, { verdict: fail, controls: { promoteFull: full } })).status.phase).toBe('Promoting');
  });

  it('waits for confirm-promotion gates, saying the Event once', () => {
    const gate: WebhookSpec = { name: 'human', type: 'confirm-promotion', manual: true };
    const gated = (status: RolloutStatus): TickInput => ({
      ...input(status, {}, { controls: { promoteFull: full } }),
      spec: spec({ analysis: { interval: '1m', threshold: 3, webhooks: [gate] } }),
    });
    const d = decide(gated(checkedRecently(10)));
    expect(d.status).toMatchObject({ phase: 'WaitingPromotion', fullPromotion: full });
    expect(d.events.map((e) => e.reason)).toEqual(['FullPromotion', 'WaitingPromotion']);
    expect(decide(gated(d.status)).events.map((e) => e.reason)).toEqual([]);
  });

  it('waits for the canary to be ready first, and is ignored for another revision', () => {
    const notReady = input(checkedRecently(0), { canary: { ready: false, message: '0 of 2 ready', replicas: 2 } }, { controls: { promoteFull: full } });
    expect(decide(notReady).status.phase).toBe('Progressing');
    expect(decide(input(checkedRecently(10), {}, { verdict: pass, controls: { promoteFull: action(REV_A) } })).status.phase).toBe('Progressing');
  });
});
