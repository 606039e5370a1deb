import { decodeSecretData } from '../kube/secrets.js';
import { GROUP, VERSION } from '../api/names.js';
import type { KubeClients } from '../kube/client.js';
import { statusCode } from '../kube/errors.js';
import type { MetricTemplate } from '../api/types.gen.js';
import { parseMetricTemplate } from './metric-template.js';
import type { MetricAnalyzerDeps } from './metric-analyzer.js';

export const METRIC_TEMPLATE_PLURAL = 'metrictemplates';

export type KubeMetricSources = Pick<MetricAnalyzerDeps, 'readTemplate' | 'readSecret'>;

/**
 * The analyzer's readers on the API server: MetricTemplates through the
 * custom objects API, Secrets through the core API (data base64-decoded).
 * Not found is undefined; any other API error throws, and the analyzer turns
 * it into a failed check.
 */
export function kubeMetricSources({ custom, core }: KubeClients): KubeMetricSources {
  return {
    async readTemplate(namespace: string, name: string, signal?: AbortSignal): Promise<MetricTemplate | undefined> {
      signal?.throwIfAborted();
      const object: unknown = await orUndefinedWhenNotFound(
        custom.getNamespacedCustomObject({
          group: GROUP,
          version: VERSION,
          plural: METRIC_TEMPLATE_PLURAL,
          namespace,
          name,
        }),
        `reading MetricTemplate ${namespace}/${name}`,
      );
      return object === undefined ? undefined : parseMetricTemplate(object);
    },
    async readSecret(namespace: string, name: string, signal?: AbortSignal): Promise<Record<string, string> | undefined> {
      signal?.throwIfAborted();
      const secret = await orUndefinedWhenNotFound(core.readNamespacedSecret({ namespace, name }), `reading Secret ${namespace}/${name}`);
      if (!secret) return undefined;
      return decodeSecretData(secret.data ?? {});
    },
  };
}

async function orUndefinedWhenNotFound<T>(request: Promise<T>, what: string): Promise<T | undefined> {
  try {
    return await request;
  } catch (err: unknown) {
    if (statusCode(err) === 404) return undefined;
    throw new Error(`${what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}
