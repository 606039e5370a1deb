import { PrometheusProvider } from '../../../src/metrics/providers/prometheus/provider.js';
import type { QueryOutcome } from '../../../src/metrics/provider.js';
import { builtinQuery, type BuiltinMetric } from '../../../src/metrics/builtins.js';

/**
 * Polls an instant query until `accept` holds for its outcome, and returns
 * that outcome. On a slow machine scrapes and rate windows take their time,
 * so tests wait for a condition instead of sleeping.
 */
export async function pollQuery(
  prometheusUrl: string,
  query: string,
  accept: (outcome: QueryOutcome) => boolean,
  timeoutMs = 45_000,
): Promise<QueryOutcome> {
  const provider = new PrometheusProvider({ address: prometheusUrl });
  const deadline = Date.now() + timeoutMs;
  let last: QueryOutcome | undefined;
  while (Date.now() < deadline) {
    last = await provider.instantQuery(query);
    if (accept(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting on ${query}; last outcome: ${JSON.stringify(last)}`);
}

/** Accepts a value within `tolerance` (relative) of `expected`. */
export function near(expected: number, tolerance: number): (outcome: QueryOutcome) => boolean {
  return (outcome) => outcome.kind === 'value' && Math.abs(outcome.value - expected) <= Math.abs(expected) * tolerance;
}

/** The value of an outcome, or NaN when it has none. */
export function valueOf(outcome: QueryOutcome): number {
  return outcome.kind === 'value' ? outcome.value : NaN;
}

/** A built-in query rendered for one workload. */
export function builtin(name: BuiltinMetric, namespace: string, target: string, interval: string): string {
  const rendered = builtinQuery(name, { namespace, target, service: target, interval });
  if (!rendered.ok) throw new Error(rendered.error.message);
  return rendered.query;
}

/** Requests per second received by one workload. */
export function requestRate(namespace: string, workload: string, interval: string): string {
  return `sum(rate(istio_requests_total{reporter="destination",destination_workload_namespace="${namespace}",destination_workload="${workload}"}[${interval}]))`;
}
