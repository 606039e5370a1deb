import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { startEnvironment, type Environment } from '../env/environment.js';
import { freePort } from '../env/ports.js';
import { addScrapeTarget } from '../env/prometheus.js';
import { startProcess, waitFor, type ManagedProcess } from '../env/processes.js';
import { controllerEnv } from '../env/info.js';
import { MeshSimulator } from '../sim/mesh-simulator.js';
import { HEALTHY, NAMESPACE, TARGET } from './objects.js';
import { say } from './say.js';
import { SlackSink } from './slack-sink.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The tsx loader as a file URL, so the plugin wrapper works from any working directory. */
const TSX = import.meta.resolve('tsx');

/** Everything the demo runs; `stop` ends all of it and removes the temp folder. */
export interface Stack {
  readonly env: Environment;
  readonly kubeConfig: KubeConfig;
  readonly sim: MeshSimulator;
  readonly sink: SlackSink;
  readonly controller: ManagedProcess;
  /** Folder holding the `kubectl-flowshift` wrapper; put it on PATH. */
  readonly binDir: string;
  readonly pids: Readonly<Record<string, number>>;
}

/** What has been started so far, so an interrupted start-up still stops it all. */
export class StackParts {
  /** Set as soon as the start begins: a signal during it waits for the start, then stops what it started. */
  env?: Promise<Environment>;
  sim?: MeshSimulator;
  sink?: SlackSink;
  controller?: ManagedProcess;
  private stopping = false;

  /** Throws once stop() has begun, so a start in progress starts nothing more. */
  check(): void {
    if (this.stopping) throw new Error('the demo is stopping');
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.controller?.stop();
    await this.sim?.stop();
    await this.sink?.stop();
    // A start that failed has stopped its own processes already.
    const env = await this.env?.catch(() => undefined);
    await env?.stop();
  }
}

/**
 * Starts the test environment, the mesh simulator for podinfo in namespace
 * `demo` (scraped by Prometheus), the Slack stand-in and the controller as
 * its own process. The controller runs from source through tsx: on a fresh
 * clone that starts in about a second, where `npm run build` first compiles
 * the whole project with tsc (tens of seconds on a small machine).
 */
export async function startStack(parts: StackParts): Promise<Stack> {
  say('starting etcd, kube-apiserver (with the CRDs of flowshift, Istio, and the Gateway API when found), Redis, Prometheus and the kubelet stand-in');
  parts.env = startEnvironment({ readyAfterMs: 500 });
  const env = await parts.env;
  parts.check();
  const { info } = env;
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(info.kubeconfigPath);
  const binDir = writePluginWrapper(info.dir);
  say(`use it from another terminal:  export KUBECONFIG=${info.kubeconfigPath} PATH=${binDir}:$PATH`);
  say(`  then e.g.  kubectl get rollouts -n ${NAMESPACE}   or   kubectl flowshift status -w ${TARGET} -n ${NAMESPACE}`);

  await createNamespace(kubeConfig);
  parts.check();
  const sim = await MeshSimulator.start({ kubeConfig, namespace: NAMESPACE, target: TARGET, requestsPerSecond: 100, primary: HEALTHY, canary: HEALTHY });
  parts.sim = sim;
  parts.check();
  addScrapeTarget(info.prometheusTargetsDir, `sim-${NAMESPACE}`, sim.address);
  say(`mesh simulator: 100 requests/s to ${TARGET}, split by its VirtualService, Istio metrics at ${sim.url}/metrics (scraped every second)`);

  parts.sink = await SlackSink.start();
  parts.check();
  say(`Slack stand-in listening at ${parts.sink.url}: every message the controller posts is printed as "slack …"`);

  parts.controller = await startController(info.kubeconfigPath, info.redisUrl, info.prometheusUrl, info.dir);
  const pids = { ...info.pids, controller: parts.controller.pid };
  say(`controller running (pid ${parts.controller.pid}, log ${parts.controller.logFile})`);
  say(`started pids: ${Object.entries(pids).map(([name, pid]) => `${name}=${pid}`).join(' ')}`);
  return { env, kubeConfig, sim, sink: parts.sink, controller: parts.controller, binDir, pids };
}

async function startController(kubeconfig: string, redisUrl: string, prometheusUrl: string, dir: string): Promise<ManagedProcess> {
  const healthPort = await freePort();
  const proc = startProcess(
    'controller',
    process.execPath,
    ['--import', TSX, join(ROOT, 'src/main.ts'),
      '--kubeconfig', kubeconfig, '--redis-url', redisUrl, '--prometheus-url', prometheusUrl,
      '--namespaces', NAMESPACE, '--health-address', `127.0.0.1:${healthPort}`, '--resync-interval', '2s', '--cluster-name', 'demo',
      // The demo's hook and chat servers listen on loopback, which the outbound policy denies by default.
      '--outbound-allow-cidrs', '127.0.0.0/8'],
    { logFile: join(dir, 'controller.log'), cwd: ROOT, env: controllerEnv() },
  );
  await waitFor('controller /readyz', async () => (await fetch(`http://127.0.0.1:${healthPort}/readyz`)).ok, { timeoutMs: 60_000, process: proc });
  return proc;
}

async function createNamespace(kubeConfig: KubeConfig): Promise<void> {
  await kubeConfig.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: NAMESPACE } } });
}

/**
 * `kubectl-flowshift` for this run: the plugin from source through tsx with
 * the Node the demo runs on, so `kubectl flowshift …` works in another
 * terminal without a build (the shipped plugin is dist/cli/main.js).
 */
function writePluginWrapper(dir: string): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  const file = join(bin, 'kubectl-flowshift');
  writeFileSync(file, `#!/bin/sh\nexec '${process.execPath}' --import '${TSX}' '${join(ROOT, 'src/cli/main.ts')}' "$@"\n`);
  chmodSync(file, 0o755);
  return bin;
}
