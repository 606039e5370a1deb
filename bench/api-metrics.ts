import { readFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { Agent, fetch as undiciFetch } from 'undici';
import type { Bucket } from './stats.js';

/** One sample of the Prometheus text format. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export type Where = (labels: Readonly<Record<string, string>>) => boolean;

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parses the Prometheus text exposition format (comments and malformed lines skipped). */
export function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const match = LINE.exec(line.trim());
    if (!match?.[1] || match[3] === undefined) continue;
    const labels: Record<string, string> = {};
    for (const [, key, raw] of (match[2] ?? '').matchAll(LABEL)) {
      if (key !== undefined && raw !== undefined) labels[key] = raw.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    samples.push({ name: match[1], labels, value: parseValue(match[3]) });
  }
  return samples;
}

function parseValue(raw: string): number {
  if (raw === '+Inf') return Infinity;
  if (raw === '-Inf') return -Infinity;
  return Number(raw);
}

/** Sum of the samples named `name` whose labels match. */
export function sum(samples: readonly Sample[], name: string, where: Where = () => true): number {
  return samples.filter((s) => s.name === name && where(s.labels)).reduce((total, s) => total + s.value, 0);
}

/** after − before of a counter, summed over the samples that match. */
export function delta(before: readonly Sample[], after: readonly Sample[], name: string, where: Where = () => true): number {
  return sum(after, name, where) - sum(before, name, where);
}

/** after − before per value of `label`, over the samples that match; zero deltas left out unless `keepZero`. */
export function deltaBy(before: readonly Sample[], after: readonly Sample[], name: string, label: string, where: Where = () => true, keepZero = false): Map<string, number> {
  const out = new Map<string, number>();
  const add = (samples: readonly Sample[], sign: number): void => {
    for (const s of samples) {
      if (s.name !== name || !where(s.labels)) continue;
      const key = s.labels[label] ?? '';
      out.set(key, (out.get(key) ?? 0) + sign * s.value);
    }
  };
  add(after, 1);
  add(before, -1);
  if (!keepZero) for (const [key, n] of out) if (!n) out.delete(key);
  return out;
}

/** The buckets of histogram `name` observed between two scrapes (of one or several processes, summed). */
export function histogramDelta(before: readonly Sample[], after: readonly Sample[], name: string): Bucket[] {
  // Every bound, empty ones too: a quantile or a share needs the bucket at the target's bound.
  const counts = deltaBy(before, after, `${name}_bucket`, 'le', () => true, true);
  return [...counts].map(([le, count]) => ({ le: parseValue(le), count })).sort((a, b) => a.le - b.le);
}

/** Verbs of apiserver_request_total that change something. */
export const WRITE_VERBS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE', 'DELETECOLLECTION', 'APPLY']);

/**
 * Requests the benchmark's controller made, as far as the API server's own
 * counters can tell (they carry no user): leases are the API server's own
 * heartbeat, deployments/status the kubelet stand-in's writes, WATCH a
 * long-running request counted when it ends. Whatever the benchmark itself
 * sends in the window it subtracts from these.
 */
export const notController: Where = (l) => l['resource'] === 'leases' || (l['resource'] === 'deployments' && l['subresource'] === 'status') || l['verb'] === 'WATCH' || !l['resource'];

export async function scrape(url: string): Promise<Sample[]> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
  return parseMetrics(await res.text());
}

/** A scraper of the API server's /metrics with the identity (token, CA) of a kubeconfig. */
export function apiServerScraper(kubeconfigPath: string): { scrape: () => Promise<Sample[]>; close: () => Promise<void> } {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const cluster = kc.getCurrentCluster();
  const token = kc.getCurrentUser()?.token;
  if (!cluster || !token) throw new Error(`${kubeconfigPath}: no current cluster or token`);
  const ca = cluster.caData ? Buffer.from(cluster.caData, 'base64').toString() : cluster.caFile ? readFileSync(cluster.caFile, 'utf8') : undefined;
  const dispatcher = new Agent({ connect: { ca } });
  return {
    scrape: async () => {
      // undici's own fetch: a dispatcher of undici 8 does not fit the older undici inside Node's global fetch.
      const res = await undiciFetch(`${cluster.server}/metrics`, { headers: { authorization: `Bearer ${token}` }, dispatcher });
      if (!res.ok) throw new Error(`API server /metrics: ${res.status}`);
      return parseMetrics(await res.text());
    },
    close: () => dispatcher.close(),
  };
}

/** Instant and range queries answered by a Prometheus, from its own prometheus_http_requests_total. */
export function prometheusQueries(samples: readonly Sample[]): number {
  return sum(samples, 'prometheus_http_requests_total', (l) => l['handler'] === '/api/v1/query' || l['handler'] === '/api/v1/query_range');
}
