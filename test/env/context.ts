import { randomBytes } from 'node:crypto';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { inject } from 'vitest';
import type { EnvInfo } from '../../devenv/env/info.js';

export { addScrapeTarget, removeScrapeTarget } from '../../devenv/env/prometheus.js';
export { KubeletAnnotation } from '../../devenv/env/kubelet.js';

/** The shared environment's addresses, for use inside a test file. */
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
export async function createNamespace(prefix: string): Promise<string> {
  const name = `${prefix}-${randomBytes(3).toString('hex')}`;
  await kubeConfig().makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name } } });
  return name;
}
