import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { queuePrefix } from '../../../src/redis/client.js';
import { createNamespace, env } from '../../support/env/context.js';
import { freePort } from '../../../devenv/env/ports.js';
import { waitFor } from '../../../devenv/env/processes.js';
import { Cluster, podinfo, startController } from '../../support/harness.js';
import { quickRollout } from '../../support/rollouts.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** Runs the controller to its exit; resolves with the exit code and stderr. */
function runToExit(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe('the controller process', () => {
  it('exits 2 on a bad setting, naming the flag and its variable', async () => {
    const { code, stderr } = await runToExit(['--concurrency', 'many']);
    expect(code).toBe(2);
    expect(stderr).toContain('--concurrency (CONCURRENCY): "many" must be a whole number of at least 1');
  });

  it('exits 1 when Redis cannot be reached, saying where it looked and what to set', async () => {
    const closed = await freePort();
    const { code, stderr } = await runToExit(['--kubeconfig', env().kubeconfigPath, '--redis-url', `redis://127.0.0.1:${closed}`]);
    expect(code).toBe(1);
    expect(stderr).toContain(`flowshift: cannot reach Redis at redis://127.0.0.1:${closed}`);
    expect(stderr).toContain('--redis-url (REDIS_URL)');
  });

  it('drains on SIGTERM and exits 0', async () => {
    const controller = await startController(await createNamespace('drain'));
    await controller.stop();
    expect(await controller.exited).toBe(0);
  });

  it('stops the tick chain of a Rollout deleted mid-release', async () => {
    const cluster = new Cluster(await createNamespace('chain'));
    const controller = await startController(cluster.namespace);
    const connection = new Redis(env().redisUrl, { maxRetriesPerRequest: null });
    const queue = new Queue(`ticks-${cluster.namespace}`, { connection, prefix: queuePrefix(`ticks-${cluster.namespace}`) });
    try {
      await cluster.apps.createNamespacedDeployment({ namespace: cluster.namespace, body: podinfo('gone') });
      // A minute between checks: mid-release, its next tick waits in the queue (an Initialized Rollout rests, with no tick queued).
      await cluster.createRollout(quickRollout('gone', { analysis: { interval: '1m', threshold: 2 } }));
      await cluster.waitForRollout('gone', 'Initialized', (r) => r.status?.phase === 'Initialized');
      await cluster.setImage('gone', 'podinfo:2');
      await cluster.waitForRollout('gone', 'Progressing', (r) => r.status?.phase === 'Progressing' && (r.status.canaryWeight ?? 0) > 0);
      const pending = async (): Promise<number> => {
        const counts = await queue.getJobCounts('delayed', 'waiting', 'active');
        return (counts['delayed'] ?? 0) + (counts['waiting'] ?? 0) + (counts['active'] ?? 0);
      };
      expect(await pending()).toBeGreaterThan(0);
      await cluster.custom.deleteNamespacedCustomObject({ group: 'flowshift.io', version: 'v1alpha1', plural: 'rollouts', namespace: cluster.namespace, name: 'gone' });
      await waitFor('no tick left', async () => (await pending()) === 0, { timeoutMs: 15_000 });
    } finally {
      await queue.close();
      connection.disconnect();
      await controller.stop();
    }
  });
});
