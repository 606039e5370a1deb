import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { startApiServer } from './apiserver.js';
import { resolveKubeBinaries } from './binaries.js';
import { installCrds, readCrdDir, readCrdFile } from './crds.js';
import { startEtcd } from './etcd.js';
import type { EnvInfo } from './info.js';
import { KubeletStandIn, type KubeletOptions } from './kubelet.js';
import type { ManagedProcess } from './processes.js';
import { startPrometheus } from './prometheus.js';
import { startRedis } from './redis.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PERMISSIVE_ISTIO_CRDS = join(ROOT, 'test/fixtures/istio-networking-crds-permissive.yaml');

export interface Environment {
  readonly info: EnvInfo;
  /** Stops every process by PID and removes the temp folder (unless FLOWSHIFT_KEEP_ENV). */
  readonly stop: () => Promise<void>;
}

/**
 * Starts etcd, kube-apiserver with the project's and Istio's CRDs, Redis,
 * Prometheus and the kubelet stand-in: the environment of the tests and the
 * benchmarks.
 */
export async function startEnvironment(kubelet: KubeletOptions = {}, apiServerArgs: readonly string[] = []): Promise<Environment> {
  const dir = mkdtempSync(join(tmpdir(), 'flowshift-env-'));
  const started: ManagedProcess[] = [];
  let standIn: KubeletStandIn | undefined;
  const stop = async (): Promise<void> => {
    await standIn?.stop();
    for (const p of started.reverse()) await p.stop();
    if (process.env['FLOWSHIFT_KEEP_ENV']) process.stderr.write(`[envtest] logs kept in ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
  };
  try {
    const t0 = Date.now();
    const binaries = await resolveKubeBinaries();
    const [etcd, redis, prometheus] = await Promise.all([
      startEtcd(binaries.etcd, dir).then((e) => (started.push(e.process), e)),
      startRedis(dir).then((r) => (started.push(r.process), r)),
      startPrometheus(dir).then((p) => (started.push(p.process), p)),
    ]);
    const apiserver = await startApiServer(binaries.kubeApiserver, etcd.url, dir, apiServerArgs);
    started.push(apiserver.process);

    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(apiserver.kubeconfigPath);
    const istioCrdsFile = istioCrdsPath();
    const gatewayApi = gatewayApiCrdsPath();
    await installCrds(kubeConfig, [...readCrdDir(join(ROOT, 'crds')), ...readCrdFile(istioCrdsFile), ...(gatewayApi ? readCrdFile(gatewayApi) : [])]);
    standIn = new KubeletStandIn(kubeConfig, kubelet);
    await standIn.start();

    const info: EnvInfo = {
      dir,
      kubeconfigPath: apiserver.kubeconfigPath,
      apiServerUrl: apiserver.url,
      redisUrl: redis.url,
      prometheusUrl: prometheus.url,
      prometheusTargetsDir: prometheus.targetsDir,
      istioCrds: istioCrdsFile === PERMISSIVE_ISTIO_CRDS ? 'permissive' : 'istio',
      pids: Object.fromEntries(started.map((p) => [p.name, p.pid])),
      peerApiServer: apiserver.peer,
    };
    process.stderr.write(`[envtest] ready in ${Date.now() - t0} ms (Istio CRDs: ${info.istioCrds}; ${dir})\n`);
    return { info, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * The Gateway API's real CRDs (standard channel): $GATEWAY_API_CRDS, or the
 * shared fixtures beside the clone. Without them the Gateway API tests fail
 * with a 404 for httproutes, which this warning explains.
 */
function gatewayApiCrdsPath(): string | undefined {
  const file = resolve(process.env['GATEWAY_API_CRDS'] ?? join(ROOT, '../shared/fixtures/gateway-api/standard-crds.yaml'));
  if (existsSync(file)) return file;
  process.stderr.write(`[envtest] warning: no Gateway API CRDs at ${file} (set GATEWAY_API_CRDS): the gatewayapi router cannot be tested\n`);
  return undefined;
}

function istioCrdsPath(): string {
  const fromEnv = process.env['ISTIO_CRDS'];
  if (!fromEnv) return PERMISSIVE_ISTIO_CRDS;
  const file = resolve(fromEnv);
  if (!existsSync(file)) throw new Error(`ISTIO_CRDS=${fromEnv}: no such file (unset it to use the permissive fixture)`);
  return file;
}
