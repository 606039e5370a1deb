import type { KubeClients } from '../kube/client.js';
import type { TargetRef } from '../api/types.gen.js';
import type { Workload } from '../workload/workload.js';
import type { MetricBackend } from '../metrics/providers/registry.js';
import { kubeAlertSources } from '../notifier/alerts.js';
import { ServedApis } from '../kube/served-apis.js';
import type { ReferenceSources } from './references.js';
import type { ReadTemplate } from './spec.js';
import type { OutboundPolicy } from '../http/outbound-policy.js';

export interface KubeReferenceDeps {
  readonly clients: KubeClients;
  readonly readTemplate: ReadTemplate;
  readonly readSecret: (namespace: string, name: string) => Promise<Readonly<Record<string, string>> | undefined>;
  /** The target as the informers hold it: the preflight reads no target from the API server. */
  readonly cachedTarget: (namespace: string, ref: TargetRef) => Workload | undefined;
  readonly prometheusUrl?: string | undefined;
  /** Where a MetricTemplate's address may connect: the probe obeys the same policy as the analysis. */
  readonly outbound: OutboundPolicy;
}

/** The preflight's readers on the API server and the metric backends. */
export function kubeReferenceSources(deps: KubeReferenceDeps): ReferenceSources {
  const apis = new ServedApis(deps.clients);
  return {
    readTemplate: deps.readTemplate,
    readSecret: deps.readSecret,
    alerts: kubeAlertSources(deps.clients),
    readTarget: (namespace, ref) => Promise.resolve(deps.cachedTarget(namespace, ref)),
    serves: (group, version) => apis.serves(group, version),
    probe: keptProbe(probeBackend, (backend) => JSON.stringify([backend.type, backend.options])),
    prometheusUrl: deps.prometheusUrl,
    outbound: deps.outbound,
  };
}

/** How long a backend that answered the probe is taken to answer. */
const PROBE_KEPT_MS = 30_000;

type Probe<T> = (target: T) => Promise<string | undefined>;

/**
 * `probe`, asked once per backend (`keyOf`: address, headers, credentials …)
 * per PROBE_KEPT_MS while it answers, where every preflight of every Rollout
 * used to send its own query; concurrent preflights share one probe. A
 * failed probe is not kept: the next preflight asks again.
 */
export function keptProbe<T>(probe: Probe<T>, keyOf: (target: T) => string, now: () => number = Date.now): Probe<T> {
  const answered = new Map<string, number>();
  const pending = new Map<string, Promise<string | undefined>>();
  return (target) => {
    const key = keyOf(target);
    const at = answered.get(key);
    if (at !== undefined && now() - at < PROBE_KEPT_MS) return Promise.resolve(undefined);
    let asked = pending.get(key);
    if (!asked) {
      asked = probe(target)
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

/** The backend's own probe; a provider without one is taken to answer. */
export function probeBackend(backend: MetricBackend): Promise<string | undefined> {
  return backend.plugin.probe?.(backend.options) ?? Promise.resolve(undefined);
}
