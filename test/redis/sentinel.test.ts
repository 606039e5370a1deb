import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNamespace, env } from '../support/env/context.js';
import { waitFor } from '../../devenv/env/processes.js';
import { Cluster, startController, type ControllerProcess } from '../support/harness.js';
import { initialized, releaseWith } from './release.js';
import { RedisNodes, command, type RedisNode } from './servers.js';

describe('Redis with Sentinel', () => {
  const nodes = new RedisNodes(join(env().dir, `redis-sentinel-${randomBytes(3).toString('hex')}`));
  let master: RedisNode;
  let replica: RedisNode;
  let sentinels: RedisNode[];
  let cluster: Cluster;
  let controller: ControllerProcess | undefined;

  beforeAll(async () => {
    master = await nodes.server('redis-master');
    replica = await nodes.server('redis-replica', ['--replicaof', '127.0.0.1', String(master.port)]);
    sentinels = await Promise.all(['sentinel-a', 'sentinel-b', 'sentinel-c'].map((name) => nodes.sentinel(name, master.port)));
    // A failover needs every Sentinel to know the replica and the other Sentinels.
    await Promise.all(
      sentinels.map((s) =>
        waitFor(`Sentinel ${s.port} knows the replica and its peers`, async () => {
          const replicas = (await command(s.port, 'SENTINEL', 'REPLICAS', 'mymaster')) as unknown[];
          const peers = (await command(s.port, 'SENTINEL', 'SENTINELS', 'mymaster')) as unknown[];
          return replicas.length === 1 && peers.length === 2;
        }, { timeoutMs: 60_000, intervalMs: 250 }),
      ),
    );
    cluster = new Cluster(await createNamespace('sentinel'));
    controller = await startController(cluster.namespace, {
      redisArgs: ['--redis-sentinels', sentinels.map((s) => `127.0.0.1:${s.port}`).join(','), '--redis-sentinel-master', 'mymaster'],
    });
  });
  afterAll(async () => {
    await controller?.stop();
    await nodes.stop();
  });

  it('a failover in the middle of a release (the master killed) loses no step, and the release completes', async () => {
    await initialized(cluster, 'podinfo');
    await releaseWith(cluster, 'podinfo', async (r) => {
      expect(r.status?.phase).toBe('Progressing');
      process.kill(master.process.pid, 'SIGKILL');
      await master.process.exited;
    });
    const [, port] = (await command(sentinels[0]?.port ?? 0, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster')) as [string, string];
    expect(Number(port), 'the Sentinels promoted the replica').toBe(replica.port);
    const health = await fetch(`http://127.0.0.1:${controller?.healthPort ?? 0}/readyz`);
    expect(health.status).toBe(200);
  });
});
