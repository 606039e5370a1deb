import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { AUDIT_LOG, AUDITED_NAMESPACE } from '../devenv/env/apiserver.js';
import { startEnvironment, type Environment } from '../devenv/env/environment.js';
import { freePort } from '../devenv/env/ports.js';
import { startProcess, waitFor, type ManagedProcess } from '../devenv/env/processes.js';
import { controllerEnv } from '../devenv/env/info.js';
import { rssMb } from './stats.js';

/** The controller's identity: a ServiceAccount of the audited namespace, so the audit log holds its requests and no one else's. */
const CONTROLLER_SA = 'flowshift-bench';
export const CONTROLLER_USER = `system:serviceaccount:${AUDITED_NAMESPACE}:${CONTROLLER_SA}`;

/**
 * The API server allocates Service IPs from a bitmap, as before 1.33. Since
 * then its allocator lists every IPAddress object on each allocation (O(n)):
 * the 30,000 Services of 10,000 Rollouts took it longer than the benchmark's
 * half hour, the IPs' own cost and not the controller's. 1.34 locks the new
 * allocator on, so the API server emulates 1.33, where it can be turned off.
 */
const BITMAP_CLUSTER_IPS = ['--emulated-version=1.33', '--feature-gates=MultiCIDRServiceAllocator=false'];

export interface Controller {
  readonly process: ManagedProcess;
  readonly metricsUrl: string;
  readonly logFile: string;
  /** Highest and latest RSS sampled (every 500 ms), in MB. */
  readonly rss: { max: number; last: number };
}

export interface ControllerOptions {
  readonly namespace: string;
  readonly concurrency: number;
  readonly resyncInterval: string;
  readonly debugLog: boolean;
  readonly nodeArgs: readonly string[];
  /** How long to wait for /readyz; a minute unless said. */
  readonly readyTimeoutMs?: number;
}

/** The test environment, the controller's kubeconfig, and every controller process started on it. */
export class BenchCluster {
  readonly kc = new KubeConfig();
  readonly auditFile: string;
  readonly controllers: Controller[] = [];
  /** Controller processes started so far, stopped ones included: each gets its own name and log. */
  private started = 0;
  private readonly samplers: NodeJS.Timeout[] = [];
  private readonly deferred: (() => void)[] = [];
  private controllerKubeconfig = '';

  private constructor(readonly environment: Environment) {
    this.kc.loadFromFile(environment.info.kubeconfigPath);
    this.auditFile = join(environment.info.dir, AUDIT_LOG);
  }

  /**
   * Starts the environment, runs `work` on it, and stops every process it
   * started (controllers first, then the environment by PID), also on an
   * error, SIGINT (Ctrl-C) or SIGTERM.
   */
  static async run<T>(work: (cluster: BenchCluster) => Promise<T>): Promise<T> {
    let cluster: BenchCluster | undefined;
    let stopping: Promise<void> | undefined;
    const stop = (): Promise<void> => (stopping ??= (cluster?.stop() ?? Promise.resolve()));
    // `on`, not `once`: under tsx (and a terminal's Ctrl-C) the signal arrives
    // twice, and a second one without a listener would end the process before
    // the servers are stopped.
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) return;
      process.stderr.write(`\n[bench] ${signal}: stopping every process started\n`);
      void stop()
        .catch((err: unknown) => process.stderr.write(`[bench] stopping failed: ${String(err)}\n`))
        .finally(() => process.exit(130));
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const environment = await startEnvironment({ readyAfterMs: 200 }, BITMAP_CLUSTER_IPS);
      cluster = new BenchCluster(environment);
      await cluster.setUpIdentity();
      return await work(cluster);
    } finally {
      await stop();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }

  /** Starts one more controller process (all share the environment's Redis and the default queue) and waits until it is ready. */
  async startController(options: ControllerOptions): Promise<Controller> {
    const { info } = this.environment;
    const healthPort = await freePort();
    const index = this.started++;
    const logFile = join(info.dir, `bench-controller-${index}.log`);
    const proc = startProcess(
      `flowshift-${index}`,
      process.execPath,
      [
        ...options.nodeArgs, 'dist/main.js', '--kubeconfig', this.controllerKubeconfig, '--redis-url', info.redisUrl, '--prometheus-url', info.prometheusUrl,
        '--namespaces', options.namespace, '--health-address', `127.0.0.1:${healthPort}`, '--log-level', options.debugLog ? 'debug' : 'info',
        '--concurrency', String(options.concurrency), '--resync-interval', options.resyncInterval,
        // The bench's hook servers listen on loopback, which the outbound policy denies by default.
        '--outbound-allow-cidrs', '127.0.0.0/8',
      ],
      { logFile, env: controllerEnv() },
    );
    const rss = { max: 0, last: 0 };
    const controller: Controller = { process: proc, metricsUrl: `http://127.0.0.1:${healthPort}/metrics`, logFile, rss };
    this.controllers.push(controller);
    this.samplers.push(setInterval(() => {
      if (!proc.isRunning()) return;
      rss.last = rssMb(proc.pid);
      rss.max = Math.max(rss.max, rss.last);
    }, 500));
    await waitFor('controller ready', async () => (await fetch(`http://127.0.0.1:${healthPort}/readyz`)).ok, { timeoutMs: options.readyTimeoutMs ?? 60_000, process: proc });
    return controller;
  }

  /** Stops every controller process and forgets it: what is measured next is the controllers started after. */
  async stopControllers(): Promise<void> {
    for (const c of this.controllers.splice(0)) await c.process.stop();
  }

  /** Runs `fn` when the cluster stops, before any process is: watches and timers of the benchmark itself. */
  defer(fn: () => void): void {
    this.deferred.push(fn);
  }

  async stop(): Promise<void> {
    for (const fn of this.deferred) fn();
    for (const s of this.samplers) clearInterval(s);
    for (const c of this.controllers) await c.process.stop();
    await this.environment.stop();
  }

  /** A ServiceAccount bound to cluster-admin, and a kubeconfig with a token of it for the controller. */
  private async setUpIdentity(): Promise<void> {
    const core = this.kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: AUDITED_NAMESPACE } } });
    await core.createNamespacedServiceAccount({ namespace: AUDITED_NAMESPACE, body: { metadata: { name: CONTROLLER_SA } } });
    await this.kc.makeApiClient(RbacAuthorizationV1Api).createClusterRoleBinding({
      body: {
        metadata: { name: CONTROLLER_SA },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
        subjects: [{ kind: 'ServiceAccount', name: CONTROLLER_SA, namespace: AUDITED_NAMESPACE }],
      },
    });
    const request = await core.createNamespacedServiceAccountToken({ namespace: AUDITED_NAMESPACE, name: CONTROLLER_SA, body: { spec: { audiences: [], expirationSeconds: 6 * 3600 } } });
    const token = request.status?.token;
    if (!token) throw new Error('TokenRequest returned no token');
    const cluster = this.kc.getCurrentCluster();
    this.controllerKubeconfig = join(this.environment.info.dir, 'kubeconfig-controller');
    writeFileSync(this.controllerKubeconfig, JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'bench', cluster: { server: cluster?.server, 'certificate-authority-data': cluster?.caData } }],
      users: [{ name: CONTROLLER_SA, user: { token } }],
      contexts: [{ name: 'bench', context: { cluster: 'bench', user: CONTROLLER_SA } }],
      'current-context': 'bench',
    }));
  }
}
