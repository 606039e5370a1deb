// npm run bench:scrape [-- --rollouts 10000 --scrapes 5 --releasing 0]
//
// What one read of /metrics costs the controller with N Rollouts in its
// cache: the page's size and lines, the time to build it, and the heap it
// takes while it is built. The per-Rollout series are built from the cache at
// each scrape (src/controller/telemetry/rollout-series.ts), so at 10,000
// Rollouts the page is the largest thing an idle controller makes, every
// scrape interval. No cluster: the Rollouts are made up, each with a
// two-metric analysis; --releasing gives that share of them a release
// under way (its duration histogram then exists).
import { parseArgs } from 'node:util';
import { Registry } from 'prom-client';
import { readArguments, usage, wholeNumber } from './cli.js';
import { percentile } from './stats.js';
import type { Rollout } from '../src/api/types.gen.js';
import { RolloutMetrics } from '../src/controller/telemetry/rollout-series.js';

const NAME = 'npm run bench:scrape';
const OPTIONS = {
  rollouts: { type: 'string', default: '10000' },
  scrapes: { type: 'string', default: '5' },
  releasing: { type: 'string', default: '0' },
} as const;
const HELP = usage(
  NAME,
  'Builds the /metrics page of a controller holding N Rollouts, and prints its size, the time to build it and the heap it takes.',
  {
    rollouts: { value: '<n>', text: 'Rollouts in the cache' },
    scrapes: { value: '<n>', text: 'pages built (the first warms up; figures are of the others)' },
    releasing: { value: '<percent>', text: 'share of the Rollouts with a release under way' },
  },
  OPTIONS,
);

const { rollouts, scrapes, releasing } = readArguments(NAME, HELP, (args) => {
  const { values } = parseArgs({ args, options: OPTIONS });
  const releasing = wholeNumber('releasing', values.releasing, 0);
  if (releasing > 100) throw new Error(`--releasing ${values.releasing}: expected a percent, 0 to 100`);
  return { rollouts: wholeNumber('rollouts', values.rollouts, 1), scrapes: wholeNumber('scrapes', values.scrapes, 2), releasing };
});

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error(`${NAME} needs node --expose-gc (the npm script passes it)`);

function madeUp(i: number): Rollout {
  const inRelease = i < (rollouts * releasing) / 100;
  return {
    apiVersion: 'flowshift.io/v1alpha1',
    kind: 'Rollout',
    metadata: { namespace: `team-${i % 50}`, name: `service-${i}`, uid: `uid-${i}` },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: `service-${i}` },
      service: { port: 9898 },
      strategy: { canary: { stepWeights: [10, 30, 50] } },
      analysis: { interval: '1m', threshold: 2, metrics: [{ name: 'request-success-rate', thresholdRange: { min: 99 } }, { name: 'request-duration', thresholdRange: { max: 500 } }] },
    },
    status: inRelease
      ? { phase: 'Progressing', canaryWeight: 30, failedChecks: 0, lastAppliedSpec: 'a1b2c3d4e5f60718', analysis: [{ name: 'request-success-rate', value: 99.9, passed: true, message: '', time: '2026-12-03T10:00:00Z' }] }
      : { phase: 'Initialized', canaryWeight: 0, failedChecks: 0, lastAppliedSpec: 'a1b2c3d4e5f60718' },
  };
}

const cache = Array.from({ length: rollouts }, (_, i) => madeUp(i));
const registry = new Registry();
new RolloutMetrics(registry, () => cache);
const mb = (bytes: number): number => bytes / 2 ** 20;

const times: number[] = [];
const heapGrowth: number[] = [];
let page = '';
for (let n = 0; n < scrapes; n++) {
  gc();
  const before = process.memoryUsage().heapUsed;
  const start = performance.now();
  page = await registry.metrics();
  const elapsed = performance.now() - start;
  // Garbage included: what the heap must make room for, less what a scavenge freed on the way.
  const grown = process.memoryUsage().heapUsed - before;
  if (n > 0) {
    times.push(elapsed);
    heapGrowth.push(grown);
  }
}
gc();
const retained = process.memoryUsage().heapUsed;

const rows: [string, string][] = [
  ['Rollouts in the cache', `${rollouts} (${releasing}% releasing)`],
  ['/metrics page', `${mb(Buffer.byteLength(page)).toFixed(1)} MB, ${page.split('\n').filter((l) => l && !l.startsWith('#')).length} series`],
  [`time to build it, median of ${times.length}`, `${percentile(times, 50).toFixed(0)} ms`],
  ['heap grown while building it, median', `${mb(percentile(heapGrowth, 50)).toFixed(0)} MB`],
  ['heap held after a collection (the cache and the counters)', `${mb(retained).toFixed(0)} MB`],
];
const width = Math.max(...rows.map(([k]) => k.length));
process.stdout.write(`${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')}\n`);
