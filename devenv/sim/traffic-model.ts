import { defaultLatencyBuckets, LatencyDistribution, type LatencyQuantiles } from './latency.js';
import { ALL_PRIMARY, Version, VERSIONS, type TrafficSplit } from './traffic-split.js';
import { WorkloadCounters, type WorkloadCountsView } from './workload-counters.js';

/** How one version answers requests. */
export interface VersionBehaviour {
  /** Share of requests answered with 5xx, 0..1. */
  readonly errorRate: number;
  readonly latencyMs: LatencyQuantiles;
}

export interface VersionBehaviourUpdate {
  readonly errorRate?: number;
  readonly latencyMs?: Partial<LatencyQuantiles>;
}

export const DEFAULT_BEHAVIOUR: VersionBehaviour = { errorRate: 0, latencyMs: { p50: 20, p99: 100 } };
export const DEFAULT_REQUESTS_PER_SECOND = 100;

export interface TrafficModelOptions {
  readonly requestsPerSecond?: number;
  readonly primary?: VersionBehaviourUpdate;
  readonly canary?: VersionBehaviourUpdate;
  /** Histogram bounds in ms; see defaultLatencyBuckets. */
  readonly buckets?: readonly number[];
  /** Milliseconds since some epoch; Date.now by default. */
  readonly now?: () => number;
}

interface VersionState {
  behaviour: VersionBehaviour;
  latency: LatencyDistribution;
  readonly counters: WorkloadCounters;
}

/**
 * The request flow of one service: a rate split over primary and canary by
 * the current TrafficSplit, counted continuously in time. Every change (rate,
 * split, behaviour) first settles the traffic up to now under the old
 * settings, so a change applies from the moment it is made.
 */
export class TrafficModel {
  private rate: number;
  private current: TrafficSplit = ALL_PRIMARY;
  private last: number;
  private readonly now: () => number;
  private readonly versions: Record<Version, VersionState>;

  constructor(options: TrafficModelOptions = {}) {
    this.now = options.now ?? Date.now;
    this.last = this.now();
    this.rate = checkRate(options.requestsPerSecond ?? DEFAULT_REQUESTS_PER_SECOND);
    const buckets = [...(options.buckets ?? defaultLatencyBuckets())].sort((a, b) => a - b);
    const state = (update: VersionBehaviourUpdate | undefined): VersionState => {
      const behaviour = merge(DEFAULT_BEHAVIOUR, update ?? {});
      return { behaviour, latency: new LatencyDistribution(behaviour.latencyMs), counters: new WorkloadCounters(buckets) };
    };
    this.versions = { primary: state(options.primary), canary: state(options.canary) };
  }

  get requestsPerSecond(): number {
    return this.rate;
  }

  split(): TrafficSplit {
    return this.current;
  }

  behaviour(version: Version): VersionBehaviour {
    return this.versions[version].behaviour;
  }

  /** Counts the requests served since the last call. */
  advance(): void {
    const now = this.now();
    const seconds = Math.max(0, now - this.last) / 1000;
    this.last = now;
    if (seconds === 0 || this.rate === 0) return;
    for (const version of VERSIONS) {
      const state = this.versions[version];
      const requests = this.rate * seconds * (this.current.live[version] + this.current.mirrored[version]);
      state.counters.record(requests, state.behaviour.errorRate, state.latency);
    }
  }

  setSplit(split: TrafficSplit): void {
    this.advance();
    this.current = split;
  }

  setRate(requestsPerSecond: number): void {
    const rate = checkRate(requestsPerSecond);
    this.advance();
    this.rate = rate;
  }

  setVersion(version: Version, update: VersionBehaviourUpdate): void {
    const behaviour = merge(this.versions[version].behaviour, update);
    const latency = new LatencyDistribution(behaviour.latencyMs);
    this.advance();
    this.versions[version] = { ...this.versions[version], behaviour, latency };
  }

  counts(version: Version): WorkloadCountsView {
    this.advance();
    return this.versions[version].counters;
  }
}

function merge(base: VersionBehaviour, update: VersionBehaviourUpdate): VersionBehaviour {
  const errorRate = update.errorRate ?? base.errorRate;
  if (!(errorRate >= 0 && errorRate <= 1)) throw new RangeError(`errorRate must be between 0 and 1, got ${errorRate}`);
  return { errorRate, latencyMs: { ...base.latencyMs, ...update.latencyMs } };
}

function checkRate(requestsPerSecond: number): number {
  if (!(requestsPerSecond >= 0) || !Number.isFinite(requestsPerSecond)) {
    throw new RangeError(`request rate must be a non-negative number per second, got ${requestsPerSecond}`);
  }
  return requestsPerSecond;
}
