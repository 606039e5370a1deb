import { afterAll, describe, expect, it } from 'vitest';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { env } from '../support/env/context.js';

describe('BullMQ on the real redis-server', () => {
  const connection = new Redis(env().redisUrl, { maxRetriesPerRequest: null });
  const name = `smoke-${process.pid}`;
  const queue = new Queue(name, { connection });
  const events = new QueueEvents(name, { connection: connection.duplicate() });
  const processed: string[] = [];
  const worker = new Worker<{ n: number }, number>(
    name,
    (job) => {
      processed.push(job.id ?? '');
      return Promise.resolve(job.data.n * 2);
    },
    { connection: connection.duplicate({ maxRetriesPerRequest: null }) },
  );

  afterAll(async () => {
    await worker.close();
    await events.close();
    await queue.obliterate({ force: true });
    await queue.close();
    connection.disconnect();
  });

  it('round-trips a job through a worker and returns its result', async () => {
    await events.waitUntilReady();
    const job = await queue.add('double', { n: 21 });
    await expect(job.waitUntilFinished(events, 10_000)).resolves.toBe(42);
    expect(processed).toEqual([job.id]);
  });

  it('runs a delayed job no earlier than its delay', async () => {
    const added = Date.now();
    const job = await queue.add('later', { n: 1 }, { delay: 300 });
    await job.waitUntilFinished(events, 10_000);
    const done = await queue.getJob(job.id ?? '');
    expect(done?.processedOn ?? 0).toBeGreaterThanOrEqual(added + 300);
  });

  it('deduplicates jobs that share an id while one is waiting', async () => {
    const a = await queue.add('dedup', { n: 1 }, { delay: 500, deduplication: { id: 'same' } });
    const b = await queue.add('dedup', { n: 2 }, { delay: 500, deduplication: { id: 'same' } });
    expect(b.id).toBe(a.id);
    await a.waitUntilFinished(events, 10_000);
  });
});
