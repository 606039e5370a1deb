import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BenchCluster, type Controller } from './cluster.js';
import { idleRows, startUpRows, latencyRow, releaseRows, ticksPerSecond } from './figures.js';
import { Meter, type Window } from './measure.js';
import { format, targetRow, type ScenarioReport } from './report.js';
import { memoryParts } from './stats.js';
import { countFaults } from './steps.js';
import { log, STEPS, Workload, type WorkloadOptions } from './workload.js';

export interface ScenarioOptions extends WorkloadOptions {
  /** Controller processes sharing one Redis and queue; above 1, a release with one replica comes first, for comparison. */
  readonly replicas: number;
  readonly idle: boolean;
  /** Idle mode: how long to count requests (ms). */
  readonly idleWindowMs: number;
  readonly concurrency: number;
  /** Controllers log every tick (exact tick lag percentiles, at a cost to the controller). */
  readonly debugLog: boolean;
  /** Node flags for the controllers, before dist/main.js. */
  readonly nodeArgs: readonly string[];
  /** The command line that reproduces the run, for the report. */
  readonly command: string;
}

/** Runs one scenario on a fresh environment and returns its figures. */
export function runScenario(options: ScenarioOptions): Promise<ScenarioReport> {
  return BenchCluster.run(async (cluster) => {
    if (options.idle) return idle(cluster, options);
    if (options.replicas > 1) return replicas(cluster, options);
    return single(cluster, options);
  });
}

async function setUp(cluster: BenchCluster, options: ScenarioOptions, resyncInterval: string): Promise<Workload> {
  const workload = await Workload.create(cluster, options);
  await cluster.startController({ namespace: 'bench', concurrency: options.concurrency, resyncInterval, debugLog: options.debugLog, nodeArgs: options.nodeArgs });
  await workload.waitInitialized();
  // The tick that writes Initialized scales the target down and records its Event after the status: let those land before anything is counted.
  log(`all Initialized; letting ticks in flight settle for ${settleMs(options) / 1000} s`);
  await new Promise((r) => setTimeout(r, settleMs(options)));
  return workload;
}

function settleMs(options: ScenarioOptions): number {
  return Math.max(5000, parseSeconds(options.interval) * 1000);
}

async function single(cluster: BenchCluster, options: ScenarioOptions): Promise<ScenarioReport> {
  const workload = await setUp(cluster, options, '30s');
  const measured = await release(cluster, workload, 'podinfo:2');
  return { scenario: title(options), command: options.command, rows: releaseRows(measured.window, measured.facts) };
}

/** One replica releases first (the baseline), then N replicas on the same queue release the next image. */
async function replicas(cluster: BenchCluster, options: ScenarioOptions): Promise<ScenarioReport> {
  const workload = await setUp(cluster, options, '30s');
  log('baseline: one replica');
  const one = await release(cluster, workload, 'podinfo:2');
  log(`starting ${options.replicas - 1} more replicas on the same Redis and queue`);
  for (let i = 1; i < options.replicas; i++) {
    await cluster.startController({ namespace: 'bench', concurrency: options.concurrency, resyncInterval: '30s', debugLog: options.debugLog, nodeArgs: options.nodeArgs });
  }
  const many = await release(cluster, workload, 'podinfo:3');
  const baseline = ticksPerSecond(one.window, one.facts.releaseSeconds);
  // Below saturation ticks per second follow the schedule, not capacity: the baseline's lag tells which it was.
  const rows = [
    latencyRow('tick lag, one replica', one.window.logLagMs, one.window.lag),
    { figure: 'ticks per second, one replica', measured: format(baseline) },
    targetRow(`ticks per second, ${options.replicas} replicas`, ticksPerSecond(many.window, many.facts.releaseSeconds), '>=', Number(format(baseline)), ''),
    ...releaseRows(many.window, many.facts).filter((r) => !r.figure.startsWith('ticks per second')),
  ];
  return { scenario: title(options), command: options.command, rows };
}

