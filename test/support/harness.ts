import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppsV1Api, CoreV1Api, CustomObjectsApi, type V1Deployment } from '@kubernetes/client-node';
import type { Rollout } from '../../src/api/types.gen.js';
import { env, kubeConfig } from './env/context.js';
import { canaryWeights, recordRoute } from './route-recorder.js';
import { updateWithRetry } from '../../devenv/env/deployments.js';
import { freePort } from '../../devenv/env/ports.js';
import { startProcess, waitFor, type ManagedProcess } from '../../devenv/env/processes.js';
import { controllerEnv } from '../../devenv/env/info.js';
import { LOOPBACK_ALLOWED_ARGS } from './outbound.js';
import { isNotFound } from '../../src/kube/errors.js';

export { podinfo } from '../../devenv/env/deployments.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface ControllerProcess extends ManagedProcess {
  readonly healthPort: number;
}

export interface ControllerSetup {
  /** Redis database; a test that flushes Redis takes one of its own. */
  readonly redisDb?: number;
  readonly extraArgs?: readonly string[];
  /** False: the controller gets no --prometheus-url (built-in metrics have no Prometheus). */
  readonly prometheus?: boolean;
  /** Redis flags instead of the environment's Redis, e.g. --redis-sentinels. */
  readonly redisArgs?: readonly string[];
  /** Another identity than the admin, e.g. the installed ServiceAccount's. */
  readonly kubeconfig?: string;
}

/**
 * Starts the controller as in production (`node --import tsx src/main.ts`),
 * watching `namespace`, on a queue of that namespace's own so test files
 * sharing the Redis never take each other's ticks.
 */
export async function startController(namespace: string, setup: ControllerSetup = {}): Promise<ControllerProcess> {
  const healthPort = await freePort();
  const id = randomBytes(3).toString('hex');
  const proc = startProcess(
    `flowshift-${id}`,
    process.execPath,
    [
      '--import', 'tsx', join(ROOT, 'src/main.ts'),
      '--kubeconfig', setup.kubeconfig ?? env().kubeconfigPath,
      ...(setup.redisArgs ?? ['--redis-url', `${env().redisUrl}/${setup.redisDb ?? 0}`]),
      '--queue-name', `ticks-${namespace}`,
      ...(setup.prometheus === false ? [] : ['--prometheus-url', env().prometheusUrl]),
      '--namespaces', namespace,
      '--health-address', `127.0.0.1:${healthPort}`,
      '--resync-interval', '2s',
      '--log-level', 'debug',
      // Every test server listens on loopback, which the outbound policy denies by default.
      ...LOOPBACK_ALLOWED_ARGS,
      ...(setup.extraArgs ?? []),
    ],
    { logFile: join(env().dir, `controller-${namespace}-${id}.log`), cwd: ROOT, env: controllerEnv() },
  );
  await waitFor('controller /readyz', async () => (await fetch(`http://127.0.0.1:${healthPort}/readyz`)).ok, {
    timeoutMs: 30_000,
    process: proc,
  });
  return Object.assign(proc, { healthPort });
}

/** An Event on a Rollout as the tests read it; `count` is how often an aggregated one was recorded. */
export interface EventView {
  readonly reason: string;
  readonly message: string;
  readonly type: string;
  readonly count: number;
}

export class Cluster {
  readonly apps = kubeConfig().makeApiClient(AppsV1Api);
  readonly core = kubeConfig().makeApiClient(CoreV1Api);
  readonly custom = kubeConfig().makeApiClient(CustomObjectsApi);

  constructor(readonly namespace: string) {}

  async createRollout(rollout: Rollout): Promise<void> {
    await this.custom.createNamespacedCustomObject({ group: 'flowshift.io', version: 'v1alpha1', plural: 'rollouts', namespace: this.namespace, body: rollout });
  }

  async rollout(name: string): Promise<Rollout> {
    return (await this.custom.getNamespacedCustomObject({ group: 'flowshift.io', version: 'v1alpha1', plural: 'rollouts', namespace: this.namespace, name })) as Rollout;
  }

  async virtualService(name: string): Promise<{ spec: { http: { route: { destination: { host: string }; weight: number }[]; mirrorPercentage?: { value: number } }[] } }> {
    return (await this.custom.getNamespacedCustomObject({ group: 'networking.istio.io', version: 'v1', plural: 'virtualservices', namespace: this.namespace, name })) as never;
  }

  /** Waits until the Rollout's status satisfies `check`; the failure message shows the last status. */
  async waitForRollout(name: string, what: string, check: (r: Rollout) => boolean, timeoutMs = 60_000): Promise<Rollout> {
    let last: Rollout | undefined;
    try {
      await waitFor(what, async () => {
        last = await this.rollout(name);
        return check(last);
      }, { timeoutMs, intervalMs: 100 });
    } catch (err) {
      throw new Error(`${String(err)}\nlast status: ${JSON.stringify(last?.status)}`, { cause: err });
    }
    return last as Rollout;
  }

  /** Waits until the Rollout is gone (its finalizer let go); any answer but 404 keeps waiting. */
  async waitForRolloutGone(name: string, timeoutMs = 30_000): Promise<void> {
    await waitFor(`Rollout ${name} gone`, () => this.rollout(name).then(() => false, (err: unknown) => isNotFound(err)), { timeoutMs });
  }

  /** Read, change, replace; retried on a conflict (the kubelet stand-in writes status meanwhile). */
  async updateDeployment(name: string, mutate: (d: V1Deployment) => void): Promise<void> {
    await updateWithRetry(this.apps, this.namespace, name, mutate);
  }

  async setImage(name: string, image: string): Promise<void> {
    await this.updateDeployment(name, (d) => {
      const container = d.spec?.template.spec?.containers[0];
      if (container) container.image = image;
    });
  }

  /**
   * The Rollout's Events once one with `reason` exists: an Event is recorded
   * after the status write and the actions of its tick, so a test that saw
   * the status must wait a moment for it.
   */
  async eventsOnce(name: string, reason: string): Promise<EventView[]> {
    let events: EventView[] = [];
    await waitFor(`${reason} event`, async () => {
      events = await this.events(name);
      return events.some((e) => e.reason === reason);
    }, { timeoutMs: 10_000 });
    return events;
  }

  /**
   * How often each of a release's transitions (NewRevision, Promoting,
   * Succeeded) was recorded, repeats of an aggregated Event included, once
   * the Succeeded Event is there: a transition carried out twice shows as 2.
   */
  async transitionCounts(name: string): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const e of await this.eventsOnce(name, 'Succeeded')) {
      if (['NewRevision', 'Promoting', 'Succeeded'].includes(e.reason)) counts[e.reason] = (counts[e.reason] ?? 0) + e.count;
    }
    return counts;
  }

  async events(name: string): Promise<EventView[]> {
    const list = await this.core.listNamespacedEvent({ namespace: this.namespace, fieldSelector: `involvedObject.name=${name},involvedObject.kind=Rollout` });
    return list.items.map((e) => ({ reason: e.reason ?? '', message: e.message ?? '', type: e.type ?? '', count: e.count ?? 1 }));
  }

  /**
   * Records every change of the canary weight in the VirtualService as it
   * happens (a watch that resumes where it ended, so no value is missed).
   */
  async recordWeights(vsName: string): Promise<{ readonly weights: number[]; stop: () => void }> {
    const route = await recordRoute(this.namespace, 'istio', vsName);
    return {
      get weights() {
        return canaryWeights(route.views);
      },
      stop: route.stop,
    };
  }
}
