import { describe, expect, it } from 'vitest';
import { format, formatTable, mark, summary, targetRow, type ScenarioReport } from '../../bench/report.js';

describe('targetRow', () => {
  it('marks a figure against its target by the comparison the issue states', () => {
    expect(targetRow('lag', 249, '<', 250, ' ms').pass).toBe(true);
    expect(targetRow('lag', 250, '<', 250, ' ms').pass).toBe(false);
    expect(targetRow('rss', 80, '<=', 80, ' MB').pass).toBe(true);
    expect(targetRow('idle', 0, '==', 0, '').pass).toBe(true);
    expect(targetRow('idle', 0.5, '==', 0, '').pass).toBe(false);
    expect(targetRow('ticks', 9.9, '>=', 10, '').pass).toBe(false);
  });

  it('writes the target with its unit, and the measured value unless given', () => {
    expect(targetRow('rss', 81.26, '<=', 80, ' MB')).toEqual({ figure: 'rss', measured: '81.3 MB', target: '≤ 80 MB', pass: false });
    expect(targetRow('steps', 1, '==', 0, '', '1 duplicate, 0 skipped').measured).toBe('1 duplicate, 0 skipped');
  });

  it('never passes a value that is not a number', () => {
    expect(targetRow('writes', NaN, '<=', 14, '').pass).toBe(false);
  });
});

describe('format', () => {
  it('gives small numbers two decimals, tens one, hundreds and whole numbers none', () => {
    expect([format(1.234), format(12.34), format(123.4), format(14)]).toEqual(['1.23', '12.3', '123', '14']);
  });
});

describe('formatTable', () => {
  const reports: ScenarioReport[] = [
    {
      scenario: '1 Rollout',
      command: 'npm run bench:engine -- --rollouts 1',
      rows: [targetRow('RSS', 70, '<=', 80, ' MB'), { figure: 'wall time', measured: '12 s' }],
    },
    { scenario: '1000 idle', command: 'npm run bench:engine -- --idle', rows: [targetRow('requests/min', 3, '==', 0, '')] },
  ];

  it('prints one aligned Markdown row per figure with its target and a pass or MISS mark, and the commands below', () => {
    expect(formatTable(reports).split('\n')).toEqual([
      '| scenario  | figure       | measured | target  |      |',
      '| --------- | ------------ | -------- | ------- | ---- |',
      '| 1 Rollout | RSS          | 70 MB    | ≤ 80 MB | pass |',
      '|           | wall time    | 12 s     |         |      |',
      '| 1000 idle | requests/min | 3        | = 0     | MISS |',
      '',
      '- 1 Rollout: `npm run bench:engine -- --rollouts 1`',
      '- 1000 idle: `npm run bench:engine -- --idle`',
      '',
    ]);
  });

  it('sums up how many figures meet their target and names the missed ones', () => {
    expect(summary(reports)).toBe('1/2 figures meet their target; MISS: 1000 idle: requests/min');
  });

  it('leaves the mark empty for a figure without a target', () => {
    expect(mark({ figure: 'x', measured: '1' })).toBe('');
  });
});
