import { grantProblem } from '../api/grants.js';
import type { MetricSpec, MetricTemplate, Rollout, TargetRef } from '../api/types.gen.js';
import type { Workload } from '../workload/workload.js';
import { querySourceOf } from '../analysis/metric-query.js';
import { metricBackendFor, type MetricBackend } from '../metrics/providers/registry.js';
import { SIGNING_KEY } from '../gates/webhook.js';
import { checkAlerts, type AlertSources } from '../notifier/alerts.js';
import { describeUnserved } from '../router/apis.js';
import { ROUTERS } from '../router/registry.js';
import { providerOf } from '../router/router.js';
import { redactUrlsIn } from '../redact.js';
import { servicePortProblem } from './service-port.js';
import type { OutboundPolicy } from '../http/outbound-policy.js';

type Read<T> = (namespace: string, name: string) => Promise<T | undefined>;

/** The readers the preflight resolves references with; each returns undefined for "not found" and may throw otherwise. */
export interface ReferenceSources {
  readonly readTemplate: Read<MetricTemplate>;
  readonly readSecret: Read<Readonly<Record<string, string>>>;
  readonly alerts: AlertSources;
  /** The target spec.targetRef names, of its kind. */
  readonly readTarget: (namespace: string, ref: TargetRef) => Promise<Workload | undefined>;
  /** Whether the API server serves group/version (discovery). */
  readonly serves: (group: string, version: string) => Promise<boolean>;
  /**
   * Why a metric's backend does not answer a trivial query in a short time,
   * naming it and the fix; undefined when it does. Absent: backends are not
   * asked, only their settings checked.
   */
  readonly probe?: ((backend: MetricBackend) => Promise<string | undefined>) | undefined;
  /** The controller's --prometheus-url, for built-in and inline metrics. */
  readonly prometheusUrl?: string | undefined;
  /** Where a MetricTemplate's address may connect (the controller's --outbound-* flags); absent in lint, which connects nowhere. */
  readonly outbound?: OutboundPolicy | undefined;
  /** True where the controller's --prometheus-url is not known (lint, which sets no `probe`): metrics that would use it are not refused for want of an address. */
  readonly defaultPrometheusUnknown?: boolean;
}

/**
 * Every reference of a Rollout that does not resolve, each as
 * "<field>: <what is missing> (<the fix>)": metric templates and their
 * Secrets, Prometheus (configured and answering), webhook signing Secrets,
 * alert providers, the service port on the target's containers, the route
 * API. A template or provider of another namespace resolves only when it
 * grants the Rollout's namespace (spec.allowedNamespaces). Never throws: a
 * failed read is itself an unresolved reference.
 * They go to the status and Events every tenant reads, so no URL in them
 * keeps its credentials (a MetricTemplate's or PROMETHEUS_URL's
 * `user:pass@`, whatever error text quotes it).
 */
export async function unresolvedReferences(rollout: Rollout, sources: ReferenceSources): Promise<string[]> {
  const checks = [metricReferences(rollout, sources), webhookReferences(rollout, sources), alertReferences(rollout, sources), portReference(rollout, sources), routeApi(rollout, sources)];
  const found = await Promise.all(checks.map((c) => c.catch((err: unknown) => [`could not resolve the Rollout's references: ${err instanceof Error ? err.message : String(err)} (retried every interval)`])));
  return [...new Set(found.flat().map(redactUrlsIn))];
}

async function metricReferences(rollout: Rollout, sources: ReferenceSources): Promise<string[]> {
  if (rollout.spec.skipAnalysis) return [];
  const metrics = rollout.spec.analysis?.metrics ?? [];
  const results = await Promise.all(metrics.map((m, i) => metricReference(rollout, m, i, sources)));
  return results.flat();
}

