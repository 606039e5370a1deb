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

/** Where a process's resident memory is, in MB: what the RSS alone cannot tell. */
export interface MemoryParts {
  /** V8's heap: live objects, and what it holds committed. */
  readonly heapUsed: number;
  readonly heapCommitted: number;
  /** Buffers and other memory V8 objects hold outside its heap. */
  readonly external: number;
  /** glibc's malloc heap (the [heap] mapping) as resident. */
  readonly mallocHeap: number;
  /** Mapped files resident: the node binary, shared libraries. */
  readonly files: number;
  /** Anonymous mappings resident: V8's heap and code, other threads' malloc arenas, stacks. */
  readonly anonymous: number;
  /**
   * Resident pages freed with madvise(MADV_FREE): V8 releases its pages so on Linux, and
   * the kernel takes them back only when memory runs short (a cgroup at its limit), so
   * until then they count in the RSS.
   */
  readonly lazyFree: number;
}

/**
 * The parts of `pid`'s memory, from its /proc files and its /metrics page
 * (prom-client's default process metrics); undefined when either is missing.
 */
export function memoryParts(pid: number, metrics: string): MemoryParts | undefined {
  const gauge = (name: string): number | undefined => {
    const match = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(metrics);
    return match ? Number(match[1]) / 2 ** 20 : undefined;
  };
  const heapUsed = gauge('nodejs_heap_size_used_bytes');
  const heapCommitted = gauge('nodejs_heap_size_total_bytes');
  const external = gauge('nodejs_external_memory_bytes');
  let smaps: string;
  try {
    smaps = readFileSync(`/proc/${pid}/smaps`, 'utf8');
  } catch {
    return undefined;
  }
  if (heapUsed === undefined || heapCommitted === undefined || external === undefined) return undefined;
  return { heapUsed, heapCommitted, external, mallocHeap: mappingRssKb(smaps, (name) => name === '[heap]') / 1024, files: mappingRssKb(smaps, (name) => name.startsWith('/')) / 1024, anonymous: mappingRssKb(smaps, (name) => name === '') / 1024, lazyFree: mappingRssKb(smaps, () => true, 'LazyFree') / 1024 };
}

/** The resident kB (or another field's kB) of the mappings in a /proc/<pid>/smaps text whose name passes `keep`. */
export function mappingRssKb(smaps: string, keep: (name: string) => boolean, field = 'Rss'): number {
  let total = 0;
  let counting = false;
  for (const line of smaps.split('\n')) {
    const mapping = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+(?:\s+(.*))?$/.exec(line);
    if (mapping) counting = keep(mapping[1] ?? '');
    else if (counting && line.startsWith(`${field}:`)) total += Number(/(\d+)/.exec(line)?.[1] ?? 0);
  }
  return total;
}
