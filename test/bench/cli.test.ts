import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { usage, wholeNumber } from '../../bench/cli.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Runs a benchmark entry point as `npm run` does, with the given arguments; nothing starts when they are bad. */
function bench(script: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('wholeNumber', () => {
  it('reads a whole number at or above its minimum, and names the option of anything else', () => {
    expect(wholeNumber('top', '25', 1)).toBe(25);
    expect(wholeNumber('seed', '-3')).toBe(-3);
    expect(() => wholeNumber('top', '0', 1)).toThrow('--top 0: expected a whole number ≥ 1');
    expect(() => wholeNumber('seed', '1.5')).toThrow('--seed 1.5: expected a whole number');
  });
});

describe('the benchmark command lines', () => {
  it('lists each option with its placeholder and default', () => {
    const text = usage('npm run bench:x', 'Does x.', { rollouts: { value: '<n>', text: 'Rollouts at once' }, idle: { text: 'nothing to do' } }, { rollouts: { type: 'string', default: '200' }, idle: { type: 'boolean', default: false } });
    expect(text).toBe(
      'Usage: npm run bench:x [-- options]\n\nDoes x.\n\nOptions:\n' +
        '  --rollouts <n>  Rollouts at once (default 200)\n' +
        '  --idle          nothing to do\n' +
        '  --help          this text\n',
    );
  });

  it('bench:judge prints one row per case of its study, and refuses a bad value naming it', () => {
    const run = bench('bench/judge.ts', '--releases', '20');
    expect(run.status).toBe(0);
    const rows = run.stdout.split('\n').filter((line) => /^\| (good|\+)/.test(line));
    expect(rows).toHaveLength(24);
    expect(rows[0]).toMatch(/^\| good +\| 5% +\| 10\/s/);
    const bad = bench('bench/judge.ts', '--interval', '0');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--interval 0: expected seconds above 0');
    const heap = bench('bench/heap.ts', 'some.heapsnapshot', '--top', 'x');
    expect(heap.status).toBe(2);
    expect(heap.stderr).toContain('--top x: expected a whole number ≥ 1');
  });

  it('bench:scrape prints the page a controller of N Rollouts serves, and refuses a share above 100%', () => {
    const run = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', 'bench/scrape.ts', '--rollouts', '10', '--scrapes', '2', '--releasing', '50'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^Rollouts in the cache +10 \(50% releasing\)$/m);
    // Per Rollout: info, phase, canary and mirror weights, failed checks, two bounds, two counters (9); a release
    // under way adds its checked metric's value and verdict (2) and two outcomes of duration histogram (28).
    expect(run.stdout).toMatch(/^\/metrics page +[\d.]+ MB, 240 series$/m);
    const bad = bench('bench/scrape.ts', '--releasing', '101');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--releasing 101: expected a percent, 0 to 100');
  });

  it('bench:engine --help names every option, and exits 0', () => {
    const run = bench('bench/engine.ts', '--help');
    expect(run.status).toBe(0);
    for (const option of ['--rollouts <n>', '--interval <duration>', '--replicas <n>', '--idle ', '--node-args']) expect(run.stdout).toContain(option);
  });

  it('bench:engine refuses an unknown option and a bad value in one line each, exit 2, before starting anything', () => {
    const unknown = bench('bench/engine.ts', '--rolouts', '5');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/^npm run bench:engine: Unknown option '--rolouts'.*\nSee: npm run bench:engine -- --help\n$/s);
    const bad = bench('bench/engine.ts', '--rollouts', 'many');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--rollouts many: expected a whole number ≥ 1');
    expect(bad.stderr).not.toContain('    at ');
    expect(bench('bench/engine.ts', '--interval', '5').stderr).toContain('--interval 5: a duration is a number and a unit (ms, s, m, h), e.g. 10s');
  });

  it('bench:targets refuses a scenario it does not have, naming the ones it has', () => {
    const run = bench('bench/targets.ts', '--only', 'one,2000');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--only 2000: no such scenario (one, 200, 500, 1000, idle, replicas, idle10k, replicas1000)');
  });
});
