import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DeliveryJob } from './deliver.js';

/**
 * Notification jobs wait in Redis, and whoever can write to Redis could
 * otherwise queue a message of their own through any AlertProvider. So each
 * job carries an HMAC-SHA256 of its id and content under a key Redis never
 * sees (NOTIFICATION_SIGNING_KEY, shared by the replicas); the worker sends
 * only jobs whose signature verifies. The id is signed too: it names the
 * transition, and BullMQ drops a second job under the same id.
 */
export interface SignedDeliveryJob extends DeliveryJob {
  readonly signature: string;
}

export class JobSigner {
  /** Whether the key is this process's own (no NOTIFICATION_SIGNING_KEY): then no other process can verify its jobs. */
  readonly ephemeral: boolean;
  private readonly key: Buffer;

  constructor(key: string | undefined) {
    this.ephemeral = key === undefined;
    this.key = key === undefined ? randomBytes(32) : Buffer.from(key, 'utf8');
  }

  sign(jobId: string, job: DeliveryJob): SignedDeliveryJob {
    return { ...job, signature: this.mac(jobId, job) };
  }

  /** The job without its signature when the signature is this key's for this id and content; undefined otherwise. */
  verify(jobId: string | undefined, data: Partial<SignedDeliveryJob>): DeliveryJob | undefined {
    const { signature, ...job } = data;
    if (jobId === undefined || typeof signature !== 'string') return undefined;
    const expected = Buffer.from(this.mac(jobId, job as DeliveryJob), 'hex');
    const given = Buffer.from(signature, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected) ? (job as DeliveryJob) : undefined;
  }

  /** BullMQ stores a job as JSON and parses it back, so JSON.stringify of what comes back equals what was signed. */
  private mac(jobId: string, job: DeliveryJob): string {
    return createHmac('sha256', this.key).update(jobId).update('\n').update(JSON.stringify(job)).digest('hex');
  }
}