async function idle(cluster: BenchCluster, options: ScenarioOptions): Promise<ScenarioReport> {
  // The resync wakes every Rollout by design: keep it out of the window.
  const resyncMs = Math.max(600_000, options.idleWindowMs * 2);
  await setUp(cluster, options, `${Math.ceil(resyncMs / 1000)}s`);
  const startUp = await restart(cluster, options, `${Math.ceil(resyncMs / 1000)}s`);
  await new Promise((r) => setTimeout(r, settleMs(options)));
  const meter = new Meter(cluster);
  try {
    const before = await meter.snapshot();
    log(`counting requests and queries for ${options.idleWindowMs / 1000} s`);
    for (let left = options.idleWindowMs; left > 0; left -= 15_000) {
      await new Promise((r) => setTimeout(r, Math.min(left, 15_000)));
      log(`idle window: ${Math.round((options.idleWindowMs - Math.max(0, left - 15_000)) / 1000)}/${options.idleWindowMs / 1000} s`);
    }
    const window = await meter.since(before);
    const controller = cluster.controllers[0];
    const parts = controller && memoryParts(controller.process.pid, await (await fetch(controller.metricsUrl)).text());
    // Every mapping, for reading where the RSS is when the environment is kept for inspection.
    // (copyFileSync copies nothing of a /proc file: its size is 0 to stat.)
    if (controller && process.env['FLOWSHIFT_KEEP_ENV']) writeFileSync(join(cluster.environment.info.dir, 'controller-smaps.txt'), readFileSync(`/proc/${controller.process.pid}/smaps`));
    return { scenario: title(options), command: options.command, rows: [...startUpRows(startUp), ...idleRows(window, options.rollouts, cluster.controllers.map((c) => c.rss), parts)] };
  } finally {
    await meter.close();
  }
}

/**
 * The controller's start-up on Rollouts it already initialized, as after a
 * restart or an upgrade: a fresh process (the one that initialized them is
 * stopped) until it answers /readyz (informers listed, ticks taken), and its
 * peak RSS meanwhile.
 */
async function restart(cluster: BenchCluster, options: ScenarioOptions, resyncInterval: string): Promise<{ seconds: number; peakRssMb: number }> {
  await cluster.stopControllers();
  log('restarting the controller on the Initialized Rollouts');
  const t0 = Date.now();
  const controller = await cluster.startController({ namespace: 'bench', concurrency: options.concurrency, resyncInterval, debugLog: options.debugLog, nodeArgs: options.nodeArgs, readyTimeoutMs: 600_000 });
  const seconds = (Date.now() - t0) / 1000;
  log(`ready after ${seconds.toFixed(1)} s`);
  return { seconds, peakRssMb: controller.rss.max };
}

/** Releases `image` on every Deployment, waits for every Rollout to finish, and measures the window. */
async function release(cluster: BenchCluster, workload: Workload, image: string): Promise<{ window: Window; facts: Parameters<typeof releaseRows>[1] }> {
  const meter = new Meter(cluster);
  try {
    const before = await meter.snapshot();
    resetPeaks(cluster.controllers);
    const t0 = Date.now();
    const benchWrites = await workload.release(image);
    await workload.waitReleased();
    const releaseSeconds = (Date.now() - t0) / 1000;
    const window = await meter.since(before);
    const eventsByReason = await workload.eventsByReason(t0);
    const faults = countFaults(workload.recorder.records(), STEPS);
    if (faults.duplicate.length || faults.skipped.length) log(`steps wrong: duplicate ${faults.duplicate.slice(0, 10).join(', ')}; skipped ${faults.skipped.slice(0, 10).join(', ')}`);
    return {
      window,
      facts: {
        rollouts: workload.names.length,
        failing: workload.failing.size,
        releaseSeconds,
        benchWrites,
        releaseDurations: workload.releaseDurations(),
        eventsByReason,
        intervalSeconds: parseSeconds(workload.interval),
        rss: cluster.controllers.map((c) => ({ ...c.rss })),
        duplicateSteps: faults.duplicate.length,
        skippedSteps: faults.skipped.length,
        unexpectedEndStates: workload.unexpectedEndStates(),
      },
    };
  } finally {
    await meter.close();
  }
}

function resetPeaks(controllers: readonly Controller[]): void {
  for (const c of controllers) c.rss.max = c.rss.last;
}

function title(o: ScenarioOptions): string {
  if (o.idle) return `${o.rollouts} idle Rollouts`;
  const who = o.replicas > 1 ? `${o.replicas} replicas` : 'one replica';
  return `${o.rollouts} Rollout${o.rollouts === 1 ? '' : 's'} at ${o.interval}, ${who}`;
}

/** "10s", "2m", "500ms" in seconds. */
export function parseSeconds(duration: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(duration);
  if (!match) throw new Error(`${duration}: a duration is a number and a unit (ms, s, m, h), e.g. 10s`);
  return Number(match[1]) * { ms: 0.001, s: 1, m: 60, h: 3600 }[match[2] as 'ms' | 's' | 'm' | 'h'];
}
