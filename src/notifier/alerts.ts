import { grantProblem } from '../api/grants.js';
import type { AlertProvider, AlertProviderSpec, AlertSpec, Rollout } from '../api/types.gen.js';
import { decodeSecretData } from '../kube/secrets.js';
import type { KubeClients } from '../kube/client.js';
import { GROUP, VERSION } from '../api/names.js';

/** The Secret key that holds a destination URL. */
export const ADDRESS_KEY = 'address';

export interface AlertSources {
  readProvider(namespace: string, name: string): Promise<AlertProvider | undefined>;
  readSecret(namespace: string, name: string): Promise<Record<string, string> | undefined>;
}

/** A destination ready to post to. `url` is a credential: never log it, never put it in status or Events. */
export interface ResolvedDestination {
  readonly provider: AlertProviderSpec;
  readonly url: string;
}

/** Why an alert cannot be delivered, naming the object to create or fix (never the URL). */
export interface AlertProblem {
  readonly alert: string;
  /** As the AlertsReady condition says it: `alert "<name>" (<field>): <problem>`. */
  readonly message: string;
  /** As the release preflight says it: `spec.analysis.alerts[<i>].providerRef: <problem>`. */
  readonly reference: string;
}

/** Who names a provider, for its grant: the Rollout's namespace, and the field that names it. */
export interface Referrer {
  readonly namespace: string;
  readonly field: string;
}

export type Resolution =
  | { readonly ok: true; readonly destination: ResolvedDestination }
  /** `ungranted`: the provider is another namespace's and does not grant the referrer; the problem then names its field itself. */
  | { readonly ok: false; readonly problem: string; readonly ungranted?: true };

export function providerNamespace(rollout: Rollout, alert: AlertSpec): string {
  return alert.providerRef.namespace ?? rollout.metadata.namespace ?? 'default';
}

/**
 * Reads an alert's AlertProvider and the URL from its Secret, in the
 * provider's namespace (never the referrer's). A provider of
 * another namespace is used only if it grants the referrer's namespace;
 * checked before its Secret is read, so nothing of that Secret is told to a
 * namespace it was not granted to. Never throws.
 */
export async function resolveDestination(sources: AlertSources, namespace: string, name: string, referrer: Referrer): Promise<Resolution> {
  try {
    const provider = await sources.readProvider(namespace, name);
    if (!provider) return { ok: false, problem: `AlertProvider ${namespace}/${name} not found: create it or fix providerRef` };
    const refused = grantProblem(referrer.field, 'AlertProvider', referrer.namespace, provider);
    if (refused) return { ok: false, problem: refused, ungranted: true };
    const secretName = provider.spec.secretRef.name;
    const secret = await sources.readSecret(namespace, secretName);
    const where = `Secret ${namespace}/${secretName} (of AlertProvider ${namespace}/${name})`;
    if (!secret) return { ok: false, problem: `${where} not found: create it with the URL under the key "${ADDRESS_KEY}"` };
    const url = secret[ADDRESS_KEY]?.trim();
    if (!url) return { ok: false, problem: `${where} has no key "${ADDRESS_KEY}": put the URL under that key` };
    if (!isHttpUrl(url)) return { ok: false, problem: `${where}: the value of "${ADDRESS_KEY}" is not an absolute http or https URL` };
    return { ok: true, destination: { provider: provider.spec, url } };
  } catch (err) {
    return { ok: false, problem: `could not read AlertProvider ${namespace}/${name} or its Secret: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/**
 * Every alert of a Rollout that cannot be delivered, and the names of those
 * that can: asked before every release and at every status write that
 * notifies, so a provider whose grant is revoked mid-release is no longer
 * sent to.
 */
export async function checkAlerts(sources: AlertSources, rollout: Rollout): Promise<{ ready: Set<string>; problems: AlertProblem[] }> {
  const alerts = rollout.spec.analysis?.alerts ?? [];
  const namespace = rollout.metadata.namespace ?? 'default';
  const results = await Promise.all(
    alerts.map((a, i) => resolveDestination(sources, providerNamespace(rollout, a), a.providerRef.name, { namespace, field: `spec.analysis.alerts[${i}].providerRef` })),
  );
  const ready = new Set<string>();
  const problems: AlertProblem[] = [];
  results.forEach((r, i) => {
    const alert = alerts[i];
    if (!alert) return;
    if (r.ok) ready.add(alert.name);
    else problems.push(alertProblem(alert.name, i, r));
  });
  return { ready, problems };
}

function alertProblem(alert: string, index: number, failed: Extract<Resolution, { ok: false }>): AlertProblem {
  // A missing grant names its field already: said once.
  if (failed.ungranted) return { alert, message: `alert "${alert}": ${failed.problem}`, reference: failed.problem };
  return {
    alert,
    message: `alert "${alert}" (spec.analysis.alerts[${index}]): ${failed.problem}`,
    reference: `spec.analysis.alerts[${index}].providerRef: alert "${alert}": ${failed.problem}`,
  };
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** The readers on the API server; not found is undefined, other errors throw. */
export function kubeAlertSources({ custom, core }: KubeClients): AlertSources {
  return {
    async readProvider(namespace, name) {
      const obj: unknown = await notFoundAsUndefined(custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, plural: 'alertproviders', namespace, name }));
      return obj === undefined ? undefined : (obj as AlertProvider);
    },
    async readSecret(namespace, name) {
      const secret = await notFoundAsUndefined(core.readNamespacedSecret({ namespace, name }));
      return secret ? decodeSecretData(secret.data ?? {}) : undefined;
    },
  };
}

async function notFoundAsUndefined<T>(request: Promise<T>): Promise<T | undefined> {
  try {
    return await request;
  } catch (err: unknown) {
    if (typeof err === 'object' && err !== null && 'code' in err && err.code === 404) return undefined;
    throw err;
  }
}
