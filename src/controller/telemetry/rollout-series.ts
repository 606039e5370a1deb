import { Counter, Gauge, Histogram, type MetricValue, type Registry } from 'prom-client';
import { Phase, type Rollout } from '../../api/types.gen.js';

const LABELS = ['namespace', 'rollout'] as const;
const OUTCOMES = ['promoted', 'rolled-back'] as const;
/** The phases of a release under way, when its duration series must exist at 0. */
const RELEASING: ReadonlySet<Phase> = new Set<Phase>(['Waiting', 'Progressing', 'WaitingPromotion', 'Promoting', 'Finalising']);

/**
 * Per-Rollout figures on /metrics. The gauges are read from the informer
 * cache at scrape time, so every replica reports the same current values and
 * a deleted Rollout's series disappear. The counters and the duration count
 * transitions, recorded only by the tick whose status write won: summed over
 * replicas they count each promotion and rollback once.
 *
 * Every series a counter or the histogram writes is first written out at 0
 * (a series that starts at 1 hides its first increase from increase() and the
 * dashboards' annotations). The counters start at the first scrape that sees
 * the Rollout; the duration histogram (two outcomes of 11 buckets) only at a scrape
 * that sees it releasing, so that idle Rollouts cost none (1.5 kB each,
 * 15 MB at 10,000; docs/benchmarks.md).
 */
export class RolloutMetrics {
  private readonly promotions: Counter<'namespace' | 'rollout'>;
  private readonly rollbacks: Counter<'namespace' | 'rollout'>;
  private readonly duration: Histogram<'namespace' | 'rollout' | 'outcome'>;
  private readonly counted = new Set<string>();
  private readonly timed = new Set<string>();

  constructor(registry: Registry, rollouts: () => readonly Rollout[]) {
    const registers = [registry];
    // First on the page: its collect starts the counters at 0 before they are written out.
    gauge(registry, 'flowshift_rollout_info', 'Always 1; labels name the target Deployment and the revision being released.', ['target', 'revision'], rollouts, (r, set) => {
      this.ensureSeries(r, RELEASING.has(r.status?.phase ?? 'Initializing'));
      set({ target: r.spec.targetRef.name, revision: (r.status?.lastAppliedSpec ?? '').slice(0, 10) }, 1);
    });
    this.promotions = new Counter({ name: 'flowshift_rollout_promotions_total', help: 'Releases promoted.', labelNames: LABELS, registers });
    this.rollbacks = new Counter({ name: 'flowshift_rollout_rollbacks_total', help: 'Releases rolled back.', labelNames: LABELS, registers });
    this.duration = new Histogram({
      name: 'flowshift_rollout_release_duration_seconds',
      help: 'Time from the start of a release to its promotion or rollback.',
      labelNames: [...LABELS, 'outcome'] as const,
      buckets: [10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400],
      registers,
    });
    gauge(registry, 'flowshift_rollout_canary_weight', 'Percent of live traffic routed to the canary.', [], rollouts, (r, set) => set({}, r.status?.canaryWeight ?? 0));
    gauge(registry, 'flowshift_rollout_mirror_weight', 'Percent of live traffic mirrored to the canary.', [], rollouts, (r, set) => set({}, r.status?.mirrorWeight ?? 0));
    gauge(registry, 'flowshift_rollout_failed_checks', 'Failed checks in the current release.', [], rollouts, (r, set) => set({}, r.status?.failedChecks ?? 0));
    // The phase it is in only: a series at 0 for each other phase would be 10 more a Rollout on every scrape and in Prometheus.
    gauge(registry, 'flowshift_rollout_phase', '1, for the phase the Rollout is in (no series for the others).', ['phase'], rollouts, (r, set) => set({ phase: r.status?.phase ?? Phase.Initializing }, 1));
    gauge(registry, 'flowshift_rollout_analysis_value', 'Last measured value of each analysis metric for the canary.', ['metric'], rollouts, (r, set) => {
      for (const a of r.status?.analysis ?? []) if (a.value !== undefined) set({ metric: a.name }, a.value);
    });
    gauge(registry, 'flowshift_rollout_analysis_passed', '1 when the metric\'s last check passed, else 0.', ['metric'], rollouts, (r, set) => {
      for (const a of r.status?.analysis ?? []) set({ metric: a.name }, a.passed ? 1 : 0);
    });
    gauge(registry, 'flowshift_rollout_analysis_threshold', 'Bounds of each analysis metric (bound: min or max).', ['metric', 'bound'], rollouts, (r, set) => {
      for (const m of r.spec.analysis?.metrics ?? []) {
        if (m.thresholdRange?.min !== undefined) set({ metric: m.name, bound: 'min' }, m.thresholdRange.min);
        if (m.thresholdRange?.max !== undefined) set({ metric: m.name, bound: 'max' }, m.thresholdRange.max);
      }
    });
  }

