import { Queue, Worker, type Job } from 'bullmq';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { connectRedis, queuePrefix, type RedisClient } from '../../redis/client.js';
import type { RedisConnection } from '../../redis/settings.js';

/** What a tick job carries: which Rollout, and which incarnation of it. */
export interface TickJob {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
}

/** What the processor tells the scheduler: the delay of the next tick, or stop. */
export type ChainNext = { readonly delayMs: number } | 'stop';

export interface SchedulerOptions {
  readonly redis: RedisConnection;
  readonly queueName: string;
  readonly concurrency: number;
  readonly log: Logger;
  /** Ticks whose lock is lost (a killed replica) are retried after this long. */
  readonly stalledIntervalMs?: number;
}

const DEFAULT_STALLED_INTERVAL_MS = 5_000;
/** How often cancel looks again while a deleted Rollout's tick runs. */
const CANCEL_POLL_MS = 100;

/**
 * How long a tick holds its job's lock. A tick still running after this may
 * be taken by another replica (harmless: its status write then conflicts),
 * so everything a tick waits for must end well before it.
 */
export function tickLockMs(stalledIntervalMs = DEFAULT_STALLED_INTERVAL_MS): number {
  return Math.max(2 * stalledIntervalMs, 10_000);
}

/**
 * One tick chain per Rollout, keyed by its UID: a delayed job that re-adds
 * itself when it finishes. BullMQ's deduplication with keepLastIfActive keeps
 * at most one tick of a Rollout active and one waiting, across every replica
 * sharing the Redis, so a release is never stepped twice at once.
 */
export class TickScheduler {
  private readonly connection: RedisClient;
  private readonly queue: Queue<TickJob>;
  private worker: Worker<TickJob> | undefined;

  constructor(private readonly options: SchedulerOptions) {
    // BullMQ's blocking commands need maxRetriesPerRequest: null.
    this.connection = connectRedis(options.redis, { maxRetriesPerRequest: null });
    this.connection.on('error', (err: Error) => options.log.warn({ err }, 'redis connection error'));
    this.queue = new Queue<TickJob>(options.queueName, {
      connection: this.connection,
      prefix: queuePrefix(options.queueName),
      defaultJobOptions: { removeOnComplete: true, removeOnFail: 100 },
    });
    this.queue.on('error', (err) => options.log.warn({ err }, 'tick queue error'));
  }

  /** A tick as soon as possible: replaces a waiting delayed tick, or follows the active one. */
  async tickNow(job: TickJob): Promise<void> {
    await this.queue.add('tick', job, { deduplication: { id: job.uid, keepLastIfActive: true, replace: true } });
  }

  /** Starts a chain if the Rollout has none; never pulls an existing tick forward. */
  async ensureChain(job: TickJob): Promise<void> {
    await this.queue.add('tick', job, { deduplication: { id: job.uid, keepLastIfActive: true } });
  }

  /**
   * Ends a deleted Rollout's chain: drops its waiting tick. A tick still
   * running read the Rollout before it went and chains another: wait for it
   * (no longer than its lock) and drop that one. The tick can finish between
   * any two of these reads, so after each drop the chain's job is read again
   * until it is none, or the one just dropped.
   */
  async cancel(uid: string): Promise<void> {
    const until = Date.now() + tickLockMs(this.options.stalledIntervalMs);
    let dropped: string | undefined;
    for (;;) {
      const jobId = await this.queue.getDeduplicationJobId(uid);
      if (!jobId || jobId === dropped) return;
      const job = await this.queue.getJob(jobId);
      if (job && (await job.isActive())) {
        if (Date.now() > until) return;
        await sleep(CANCEL_POLL_MS);
        continue;
      }
      // Gone already, or taken by a worker meanwhile (that tick finds the Rollout gone and stops).
      await job?.remove().catch(() => undefined);
      dropped = jobId;
    }
  }

  /** Jobs by state, for the queue-depth gauge. */
  async counts(): Promise<Record<string, number>> {
    return this.queue.getJobCounts('waiting', 'delayed', 'active', 'failed');
  }

  /** `process` gets the job and when it was planned to start (for tick lag). */
  start(process: (job: TickJob, plannedAt: number) => Promise<ChainNext>): void {
    const { log, concurrency } = this.options;
    this.worker = new Worker<TickJob>(
      this.options.queueName,
      async (job: Job<TickJob>) => {
        let next: ChainNext = { delayMs: 5_000 };
        try {
          next = await process(job.data, job.timestamp + (job.opts.delay ?? 0));
        } finally {
          // Chain from inside the active job: BullMQ stores this as the next
          // job and creates it when this one finishes, even if the tick threw.
          if (next !== 'stop') {
            await this.queue.add('tick', job.data, { delay: next.delayMs, deduplication: { id: job.data.uid, keepLastIfActive: true } });
          }
        }
      },
      {
        // duplicate() keeps maxRetriesPerRequest: null (and a Cluster's nodes).
        connection: this.connection.duplicate(),
        prefix: queuePrefix(this.options.queueName),
        concurrency,
        stalledInterval: this.options.stalledIntervalMs ?? DEFAULT_STALLED_INTERVAL_MS,
        lockDuration: tickLockMs(this.options.stalledIntervalMs),
        maxStalledCount: 1_000_000,
      },
    );
    this.worker.on('error', (err) => log.warn({ err }, 'tick worker error'));
    this.worker.on('failed', (job, err) => log.warn({ err, rollout: job ? `${job.data.namespace}/${job.data.name}` : '' }, 'tick failed'));
  }

  /** Whether Redis answers a PING within `timeoutMs` (readiness). */
  async ping(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      return await Promise.race([this.connection.ping().then(() => true, () => false), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops taking ticks, waits for the running ones, closes Redis. */
  async close(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
    await this.connection.quit().catch(() => undefined);
  }
}

