import { randomBytes } from 'node:crypto';
import { CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { inject } from 'vitest';
import type { EnvInfo } from '../../../devenv/env/info.js';
import { KubeClients, type RequestObserver } from '../../../src/kube/client.js';
import { loadKubeConfig } from '../../../src/kube/kubeconfig.js';

export { addScrapeTarget, removeScrapeTarget } from '../../../devenv/env/prometheus.js';
export { KubeletAnnotation } from '../../../devenv/env/kubelet.js';

/** The shared environment's addresses, for use inside a test file. */
/** client-node's request options for a JSON merge patch (CRDs reject strategic merge patches). */
export const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export function env(): EnvInfo {
  return inject('env');
}

/** An admin KubeConfig for the test API server. */
export function kubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(env().kubeconfigPath);
  return kc;
}

/** Creates a namespace of its own for a test (namespaces are never reused). */
/** flowshift's own client of the test API server, its kubeconfig loaded as the controller loads it. */
export function kubeClients(onRequest?: RequestObserver): Promise<KubeClients> {
  return Promise.resolve(new KubeClients(loadKubeConfig({ kubeconfig: env().kubeconfigPath }), onRequest ? { onRequest } : {}));
}

export async function createNamespace(prefix: string): Promise<string> {
  const name = `${prefix}-${randomBytes(3).toString('hex')}`;
  await kubeConfig().makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name } } });
  return name;
}