  /** Counts a promotion or rollback; call once per won status write. */
  recordTransition(before: Rollout, after: Rollout, now: Date): void {
    this.ensureSeries(after, true);
    const from = before.status?.phase;
    const to = after.status?.phase;
    if (from === to || (to !== 'Succeeded' && to !== 'Failed')) return;
    const labels = labelsOf(after);
    (to === 'Succeeded' ? this.promotions : this.rollbacks).inc(labels);
    // The Promoted condition turned Unknown when the release started, and keeps that time until it ends.
    const started = before.status?.conditions?.find((c) => c.type === 'Promoted' && c.status === 'Unknown')?.lastTransitionTime;
    if (started) this.duration.observe({ ...labels, outcome: to === 'Succeeded' ? OUTCOMES[0] : OUTCOMES[1] }, Math.max(0, (now.getTime() - Date.parse(started)) / 1000));
  }

  private ensureSeries(r: Rollout, releasing: boolean): void {
    const labels = labelsOf(r);
    const key = `${labels.namespace}/${labels.rollout}`;
    if (!this.counted.has(key)) {
      this.counted.add(key);
      this.promotions.inc(labels, 0);
      this.rollbacks.inc(labels, 0);
    }
    if (releasing && !this.timed.has(key)) {
      this.timed.add(key);
      for (const outcome of OUTCOMES) this.duration.zero({ ...labels, outcome });
    }
  }
}

function labelsOf(r: Rollout): { namespace: string; rollout: string } {
  return { namespace: r.metadata.namespace ?? 'default', rollout: r.metadata.name ?? '' };
}

type Setter = (labels: Record<string, string>, value: number) => void;

/**
 * A gauge whose values are read from the informer cache when /metrics is
 * read, and held nowhere in between. It hands prom-client its values as
 * they are read, not through set(): set() validates and hashes every label
 * set into the gauge's map, a third of a scrape's CPU profile at 10,000
 * Rollouts (`npm run bench:scrape` prints what a scrape costs).
 */
class ScrapeTimeGauge<T extends string> extends Gauge<T> {
  constructor(
    configuration: { name: string; help: string; labelNames: readonly T[]; registers: Registry[] },
    private readonly rollouts: () => readonly Rollout[],
    private readonly read: (r: Rollout, set: Setter) => void,
  ) {
    super(configuration);
  }

  override async get(): ReturnType<Gauge<T>['get']> {
    const values: MetricValue<T>[] = [];
    for (const r of this.rollouts()) {
      const own = labelsOf(r);
      // The label names are this gauge's own (LABELS and its extra ones), which prom-client's set() would check.
      this.read(r, (labels, value) => values.push({ labels: { ...own, ...labels } as MetricValue<T>['labels'], value }));
    }
    // Name, help, type and aggregator as prom-client gives them; its own values (none: set() is never called) replaced.
    return { ...(await super.get()), values };
  }
}

function gauge(registry: Registry, name: string, help: string, extra: readonly string[], rollouts: () => readonly Rollout[], read: (r: Rollout, set: Setter) => void): void {
  new ScrapeTimeGauge({ name, help, labelNames: [...LABELS, ...extra], registers: [registry] }, rollouts, read);
}
