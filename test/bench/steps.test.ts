import { describe, expect, it } from 'vitest';
import { countFaults, stepFault } from '../../bench/steps.js';

const STEPS = [20, 40, 60];

describe('stepFault', () => {
  it('accepts every step once and in order, with weights that are no step around them', () => {
    expect(stepFault([0, 20, 40, 60, 0], STEPS, 'Succeeded')).toBeUndefined();
    expect(stepFault([0, 20, 20, 40, 40, 60, 100, 0], STEPS, 'Succeeded')).toBeUndefined();
  });

  it('accepts a failed release that stopped after any step, or before the first', () => {
    expect(stepFault([0, 20, 0], STEPS, 'Failed')).toBeUndefined();
    expect(stepFault([0], STEPS, 'Failed')).toBeUndefined();
  });

  it('finds a step gone through twice', () => {
    expect(stepFault([0, 20, 40, 20, 40, 60, 0], STEPS, 'Succeeded')).toBe('duplicate');
    expect(stepFault([20, 40, 60, 0, 60], STEPS, 'Succeeded')).toBe('duplicate');
  });

  it('finds a step jumped over', () => {
    expect(stepFault([0, 20, 60, 0], STEPS, 'Succeeded')).toBe('skipped');
    expect(stepFault([0, 40, 60, 0], STEPS, 'Succeeded')).toBe('skipped');
  });

  it('finds a succeeded release that never reached its last step', () => {
    expect(stepFault([0, 20, 40, 0], STEPS, 'Succeeded')).toBe('skipped');
  });
});

describe('countFaults', () => {
  it('names the Rollouts by fault', () => {
    const faults = countFaults(
      [
        { name: 'a', weights: [0, 20, 40, 60, 0], phase: 'Succeeded' },
        { name: 'b', weights: [0, 20, 20, 40, 20, 60], phase: 'Succeeded' },
        { name: 'c', weights: [0, 20, 60], phase: 'Succeeded' },
        { name: 'd', weights: [0, 20, 0], phase: 'Failed' },
      ],
      STEPS,
    );
    expect(faults).toEqual({ duplicate: ['b'], skipped: ['c'] });
  });
});
