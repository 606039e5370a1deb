import { describe, expect, it } from 'vitest';
import { decide } from '../../../src/domain/decide/decide.js';
import type { Action } from '../../../src/domain/model.js';
import { NOW, asksForAnalysis, input, pass, releasing, spec } from '../fixtures.js';

const setRoutes = (actions: readonly Action[]): Action | undefined => actions.find((a) => a.type === 'setRoutes');
const blueGreen = (mirror?: { percentage: number }) => spec({ strategy: { blueGreen: { iterations: 3, ...(mirror ? { mirror } : {}) } } });

describe('decide: blue/green', () => {
  it('analyses a canary without a mirror on its own host, before any traffic', () => {
    const i = { ...input(releasing(0), {}, { verdict: pass }), spec: blueGreen() };
    expect(asksForAnalysis(i)).toBe(true);
    const d = decide(i);
    expect(d.status).toMatchObject({ canaryWeight: 0, mirrorWeight: 0, iterations: 1 });
  });

  it('starts the mirror before the first analysis, which comes an interval later', () => {
    const i = { ...input(releasing(0)), spec: blueGreen({ percentage: 50 }) };
    // A check now would find no traffic at all: "no values" would count as a failed check.
    expect(asksForAnalysis(i)).toBe(false);
    const d = decide(i);
    expect(d.status).toMatchObject({ canaryWeight: 0, mirrorWeight: 50, lastAnalysisTime: NOW.toISOString() });
    expect(setRoutes(d.actions)).toEqual({ type: 'setRoutes', routes: { primary: 100, canary: 0, mirror: 50 } });
  });

  it('counts iterations while mirroring, then switches all traffic at once', () => {
    const mirrored = { ...input(releasing(0, { mirrorWeight: 50, iterations: 1 }), {}, { verdict: pass }), spec: blueGreen({ percentage: 50 }) };
    expect(asksForAnalysis(mirrored)).toBe(true);
    expect(decide(mirrored).status).toMatchObject({ canaryWeight: 0, mirrorWeight: 50, iterations: 2 });
    const last = { ...mirrored, status: releasing(0, { mirrorWeight: 50, iterations: 2 }) };
    expect(decide(last).status).toMatchObject({ phase: 'Promoting', canaryWeight: 100, mirrorWeight: 0 });
  });
});
