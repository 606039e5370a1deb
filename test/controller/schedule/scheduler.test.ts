import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { TickScheduler, type ChainNext, type TickJob } from '../../../src/controller/schedule/scheduler.js';
import { waitFor } from '../../../devenv/env/processes.js';
import { env } from '../../support/env/context.js';

const MINUTE = { delayMs: 60_000 };

describe('TickScheduler on the real redis-server', () => {
  let scheduler: TickScheduler | undefined;
  afterEach(async () => {
    await scheduler?.close();
    scheduler = undefined;
  });

  function start(process: (job: TickJob) => Promise<ChainNext>): TickScheduler {
    scheduler = new TickScheduler({
      redis: { kind: 'standalone', url: env().redisUrl, username: undefined, password: undefined },
      queueName: `ticks-scheduler-${randomBytes(3).toString('hex')}`,
      concurrency: 2,
      log: pino({ level: 'silent' }),
    });
    scheduler.start(process);
    return scheduler;
  }

  async function pending(s: TickScheduler): Promise<number> {
    const counts = await s.counts();
    return (counts['waiting'] ?? 0) + (counts['delayed'] ?? 0) + (counts['active'] ?? 0);
  }

  it('cancel drops a waiting tick', async () => {
    const job: TickJob = { namespace: 'ns', name: 'idle', uid: 'uid-idle' };
    let ticks = 0;
    const s = start(() => {
      ticks += 1;
      return Promise.resolve(MINUTE);
    });
    await s.ensureChain(job);
    await waitFor('the first tick to chain the next', async () => ticks === 1 && (await s.counts())['delayed'] === 1, { timeoutMs: 10_000 });
    await s.cancel(job.uid);
    expect(await pending(s)).toBe(0);
  });

  it('cancel during a running tick also drops the tick that tick chains', async () => {
    const job: TickJob = { namespace: 'ns', name: 'busy', uid: 'uid-busy' };
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const s = start(async () => {
      started();
      await finished;
      return MINUTE;
    });
    await s.ensureChain(job);
    await running;
    // The Rollout is deleted while its tick runs; the tick, which read it before, chains a minute on.
    const cancelled = s.cancel(job.uid);
    setTimeout(finish, 300);
    await cancelled;
    expect(await pending(s)).toBe(0);
  });

  it('cancel as the running tick finishes: 100 deletes at moments 0-10 ms apart leave no tick behind', async () => {
    let started = (): void => undefined;
    let finish = (): void => undefined;
    const s = start(async () => {
      const finished = new Promise<void>((resolve) => (finish = resolve));
      started();
      await finished;
      return MINUTE;
    });
    let left = 0;
    for (let i = 0; i < 100; i++) {
      const job: TickJob = { namespace: 'ns', name: `race-${i}`, uid: `uid-race-${i}` };
      const running = new Promise<void>((resolve) => (started = resolve));
      await s.ensureChain(job);
      await running;
      // The tick finishes (and chains) somewhere between cancel's reads of the queue.
      const cancelled = s.cancel(job.uid);
      setTimeout(finish, i % 11);
      await cancelled;
      left += await pending(s);
    }
    expect(left).toBe(0);
  }, 60_000);
});
