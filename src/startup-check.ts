import { apiMessage, statusCode } from './kube/errors.js';
import type { KubeClients } from './kube/client.js';
import { GROUP, VERSION } from './api/names.js';
import { unservedRouters } from './router/apis.js';
import { MESH_PROVIDERS } from './router/registry.js';
import { redactUrl, redactUrlsIn } from './redact.js';
import { connectRedis } from './redis/client.js';
import { describeRedis, type RedisConnection } from './redis/settings.js';

/** A dependency the controller cannot run without, with what to do about it. */
export class PreflightError extends Error {
  readonly code = 'FLOWSHIFT_PREFLIGHT_FAILED';
  override readonly name = 'PreflightError';
}

const TIMEOUT_MS = 10_000;

const REDIS_FIX = {
  standalone: 'Start Redis or set --redis-url (REDIS_URL).',
  sentinel: 'Check --redis-sentinels (REDIS_SENTINELS) and --redis-sentinel-master (REDIS_SENTINEL_MASTER).',
  cluster: 'Check --redis-cluster-nodes (REDIS_CLUSTER_NODES).',
} as const;

/**
 * Checks once at start-up that the API server answers, the Rollout CRD is
 * installed and Redis answers, so a misconfigured controller says what is
 * wrong instead of retrying watches forever.
 */
export async function preflight(clients: KubeClients, redisTarget: RedisConnection, warn: (message: string) => void = stderrWarning): Promise<void> {
  const server = redactUrl(clients.kubeConfig.getCurrentCluster()?.server ?? '');
  try {
    await withTimeout(clients.version.getCode(), `no answer from ${server}`);
  } catch (err) {
    throw new PreflightError(`cannot reach the Kubernetes API server at ${server}: ${apiMessage(err)}. Point --kubeconfig (or KUBECONFIG) at your cluster.`, { cause: err });
  }
  try {
    const groups = await withTimeout(clients.apis.getAPIVersions(), `no answer from ${server}`);
    const installed = groups.groups.some((g) => g.name === GROUP && g.versions.some((v) => v.version === VERSION));
    if (!installed) throw new PreflightError(`the Rollout CRD (${GROUP}/${VERSION}) is not installed in ${server}: kubectl apply -f crds/`);
  } catch (err) {
    if (err instanceof PreflightError) throw err;
    const forbidden = statusCode(err) === 403 ? ' (check the controller RBAC)' : '';
    throw new PreflightError(`cannot list API groups at ${server}: ${apiMessage(err)}${forbidden}`, { cause: err });
  }
  await routeApis(clients, server, warn);
  const redis = connectRedis(redisTarget, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: TIMEOUT_MS });
  redis.on('error', () => undefined);
  try {
    await withTimeout(redis.connect().then(() => redis.ping()), `no answer from Redis`);
  } catch (err) {
    const reason = redactUrlsIn(err instanceof Error ? err.message : String(err));
    throw new PreflightError(`cannot reach Redis at ${describeRedis(redisTarget)}: ${reason}. ${REDIS_FIX[redisTarget.kind]}`);
  } finally {
    redis.disconnect();
  }
}

/**
 * A router whose API is not served cannot route, but Rollouts of the other
 * provider still can: a warning with the fix (those Rollouts are held by
 * their own preflight), and an error only when no router can work.
 */
async function routeApis(clients: KubeClients, server: string, warn: (message: string) => void): Promise<void> {
  const unserved = await withTimeout(unservedRouters(clients), `no answer from ${server}`);
  if (unserved.length === MESH_PROVIDERS.length) throw new PreflightError(`no router can work against ${server}: ${unserved.map((u) => u.message).join('; ')}`);
  for (const u of unserved) warn(`${u.message}; Rollouts with provider ${u.provider} wait until it is served`);
}

function stderrWarning(message: string): void {
  process.stderr.write(`flowshift: warning: ${message}\n`);
}

async function withTimeout<T>(promise: Promise<T>, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${message} within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
