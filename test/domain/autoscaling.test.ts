import { describe, expect, it } from 'vitest';
import { decide } from '../../src/domain/decide/decide.js';
import type { Action, AutoscalerObservation } from '../../src/domain/model.js';
import { REV_A, REV_B, idle, input, releasing } from './fixtures.js';

const hpa = (extra: Partial<AutoscalerObservation> = {}): AutoscalerObservation => ({ minReplicas: 3, maxReplicas: 10, desiredReplicas: undefined, synced: true, ...extra });
const replicaWrites = (actions: readonly Action[]): Action[] => actions.filter((a) => a.type === 'scaleCanary' || a.type === 'ensurePrimary');

describe('decide with spec.autoscalerRef: flowshift never writes replicas an autoscaler owns', () => {
  it('creates the primary with the count the autoscaler asked for, within its range, and its copy with it', () => {
    const asked = decide(input({}, { primary: undefined, routes: undefined, revision: REV_A, autoscaler: hpa({ desiredReplicas: 7, synced: false }) }));
    expect(asked.actions).toEqual([{ type: 'ensurePrimary', replicas: 7 }, { type: 'syncAutoscaler' }]);
    const above = decide(input({}, { primary: undefined, routes: undefined, revision: REV_A, autoscaler: hpa({ desiredReplicas: 40 }) }));
    expect(above.actions).toEqual([{ type: 'ensurePrimary', replicas: 10 }]);
    // No desired count (KEDA, or an HPA that never ran): the target's own, raised to the floor.
    const target = decide(input({}, { primary: undefined, routes: undefined, revision: REV_A, canary: { ready: true, message: '', replicas: 0 }, autoscaler: hpa() }));
    expect(target.actions).toEqual([{ type: 'ensurePrimary', replicas: 3 }]);
  });

  it('wakes the canary to the autoscaler floor, not to the primary size', () => {
    const d = decide(input(idle, { canary: { ready: false, message: '', replicas: 0 }, primary: { ready: true, replicas: 8, message: '', revision: REV_A }, autoscaler: hpa() }));
    expect(d.status.phase).toBe('Progressing');
    expect(d.actions).toEqual([{ type: 'scaleCanary', replicas: 3 }]);
  });

  it('wakes to one replica when the floor is zero (a ScaledObject that scales to zero)', () => {
    const d = decide(input(idle, { canary: { ready: false, message: '', replicas: 0 }, autoscaler: hpa({ minReplicas: 0 }) }));
    expect(d.actions).toEqual([{ type: 'scaleCanary', replicas: 1 }]);
  });

  it('leaves a canary the autoscaler resized mid-release alone, whether it waits for the new pods or advances', () => {
    const scaledUp = { ready: false, message: '3 of 6 replicas available', replicas: 6 };
    const waiting = decide(input(releasing(10), { revision: REV_B, canary: scaledUp, autoscaler: hpa() }));
    expect(replicaWrites(waiting.actions)).toEqual([]);
    const ready = decide(input(releasing(10, { lastAnalysisTime: new Date(0).toISOString() }), { revision: REV_B, canary: { ready: true, message: '', replicas: 6 }, autoscaler: hpa() }));
    expect(replicaWrites(ready.actions)).toEqual([]);
  });

  it('syncs the copy whenever it differs from the user autoscaler, in an idle phase too', () => {
    const d = decide(input(idle, { revision: REV_A, canary: { ready: true, message: '', replicas: 0 }, autoscaler: hpa({ synced: false }) }));
    expect(d.actions).toEqual([{ type: 'syncAutoscaler' }]);
    expect(decide(input(idle, { revision: REV_A, canary: { ready: true, message: '', replicas: 0 }, autoscaler: hpa() })).actions).toEqual([]);
  });

  it('writes no copy while the Rollout is held by a problem or suspended', () => {
    const blocked = decide(input(idle, { revision: REV_A, autoscaler: hpa({ synced: false }) }, { problems: ['spec.autoscalerRef.name: not found'] }));
    expect(blocked.actions).toEqual([]);
    const suspended = decide({ ...input(idle, { revision: REV_A, autoscaler: hpa({ synced: false }) }), spec: { ...input(idle).spec, suspend: true } });
    expect(suspended.actions).toEqual([]);
  });
});
