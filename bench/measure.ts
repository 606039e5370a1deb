import { apiServerScraper, deltaBy, histogramDelta, notController, prometheusQueries, scrape, WRITE_VERBS, type Sample } from './api-metrics.js';
import { countAudit, fileSize, linesBetween, type AuditCounts } from './audit.js';
import { CONTROLLER_USER, type BenchCluster } from './cluster.js';
import type { Bucket } from './stats.js';

/** Every counter the benchmark reads, at one moment. */
export interface Snapshot {
  readonly at: number;
  readonly controllers: readonly Sample[][];
  readonly apiserver: readonly Sample[];
  readonly prometheus: readonly Sample[];
  readonly auditOffset: number;
  readonly logOffsets: readonly number[];
}

/** What happened between two snapshots. */
export interface Window {
  readonly seconds: number;
  readonly ticks: number;
  /** flowshift_tick_lag_seconds and _duration_seconds, summed over the controllers. */
  readonly lag: Bucket[];
  readonly duration: Bucket[];
  /** From the debug log (exact), when the controllers log at debug level. */
  readonly logLagMs: number[];
  readonly logDurationMs: number[];
  readonly rollbackMs: number[];
  /** flowshift_kube_requests_total by method: the controllers' own count. */
  readonly controllerRequests: Map<string, number>;
  /** apiserver_request_total by verb, less the API server's, the kubelet stand-in's and watches (see notController). */
  readonly apiserverRequests: Map<string, number>;
  readonly apiserverWritesByResource: Map<string, number>;
  /** The controllers' requests in the API server's audit log (their ServiceAccount's only). */
  readonly audit: AuditCounts;
  readonly prometheusQueries: number;
}

export class Meter {
  private readonly apiserver;

  constructor(private readonly cluster: BenchCluster) {
    this.apiserver = apiServerScraper(cluster.environment.info.kubeconfigPath);
  }

  /**
   * Reads the counters one after the other, the controllers' and the audit
   * log's first and at once (they count the same requests, so their windows
   * must line up), then the API server's and Prometheus' (slower to scrape).
   */
  async snapshot(): Promise<Snapshot> {
    const { info } = this.cluster.environment;
    const auditOffset = fileSize(this.cluster.auditFile);
    const logOffsets = this.cluster.controllers.map((c) => fileSize(c.logFile));
    const controllers = await Promise.all(this.cluster.controllers.map((c) => scrape(c.metricsUrl)));
    const at = Date.now();
    const [apiserver, prometheus] = await Promise.all([this.apiserver.scrape(), scrape(`${info.prometheusUrl}/metrics`)]);
    return { at, controllers, apiserver, prometheus, auditOffset, logOffsets };
  }

  /** The window from `a` to now. */
  async since(a: Snapshot): Promise<Window> {
    // The audit log is written as requests complete: let the last ones land.
    await new Promise((r) => setTimeout(r, 500));
    const b = await this.snapshot();
    const controllers = (name: string, label: string): Map<string, number> => {
      const out = new Map<string, number>();
      b.controllers.forEach((after, i) => {
        for (const [k, v] of deltaBy(a.controllers[i] ?? [], after, name, label)) out.set(k, (out.get(k) ?? 0) + v);
      });
      return out;
    };
    const histogram = (name: string): Bucket[] => mergeBuckets(b.controllers.map((after, i) => histogramDelta(a.controllers[i] ?? [], after, name)));
    const logs = this.cluster.controllers.flatMap((c, i) => linesBetween(c.logFile, a.logOffsets[i] ?? 0, b.logOffsets[i]));
    const fromLog = parseLog(logs);
    const isController = (l: Readonly<Record<string, string>>): boolean => !notController(l);
    return {
      seconds: (b.at - a.at) / 1000,
      ticks: [...controllers('flowshift_ticks_total', 'outcome').values()].reduce((s, n) => s + n, 0),
      lag: histogram('flowshift_tick_lag_seconds'),
      duration: histogram('flowshift_tick_duration_seconds'),
      ...fromLog,
      controllerRequests: controllers('flowshift_kube_requests_total', 'method'),
      apiserverRequests: deltaBy(a.apiserver, b.apiserver, 'apiserver_request_total', 'verb', isController),
      apiserverWritesByResource: deltaBy(a.apiserver, b.apiserver, 'apiserver_request_total', 'resource', (l) => isController(l) && WRITE_VERBS.has(l['verb'] ?? '')),
      audit: countAudit(linesBetween(this.cluster.auditFile, a.auditOffset, b.auditOffset), CONTROLLER_USER),
      prometheusQueries: prometheusQueries(b.prometheus) - prometheusQueries(a.prometheus),
    };
  }

  close(): Promise<void> {
    return this.apiserver.close();
  }
}

function mergeBuckets(perController: readonly Bucket[][]): Bucket[] {
  const byLe = new Map<number, number>();
  for (const buckets of perController) for (const b of buckets) byLe.set(b.le, (byLe.get(b.le) ?? 0) + b.count);
  return [...byLe].map(([le, count]) => ({ le, count })).sort((x, y) => x.le - y.le);
}

/** Tick lag and duration (debug level) and rollback times (info level) from the controllers' JSON log lines. */
export function parseLog(lines: readonly string[]): { logLagMs: number[]; logDurationMs: number[]; rollbackMs: number[] } {
  const out = { logLagMs: [] as number[], logDurationMs: [] as number[], rollbackMs: [] as number[] };
  for (const line of lines) {
    if (!line.includes('"tick"') && !line.includes('rollbackMs')) continue;
    const entry = JSON.parse(line) as { tick?: { lagMs: number; durationMs: number }; rollbackMs?: number };
    if (entry.tick) {
      out.logLagMs.push(entry.tick.lagMs);
      out.logDurationMs.push(entry.tick.durationMs);
    }
    if (entry.rollbackMs !== undefined) out.rollbackMs.push(entry.rollbackMs);
  }
  return out;
}
