import type { AppsV1Api, KubernetesObject, KubernetesObjectApi } from '@kubernetes/client-node';
import type { Workload } from '../workload/workload.js';
import { kubeMetricSources } from '../analysis/kube-sources.js';
import type { Rollout, TargetRef } from '../api/types.gen.js';
import { unresolvedReferences } from '../checks/references.js';
import type { KubeClients } from '../kube/client.js';
import { apiMessage, isNotFound, statusCode } from '../kube/errors.js';
import { kubeAlertSources } from '../notifier/alerts.js';
import { ServedApis } from '../kube/served-apis.js';
import { atField, withNamespace, type LintProblem, type LintSources, type LintedObject } from './check.js';

export interface ClusterLint {
  readonly clients: KubeClients;
  /** The controller's --prometheus-url, when the user gives it: built-in and inline metrics are checked against it. */
  readonly prometheusUrl?: string | undefined;
}

/**
 * What the API server itself says about each object: a server-side dry-run
 * (dryRun=All) create, or update when the object exists, runs the schema
 * and its CEL rules and changes nothing.
 */
export async function dryRunCheck(lint: ClusterLint, objects: readonly LintedObject[], namespaceOf: (o: LintedObject) => string): Promise<LintProblem[]> {
  const api = lint.clients.objects;
  const problems: LintProblem[] = [];
  for (const o of objects) {
    const object = withNamespace(o.object as unknown as KubernetesObject & { metadata: { namespace?: string } }, namespaceOf(o));
    try {
      await dryRun(api, object);
    } catch (err) {
      problems.push(...refusal(o, err));
    }
  }
  return problems;
}

async function dryRun(api: KubernetesObjectApi, object: KubernetesObject): Promise<void> {
  try {
    await api.create(object, undefined, 'All');
  } catch (err) {
    if (statusCode(err) !== 409) throw err;
    const existing = await api.read({ apiVersion: object.apiVersion ?? '', kind: object.kind ?? '', metadata: { name: object.metadata?.name ?? '', namespace: object.metadata?.namespace ?? '' } });
    await api.replace({ ...object, metadata: { ...object.metadata, resourceVersion: existing.metadata?.resourceVersion ?? '' } }, undefined, 'All');
  }
}

/** The API server's causes, each at its field; anything else as one problem on the object. */
function refusal(o: LintedObject, err: unknown): LintProblem[] {
  const causes = causesOf(err);
  if (statusCode(err) === 422 && causes.length) {
    return causes.map((c) => ({ ...atField(o.document, `${c.field.replace(/^\./, '')}: ${c.message} (refused by the API server)`) }));
  }
  return [atField(o.document, `metadata.name: the API server refused the dry-run: ${apiMessage(err)}`)];
}

function causesOf(err: unknown): { field: string; message: string }[] {
  if (typeof err !== 'object' || err === null || !('body' in err)) return [];
  try {
    const body = (typeof err.body === 'string' ? JSON.parse(err.body) : err.body) as { details?: { causes?: { field?: string; message?: string }[] } };
    const causes = (body.details?.causes ?? []).map((c) => ({ field: c.field ?? 'spec', message: c.message ?? '' }));
    // Said when other errors stopped the CEL rules: those errors are on their own lines already.
    return causes.filter((c) => !c.message.includes('some validation rules were not checked'));
  } catch {
    return [];
  }
}

/** The linted files first, then the current context: what the objects refer to may be applied with them. */
export function clusterSources(lint: ClusterLint, files: LintSources): LintSources {
  const { clients } = lint;
  const kube = kubeMetricSources(clients);
  const apps = clients.apps;
  const alerts = kubeAlertSources(clients);
  return {
    readTemplate: async (namespace, name) => (await files.readTemplate(namespace, name)) ?? kube.readTemplate(namespace, name),
    readTarget: async (namespace, ref) => (await files.readTarget(namespace, ref)) ?? readTarget(apps, namespace, ref),
    readSecret: async (namespace, name) => (await files.readSecret(namespace, name)) ?? kube.readSecret(namespace, name),
    readProvider: async (namespace, name) => (await files.readProvider(namespace, name)) ?? alerts.readProvider(namespace, name),
  };
}

/** The release preflight of the controller, run against the current context: templates, Secrets, alert providers, the target's ports, the route API. */
export async function referenceCheck(lint: ClusterLint, objects: readonly LintedObject[], found: LintSources, namespaceOf: (o: LintedObject) => string): Promise<LintProblem[]> {
  const apis = new ServedApis(lint.clients);
  const sources = {
    readTemplate: found.readTemplate,
    readSecret: found.readSecret,
    alerts: { readProvider: found.readProvider, readSecret: found.readSecret },
    readTarget: found.readTarget,
    serves: (group: string, version: string) => apis.serves(group, version),
    // Prometheus is rarely reachable from where lint runs (no probe): its address is checked, its answer is the controller's business.
    prometheusUrl: lint.prometheusUrl,
    defaultPrometheusUnknown: lint.prometheusUrl === undefined,
  };
  const problems: LintProblem[] = [];
  for (const o of objects) {
    if (!o.valid || o.kind.kind !== 'Rollout') continue;
    const rollout = withNamespace(o.object as unknown as Rollout, namespaceOf(o));
    for (const text of await unresolvedReferences(rollout, sources)) problems.push(atField(o.document, text));
  }
  return problems;
}

async function readTarget(apps: AppsV1Api, namespace: string, ref: TargetRef): Promise<Workload | undefined> {
  const name = ref.name;
  try {
    switch (ref.kind) {
      case 'Deployment':
        return await apps.readNamespacedDeployment({ namespace, name });
      case 'DaemonSet':
        return await apps.readNamespacedDaemonSet({ namespace, name });
      case 'StatefulSet':
        return await apps.readNamespacedStatefulSet({ namespace, name });
      default:
        // A kind the schema refuses: that problem is reported on its own.
        return undefined;
    }
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}
