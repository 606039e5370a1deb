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
  readonly message: string;
}

export type Resolution = { readonly ok: true; readonly destination: ResolvedDestination } | { readonly ok: false; readonly problem: string };

export function providerNamespace(rollout: Rollout, alert: AlertSpec): string {
  return alert.providerRef.namespace ?? rollout.metadata.namespace ?? 'default';
}

/** Reads an alert's AlertProvider and the URL from its Secret. Never throws. */
export async function resolveDestination(sources: AlertSources, namespace: string, name: string): Promise<Resolution> {
  try {
    const provider = await sources.readProvider(namespace, name);
    if (!provider) return { ok: false, problem: `AlertProvider ${namespace}/${name} not found: create it or fix providerRef` };
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

/** Every alert of a Rollout that cannot be delivered, and the names of those that can. */
export async function checkAlerts(sources: AlertSources, rollout: Rollout): Promise<{ ready: Set<string>; problems: AlertProblem[] }> {
  const alerts = rollout.spec.analysis?.alerts ?? [];
  const results = await Promise.all(alerts.map((a) => resolveDestination(sources, providerNamespace(rollout, a), a.providerRef.name)));
  const ready = new Set<string>();
  const problems: AlertProblem[] = [];
  results.forEach((r, i) => {
    const alert = alerts[i];
    if (!alert) return;
    if (r.ok) ready.add(alert.name);
    else problems.push({ alert: alert.name, message: `alert "${alert.name}" (spec.analysis.alerts[${i}]): ${r.problem}` });
  });
  return { ready, problems };
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
