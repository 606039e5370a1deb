import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBacktest, timeOf } from '../../src/cli/backtest.js';
import { ROLLOUT_YAML } from '../analysis/backtest/history.js';

const dir = mkdtempSync(join(tmpdir(), 'flowshift-backtest-cli-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const now = new Date('2026-12-03T12:00:00Z');
/** Nothing listens here: every case below is refused before any query. */
const prometheus = 'http://127.0.0.1:9';
const run = (target: string, options: Record<string, string>): Promise<number> => runBacktest(target, { since: '7d', ...options }, () => undefined, now);

describe('kubectl flowshift backtest refuses what it cannot run, naming the flag or field and the fix', () => {
  it('reads --since and --until as a time before now or an RFC 3339 time', () => {
    expect(timeOf('7d', now, '--since').toISOString()).toBe('2026-11-26T12:00:00.000Z');
    expect(timeOf('90m', now, '--since').toISOString()).toBe('2026-12-03T10:30:00.000Z');
    expect(timeOf('2026-12-01T00:00:00Z', now, '--until').toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(() => timeOf('last week', now, '--since')).toThrow('--since "last week": use a time before now (7d, 36h, 90m) or an RFC 3339 time (2026-11-26T12:00:00Z)');
  });

  it('refuses a Rollout file the API server would refuse, with lint\'s problems at their lines', async () => {
    const broken = file('broken.yaml', ROLLOUT_YAML.replace('      - name: request-duration\n        thresholdRange:\n          max: 500\n', '      - name: request-duration\n        errorBudget:\n          objective: 99.9\n'));
    await expect(run(broken, { prometheus })).rejects.toThrow(/would not be accepted as written[\s\S]*broken\.yaml:\d+ spec\.analysis\.metrics\[1\]\.errorBudget: errorBudget only applies to the built-in metric error-budget-burn/);
  });

  it('refuses to guess the Prometheus of metrics without a template', async () => {
    const ok = file('rollout.yaml', ROLLOUT_YAML);
    const saved = process.env['PROMETHEUS_URL'];
    delete process.env['PROMETHEUS_URL'];
    try {
      await expect(run(ok, {})).rejects.toThrow(/request-success-rate, request-duration, error-budget-burn read the Prometheus .* --prometheus URL \(or PROMETHEUS_URL\)/);
    } finally {
      if (saved !== undefined) process.env['PROMETHEUS_URL'] = saved;
    }
  });

  it('refuses a window longer than Prometheus answers in one range query', async () => {
    const ok = file('rollout.yaml', ROLLOUT_YAML);
    await expect(run(ok, { prometheus, since: '30d' })).rejects.toThrow('the window holds 21600 analysis intervals of 120s, and Prometheus answers at most 11000 points per range query: shorten it to 366h or less');
  });

  it('refuses a workload name that is not one, and a file with two Rollouts', async () => {
    const ok = file('rollout.yaml', ROLLOUT_YAML);
    await expect(run(ok, { prometheus, against: 'Podinfo Canary' })).rejects.toThrow('--against "Podinfo Canary": use canary, primary or the name of a workload');
    const two = file('two.yaml', `${ROLLOUT_YAML}---\n${ROLLOUT_YAML.replace('name: podinfo\n  namespace', 'name: other\n  namespace').replace('name: podinfo\n  service', 'name: other\n  service')}`);
    await expect(run(two, { prometheus })).rejects.toThrow(`${two} holds 2 Rollouts: backtest takes a file with exactly one`);
  });
});
