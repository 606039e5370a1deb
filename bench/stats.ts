import { readFileSync } from 'node:fs';

/** The q-th percentile (0-100) by nearest rank; 0 for no samples. */
export function percentile(samples: readonly number[], q: number): number {
  if (!samples.length) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((q / 100) * sorted.length) - 1));
  return sorted[rank] ?? 0;
}

/** One cumulative histogram bucket: observations ≤ le. */
export interface Bucket {
  readonly le: number;
  readonly count: number;
}

/**
 * The q-th quantile (0-1) of a cumulative histogram, interpolated linearly
 * inside its bucket as Prometheus' histogram_quantile does; the highest finite
 * bound when it falls in the +Inf bucket; 0 for no observations.
 */
export function histogramQuantile(buckets: readonly Bucket[], q: number): number {
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  const total = sorted.at(-1)?.count ?? 0;
  if (!total) return 0;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const b of sorted) {
    if (b.count >= rank) {
      if (!Number.isFinite(b.le)) return lower;
      const inBucket = b.count - below;
      return inBucket ? lower + (b.le - lower) * ((rank - below) / inBucket) : b.le;
    }
    lower = b.le;
    below = b.count;
  }
  return lower;
}

/** Share (0-1) of a cumulative histogram's observations at or below `bound`; undefined when `bound` is no bucket bound. */
export function shareAtMost(buckets: readonly Bucket[], bound: number): number | undefined {
  const total = Math.max(0, ...buckets.map((b) => b.count));
  const at = buckets.find((b) => b.le === bound)?.count;
  if (at === undefined) return undefined;
  return total ? at / total : 1;
}

/** Resident set size of a process in MB, from /proc. */
export function rssMb(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Runs `work` over `items` with at most `size` in flight, reporting after each batch. */
export async function inBatches<T>(
  items: readonly T[],
  size: number,
  work: (item: T) => Promise<void>,
  progress?: (done: number) => void,
): Promise<void> {
  for (let i = 0; i < items.length; i += size) {
    await Promise.all(items.slice(i, i + size).map(work));
    progress?.(Math.min(items.length, i + size));
  }
}
