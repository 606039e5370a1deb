import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { tcpProxy, type TcpProxy } from '../../kube/stand-ins.js';
import { createNamespace, env } from '../../support/env/context.js';
import { Cluster, podinfo, startController, type ControllerProcess } from '../../support/harness.js';
import { quickRollout } from '../../support/rollouts.js';

const STEPS = [0, 20, 40, 60, 0];

/** The test environment's kubeconfig, pointed at `port` on loopback (the API server's certificate names 127.0.0.1, whatever the port). */
function kubeconfigThrough(port: number, name: string): string {
  const config = JSON.parse(readFileSync(env().kubeconfigPath, 'utf8')) as { clusters: [{ cluster: { server: string } }] };
  const server = new URL(config.clusters[0].cluster.server);
  server.port = String(port);
  config.clusters[0].cluster.server = server.toString().replace(/\/$/, '');
  const file = join(env().dir, `kubeconfig-${name}`);
  writeFileSync(file, JSON.stringify(config));
  return file;
}

describe('the API server going away mid-release', () => {
  let controller: ControllerProcess | undefined;
  let proxy: TcpProxy | undefined;
  afterEach(async () => {
    await controller?.stop();
    await proxy?.close();
  });

  it('keeps the controller up through 5 s without the API server: its watches resume and the release goes on, no step skipped or repeated', async () => {
    const namespace = await createNamespace('outage');
    const cluster = new Cluster(namespace);
    const apiServer = new URL(env().apiServerUrl);
    // The controller reaches the API server only through this proxy: cutting it resets every connection (watches
    // included) and refuses new ones, as a stopped or restarting API server does; the test itself talks to the API server directly.
    proxy = await tcpProxy({ host: apiServer.hostname, port: Number(apiServer.port) });
    controller = await startController(namespace, { kubeconfig: kubeconfigThrough(proxy.port, namespace) });
    await cluster.apps.createNamespacedDeployment({ namespace, body: podinfo('app') });
    await cluster.createRollout(quickRollout('app', { analysis: { interval: '2s', threshold: 2 } }));
    await cluster.waitForRollout('app', 'Initialized', (r) => r.status?.phase === 'Initialized');

    const recorder = await cluster.recordWeights('app');
    await cluster.setImage('app', 'podinfo:2');
    await cluster.waitForRollout('app', 'weight 20', (r) => r.status?.canaryWeight === 20);
    let exited = false;
    void controller.exited.then(() => (exited = true));

    await proxy.cut();
    await sleep(5_000);
    await proxy.restore();

    await cluster.waitForRollout('app', 'Succeeded', (r) => r.status?.phase === 'Succeeded', 90_000);
    recorder.stop();
    expect(exited).toBe(false);
    expect(recorder.weights).toEqual(STEPS);
    expect(await cluster.transitionCounts('app')).toEqual({ NewRevision: 1, Promoting: 1, Succeeded: 1 });
    // The watches did fail, and were resumed.
    expect(readFileSync(controller.logFile, 'utf8')).toContain('watch failed: restarting');
  });
});
