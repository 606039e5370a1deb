import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queuePrefix } from '../../src/redis/client.js';
import { createNamespace, env } from '../support/env/context.js';
import { freePort } from '../../devenv/env/ports.js';
import { Cluster, startController, type ControllerProcess } from '../support/harness.js';
import { initialized, releaseWith } from './release.js';
import { RedisNodes, command, createCluster, type RedisNode } from './servers.js';

describe('Redis Cluster', () => {
  const dir = join(env().dir, `redis-cluster-${randomBytes(3).toString('hex')}`);
  const nodes = new RedisNodes(dir);
  let masters: RedisNode[];
  let cluster: Cluster;
  let controller: ControllerProcess | undefined;

  beforeAll(async () => {
    masters = [];
    for (const name of ['cluster-a', 'cluster-b', 'cluster-c']) {
      // The bus port is set, since the default (port + 10000) may be taken or out of range.
      const busPort = await freePort();
      masters.push(await nodes.server(name, ['--cluster-enabled', 'yes', '--cluster-config-file', `${name}-nodes.conf`, '--cluster-port', String(busPort)]));
    }
    await createCluster(masters.map((m) => m.port), join(dir, 'cluster-create.log'));
    cluster = new Cluster(await createNamespace('rediscluster'));
    controller = await startController(cluster.namespace, {
      // Two of three nodes: the client learns the rest from the cluster.
      redisArgs: ['--redis-cluster-nodes', masters.slice(0, 2).map((m) => `127.0.0.1:${m.port}`).join(',')],
    });
  });
  afterAll(async () => {
    await controller?.stop();
    await nodes.stop();
  });

  it('runs a whole release on a 3-master Redis Cluster, every key of the queue on one node', async () => {
    await initialized(cluster, 'podinfo');
    await releaseWith(cluster, 'podinfo');
    const prefix = queuePrefix(`ticks-${cluster.namespace}`);
    const keysPerNode = await Promise.all(masters.map(async (m) => ((await command(m.port, 'KEYS', `${prefix}*`)) as string[]).length));
    expect(keysPerNode.filter((n) => n > 0), `keys of ${prefix} per node: ${keysPerNode.join(', ')}`).toHaveLength(1);
  });
});
