import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { connectRedis, queuePrefix, type RedisClient } from '../redis/client.js';
import type { RedisConnection } from '../redis/settings.js';
import type { DeliveryJob, DeliveryResult } from './deliver.js';
import type { JobSigner, SignedDeliveryJob } from './job-signature.js';

export interface NotificationQueueOptions {
  readonly redis: RedisConnection;
  /** `<tick queue>-notify`: replicas sharing the tick queue share this one. */
  readonly queueName: string;
  readonly log: Logger;
  /** Signs each job added and checks it before sending: a job it did not sign is never sent. */
  readonly signer: JobSigner;
  readonly deliver: (job: DeliveryJob) => Promise<DeliveryResult>;
  readonly onResult?: (result: DeliveryResult, final: boolean) => void;
  /** First retry delay; it doubles up to maxBackoffMs. */
  readonly backoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Tries before a message is given up; with the defaults, about an hour of outage. */
  readonly attempts?: number;
}

const DEFAULTS = { backoffMs: 1_000, maxBackoffMs: 30_000, attempts: 125 } as const;

/**
 * Notifications leave the tick through this queue, so a slow or failing chat
 * tool never holds a release, and a message survives an outage and restarts
 * in Redis. The job id names the transition: adding the same one twice (a
 * retried tick, another replica) is a no-op in BullMQ.
 */
export class NotificationQueue {
  private readonly connection: RedisClient;
  private readonly queue: Queue<SignedDeliveryJob>;
  private worker: Worker<SignedDeliveryJob> | undefined;
  private readonly settings: Required<Pick<NotificationQueueOptions, 'backoffMs' | 'maxBackoffMs' | 'attempts'>>;

  constructor(private readonly options: NotificationQueueOptions) {
    this.settings = {
      backoffMs: options.backoffMs ?? DEFAULTS.backoffMs,
      maxBackoffMs: options.maxBackoffMs ?? DEFAULTS.maxBackoffMs,
      attempts: options.attempts ?? DEFAULTS.attempts,
    };
    // The same Redis (single, Sentinel or Cluster) and hash-tagged prefix as the tick queue.
    this.connection = connectRedis(options.redis, { maxRetriesPerRequest: null });
    this.connection.on('error', (err: Error) => options.log.warn({ err }, 'redis connection error (notifications)'));
    this.queue = new Queue<SignedDeliveryJob>(options.queueName, {
      connection: this.connection,
      prefix: queuePrefix(options.queueName),
      defaultJobOptions: {
        attempts: this.settings.attempts,
        backoff: { type: 'capped' },
        // Kept a day, so the same transition added again within it is recognised.
        removeOnComplete: { age: 24 * 3600, count: 10_000 },
        removeOnFail: { age: 7 * 24 * 3600, count: 1_000 },
      },
    });
    this.queue.on('error', (err) => options.log.warn({ err }, 'notification queue error'));
  }

  async add(jobId: string, job: DeliveryJob): Promise<void> {
    await this.queue.add('notify', this.options.signer.sign(jobId, job), { jobId });
  }

  start(): void {
    const { log } = this.options;
    const { backoffMs, maxBackoffMs, attempts } = this.settings;
    this.worker = new Worker<SignedDeliveryJob>(this.options.queueName, (job: Job<SignedDeliveryJob>) => this.process(job, attempts), {
      connection: this.connection.duplicate(),
      prefix: queuePrefix(this.options.queueName),
      concurrency: 10,
      settings: { backoffStrategy: (attemptsMade: number) => Math.min(backoffMs * 2 ** Math.max(0, attemptsMade - 1), maxBackoffMs) },
    });
    this.worker.on('error', (err) => log.warn({ err }, 'notification worker error'));
  }

  /** Jobs by state, for the queue-depth gauge. */
  async counts(): Promise<Record<string, number>> {
    return this.queue.getJobCounts('waiting', 'delayed', 'active', 'failed');
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
    await this.connection.quit().catch(() => undefined);
  }

  private async process(job: Job<SignedDeliveryJob>, attempts: number): Promise<void> {
    const data = this.options.signer.verify(job.id, job.data);
    if (!data) {
      const why = this.options.signer.ephemeral
        ? 'it was not signed by this process, and without NOTIFICATION_SIGNING_KEY no other process can sign jobs this one trusts'
        : 'its signature does not match NOTIFICATION_SIGNING_KEY: it was written to Redis by something else than a flowshift replica with this key';
      this.options.onResult?.({ kind: 'failed', type: 'unknown', reason: 'unsigned' }, true);
      this.options.log.warn({ job: job.id }, `notification job dropped: ${why}`);
      throw new UnrecoverableError(`not sent: ${why}`);
    }
    const result = await this.options.deliver(data);
    const n = data.notification;
    const fields = { rollout: `${n.rollout.namespace}/${n.rollout.name}`, alert: data.alert, notification: n.reason, attempt: job.attemptsMade + 1 };
    if (result.kind === 'sent') {
      this.options.onResult?.(result, true);
      this.options.log.info({ ...fields, destination: result.type }, 'notification sent');
      return;
    }
    const final = result.kind === 'failed' || job.attemptsMade + 1 >= attempts;
    this.options.onResult?.(result, final);
    this.options.log.warn({ ...fields, destination: result.type, reason: result.reason, final }, final ? 'notification given up' : 'notification failed: will retry');
    if (result.kind === 'failed') throw new UnrecoverableError(result.reason);
    throw new Error(result.reason);
  }
}
