import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { DeliveryJob, DeliveryResult } from '../../src/notifier/deliver.js';
import { JobSigner } from '../../src/notifier/job-signature.js';
import { NotificationKind, type Notification } from '../../src/notifier/notification.js';
import { NotificationQueue } from '../../src/notifier/queue.js';
import { connectRedis, queuePrefix } from '../../src/redis/client.js';
import type { RedisConnection } from '../../src/redis/settings.js';
import { waitFor } from '../../devenv/env/processes.js';
import { env } from '../support/env/context.js';

const KEY = 'a-key-of-at-least-thirty-two-bytes-for-tests';

function job(message: string): DeliveryJob {
  const notification: Notification = {
    kind: NotificationKind.Promoted,
    severity: 'info',
    reason: 'Promoted',
    rollout: { namespace: 'shop', name: 'web', uid: 'u-1' },
    revision: 'abc',
    images: ['app=web:2'],
    phase: 'Succeeded',
    canaryWeight: 0,
    time: '2026-12-03T00:00:00.000Z',
    message,
    evidence: [],
  };
  return { notification, alert: 'deploys', provider: { namespace: 'shop', name: 'slack' } };
}

describe('notification job signatures', () => {
  it('verify what the same key signed for the same id, after a JSON round trip, and nothing else', () => {
    const signer = new JobSigner(KEY);
    const signed = JSON.parse(JSON.stringify(signer.sign('id-1', job('promoted')))) as ReturnType<JobSigner['sign']>;
    expect(signer.verify('id-1', signed)).toEqual(job('promoted'));
    expect(signer.verify('id-2', signed), 'another id').toBeUndefined();
    expect(signer.verify('id-1', { ...signed, alert: 'on-call' }), 'another alert').toBeUndefined();
    expect(signer.verify('id-1', { ...signed, provider: { namespace: 'kube-system', name: 'x' } }), 'another provider').toBeUndefined();
    expect(new JobSigner(`${KEY}!`).verify('id-1', signed), 'another key').toBeUndefined();
    expect(new JobSigner(undefined).verify('id-1', signed), 'a process key').toBeUndefined();
    const { signature: _none, ...unsigned } = signed;
    expect(signer.verify('id-1', unsigned), 'no signature').toBeUndefined();
    expect(signer.verify('id-1', { ...signed, signature: 'zz' }), 'not hex').toBeUndefined();
  });

  it('a job written to Redis by anything but a replica with the key is never delivered; a signed one is, by another replica', async () => {
    const redis: RedisConnection = { kind: 'standalone', url: `${env().redisUrl}/0`, username: undefined, password: undefined };
    const queueName = `signed-${randomBytes(3).toString('hex')}-notify`;
    const delivered: string[] = [];
    const results: DeliveryResult[] = [];
    const replica = (): NotificationQueue =>
      new NotificationQueue({
        redis,
        queueName,
        log: pino({ level: 'silent' }),
        signer: new JobSigner(KEY),
        deliver: (j) => {
          delivered.push(j.notification.message);
          return Promise.resolve({ kind: 'sent', type: 'slack' });
        },
        onResult: (result) => results.push(result),
      });
    const [sender, worker] = [replica(), replica()];
    // Someone who can reach Redis, with BullMQ and the queue's name: unsigned, and signed with another key.
    const connection = connectRedis(redis, { maxRetriesPerRequest: null });
    const intruder = new Queue(queueName, { connection, prefix: queuePrefix(queueName) });
    try {
      worker.start();
      await intruder.add('notify', job('forged, unsigned'), { jobId: 'forged-1' });
      await intruder.add('notify', new JobSigner(`${KEY}-guessed`).sign('forged-2', job('forged, other key')), { jobId: 'forged-2' });
      await sender.add('real-1', job('real'));
      await waitFor('three jobs processed', () => Promise.resolve(results.length === 3), { timeoutMs: 10_000 });
      expect(delivered).toEqual(['real']);
      expect(results.filter((r) => r.kind === 'failed')).toHaveLength(2);
      const failed = await intruder.getJobs(['failed']);
      expect(failed.map((j) => j.id).sort()).toEqual(['forged-1', 'forged-2']);
      expect(failed.every((j) => j.failedReason.includes('NOTIFICATION_SIGNING_KEY'))).toBe(true);
    } finally {
      await intruder.obliterate({ force: true });
      await intruder.close();
      await connection.quit();
      await Promise.all([sender.close(), worker.close()]);
    }
  });
});
