import { describe, expect, it } from 'vitest';
import { humanDuration } from '../../src/cli/age.js';
import { renderRolloutTable } from '../../src/cli/get-view.js';
import { columns } from './columns.js';
import { REV_NEW, progressing, shopRollout } from './fixtures.js';

const NOW = new Date('2026-11-22T10:00:00Z');

describe('the table of get', () => {
  it('has the columns of kubectl get rollouts -o wide, with STEP after WEIGHT, blank where a field is missing', () => {
    const lines = renderRolloutTable(
      [
        shopRollout(progressing, { strategy: { canary: { stepWeights: [10, 20, 40, 80], mirror: { percentage: 50 } } } }),
        shopRollout({ phase: 'Succeeded', strategy: 'canary', canaryWeight: 0, failedChecks: 0, lastAppliedSpec: REV_NEW, lastTransitionTime: '2026-11-20T10:00:00Z' }, { strategy: { canary: { stepWeight: 20 } } }, 'backend'),
      ],
      { allNamespaces: false, now: NOW },
    );
    expect(lines).toEqual([
      'NAME      PHASE         WEIGHT   STEP   FAILEDCHECKS   STRATEGY   LASTTRANSITIONTIME   INTERVAL   STEPWEIGHTS     MIRROR   MESSAGE',
      'backend   Succeeded     0               0              canary     2d                   30s',
      'podinfo   Progressing   20       2/4    1              canary     5m                   30s        [10,20,40,80]   50       advanced canary weight to 20%',
    ]);
  });

  it('adds NAMESPACE first across all namespaces, and shows a Rollout without status', () => {
    const other = { ...shopRollout(undefined, {}, 'api'), metadata: { name: 'api', namespace: 'billing' } };
    const rows = columns(renderRolloutTable([shopRollout(progressing), other], { allNamespaces: true, now: NOW }).join('\n'));
    expect(rows).toEqual([
      {
        NAMESPACE: 'billing', NAME: 'api', PHASE: '', WEIGHT: '', STEP: '', FAILEDCHECKS: '', STRATEGY: '', LASTTRANSITIONTIME: '',
        INTERVAL: '30s', STEPWEIGHTS: '[10,20,40,80]', MIRROR: '', MESSAGE: '',
      },
      expect.objectContaining({ NAMESPACE: 'shop', NAME: 'podinfo', STEP: '2/4' }),
    ]);
  });
});

describe('ages as kubectl prints them', () => {
  it.each([
    [-5_000, '<invalid>'],
    [-500, '0s'],
    [45_000, '45s'],
    [119_000, '119s'],
    [310_000, '5m10s'],
    [300_000, '5m'],
    [45 * 60_000, '45m'],
    [(3 * 60 + 20) * 60_000, '3h20m'],
    [30 * 3_600_000, '30h'],
    [(3 * 24 + 5) * 3_600_000, '3d5h'],
    [40 * 24 * 3_600_000, '40d'],
    [(3 * 365 + 10) * 24 * 3_600_000, '3y10d'],
    [9 * 365 * 24 * 3_600_000, '9y'],
  ])('%i ms is %s', (ms, text) => expect(humanDuration(ms)).toBe(text));
});
