import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNamespace, env } from '../support/env/context.js';
import { waitFor } from '../../devenv/env/processes.js';
import { startController, type ControllerProcess } from '../support/harness.js';
import { RedisNodes, type RedisNode } from './servers.js';

describe('/readyz', () => {
  const nodes = new RedisNodes(join(env().dir, `redis-readiness-${randomBytes(3).toString('hex')}`));
  let redis: RedisNode;
  let controller: ControllerProcess | undefined;
  const readyz = async (): Promise<number> => (await fetch(`http://127.0.0.1:${controller?.healthPort ?? 0}/readyz`)).status;
  const healthz = async (): Promise<number> => (await fetch(`http://127.0.0.1:${controller?.healthPort ?? 0}/healthz`)).status;

  beforeAll(async () => {
    redis = await nodes.server('redis-readiness');
    // startController returns once /readyz answers 200: the informers have synced and Redis answered.
    controller = await startController(await createNamespace('readyz'), { redisArgs: ['--redis-url', `redis://127.0.0.1:${redis.port}`] });
  });
  afterAll(async () => {
    await controller?.stop();
    await nodes.stop();
  });

  it('turns unready while Redis is unreachable, and ready again once it answers; /healthz stays 200', async () => {
    expect(await readyz()).toBe(200);
    process.kill(redis.process.pid, 'SIGKILL');
    await redis.process.exited;
    await waitFor('/readyz 503 without Redis', async () => (await readyz()) === 503, { timeoutMs: 20_000 });
    expect(await healthz()).toBe(200);

    redis = await nodes.server('redis-readiness-again', [], redis.port);
    await waitFor('/readyz 200 with Redis back', async () => (await readyz()) === 200, { timeoutMs: 30_000 });
  });
});