/** A metric's template, the template's Secret, and a backend that answers. */
async function metricReference(rollout: Rollout, metric: MetricSpec, index: number, sources: ReferenceSources): Promise<string[]> {
  const field = `spec.analysis.metrics[${index}]`;
  const source = querySourceOf(metric, rollout.metadata.namespace ?? 'default', rollout.spec.targetRef.kind);
  if (source.kind === 'missing') return [];
  const found = source.kind === 'template' ? await grantedTemplate(rollout, source, `${field}.templateRef`, sources) : undefined;
  if (typeof found === 'string') return [found];
  const template = found;
  // The template's Secret, from the template's own namespace: never the Rollout's, whatever the grant.
  const secretRef = template?.spec.provider.secretRef;
  const secret = template && secretRef ? await sources.readSecret(template.metadata.namespace ?? 'default', secretRef.name) : undefined;
  const address = sources.prometheusUrl ?? (sources.defaultPrometheusUnknown ? UNKNOWN_ADDRESS : undefined);
  const chosen = metricBackendFor(template, secret, { address, timeoutMs: PROBE_TIMEOUT_MS, outbound: sources.outbound });
  const where = template ? `${field}.templateRef` : field;
  if (!chosen.ok) return [`${where}: metric "${metric.name}": ${chosen.message}`];
  const silent = sources.probe ? await sources.probe(chosen.backend) : undefined;
  return silent ? [`${where}: metric "${metric.name}": ${silent}`] : [];
}

/**
 * The MetricTemplate a metric names, or why it cannot be used: not found, or
 * in another namespace that does not grant the Rollout's. Decided before its
 * Secret is read or its backend probed: an ungranted template is not used at all.
 */
async function grantedTemplate(rollout: Rollout, ref: { namespace: string; name: string }, field: string, sources: ReferenceSources): Promise<MetricTemplate | string> {
  const template = await sources.readTemplate(ref.namespace, ref.name);
  if (!template) return `${field}: MetricTemplate ${ref.namespace}/${ref.name} not found (create it, or fix templateRef.name)`;
  return grantProblem(field, 'MetricTemplate', rollout.metadata.namespace ?? 'default', template) ?? template;
}

/** Stands for a --prometheus-url that is not known here (lint, which probes nothing): the settings resting on it still check. */
const UNKNOWN_ADDRESS = 'http://prometheus-url.unknown.invalid';

/** A short deadline: the preflight runs inside a tick. */
export const PROBE_TIMEOUT_MS = 3_000;

async function webhookReferences(rollout: Rollout, sources: ReferenceSources): Promise<string[]> {
  const namespace = rollout.metadata.namespace ?? 'default';
  const hooks = rollout.spec.analysis?.webhooks ?? [];
  const results = await Promise.all(
    hooks.map(async (hook, i): Promise<string[]> => {
      if (!hook.secretRef || !hook.url) return [];
      const field = `spec.analysis.webhooks[${i}].secretRef`;
      const name = hook.secretRef.name;
      const secret = await sources.readSecret(namespace, name);
      if (!secret) return [`${field}: Secret ${namespace}/${name} of webhook "${hook.name}" not found (create it with the signing key under "${SIGNING_KEY}")`];
      return secret[SIGNING_KEY] ? [] : [`${field}: Secret ${namespace}/${name} of webhook "${hook.name}" has no key "${SIGNING_KEY}" (put the signing key under that key)`];
    }),
  );
  return results.flat();
}

async function alertReferences(rollout: Rollout, sources: ReferenceSources): Promise<string[]> {
  const { problems } = await checkAlerts(sources.alerts, rollout);
  return problems.map((p) => p.reference);
}

async function portReference(rollout: Rollout, sources: ReferenceSources): Promise<string[]> {
  const namespace = rollout.metadata.namespace ?? 'default';
  const target = await sources.readTarget(namespace, rollout.spec.targetRef);
  // A missing target is a spec problem, reported (and acted on) as such.
  if (!target) return [];
  const problem = servicePortProblem(rollout.spec.service, rollout.spec.targetRef.kind, target);
  return problem ? [problem] : [];
}

async function routeApi(rollout: Rollout, sources: ReferenceSources): Promise<string[]> {
  const provider = providerOf(rollout);
  const { api } = ROUTERS[provider];
  return (await sources.serves(api.group, api.version)) ? [] : [`spec.provider: ${describeUnserved(provider, api)}`];
}
