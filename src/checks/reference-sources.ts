import type { V1Deployment } from '@kubernetes/client-node';
import type { KubeClients } from '../kube/client.js';
import { PrometheusProvider, type PrometheusProviderOptions } from '../metrics/providers/prometheus/provider.js';
import { QueryOutcomeKind } from '../metrics/provider.js';
import { kubeAlertSources } from '../notifier/alerts.js';
import { ServedApis } from '../router/apis.js';
import { PROBE_TIMEOUT_MS, type ReferenceSources } from './references.js';
import type { ReadTemplate } from './spec.js';

export interface KubeReferenceDeps {
  readonly clients: KubeClients;
  readonly readTemplate: ReadTemplate;
  readonly readSecret: (namespace: string, name: string) => Promise<Readonly<Record<string, string>> | undefined>;
  /** The target as the informer holds it: the preflight reads no Deployment from the API server. */
  readonly cachedDeployment: (namespace: string, name: string) => V1Deployment | undefined;
  readonly prometheusUrl?: string | undefined;
}

/** The preflight's readers on the API server and Prometheus. */
export function kubeReferenceSources(deps: KubeReferenceDeps): ReferenceSources {
  const apis = new ServedApis(deps.clients);
  return {
    readTemplate: deps.readTemplate,
    readSecret: deps.readSecret,
    alerts: kubeAlertSources(deps.clients),
    readDeployment: (namespace, name) => Promise.resolve(deps.cachedDeployment(namespace, name)),
    serves: (group, version) => apis.serves(group, version),
    probePrometheus: keptProbe(probePrometheus),
    prometheusUrl: deps.prometheusUrl,
  };
}

/** How long a Prometheus that answered the probe is taken to answer. */
const PROBE_KEPT_MS = 30_000;

type Probe = (options: PrometheusProviderOptions) => Promise<string | undefined>;

/**
 * `probe`, asked once per Prometheus (address, headers, credentials) per
 * PROBE_KEPT_MS while it answers, where every preflight of every Rollout
 * used to send its own query; concurrent preflights share one probe. A
 * failed probe is not kept: the next preflight asks again.
 */
export function keptProbe(probe: Probe, now: () => number = Date.now): Probe {
  const answered = new Map<string, number>();
  const pending = new Map<string, Promise<string | undefined>>();
  return (options) => {
    const key = JSON.stringify([options.address, options.headers ?? null, options.auth ?? null]);
    const at = answered.get(key);
    if (at !== undefined && now() - at < PROBE_KEPT_MS) return Promise.resolve(undefined);
    let asked = pending.get(key);
    if (!asked) {
      asked = probe(options)
        .then((why) => {
          if (why === undefined) answered.set(key, now());
          else answered.delete(key);
          return why;
        })
        .finally(() => pending.delete(key));
      pending.set(key, asked);
    }
    return asked;
  };
}

/** A query any Prometheus answers with one number at once: an answer is the only thing probed. */
export async function probePrometheus(options: PrometheusProviderOptions): Promise<string | undefined> {
  const outcome = await new PrometheusProvider({ ...options, timeoutMs: PROBE_TIMEOUT_MS }).instantQuery('vector(1)');
  switch (outcome.kind) {
    case QueryOutcomeKind.Value:
      return undefined;
    case QueryOutcomeKind.QueryError:
    case QueryOutcomeKind.Unreachable:
    case QueryOutcomeKind.Timeout:
      return outcome.message;
    case QueryOutcomeKind.NoData:
    case QueryOutcomeKind.NotFinite:
    case QueryOutcomeKind.MultipleSeries:
      return `vector(1) came back as ${outcome.kind}: is this a Prometheus API?`;
  }
}
