import type { MetricTemplate } from '../api/types.gen.js';
import type { PrometheusAuth, PrometheusProviderOptions } from '../metrics/prometheus.js';

/** The only provider type flowshift speaks; any other word is an error, never a fallback. */
export const PROMETHEUS_PROVIDER_TYPE = 'prometheus';

export type ProviderOptionsResult =
  | { readonly ok: true; readonly options: PrometheusProviderOptions }
  | { readonly ok: false; readonly message: string };

export interface ProviderDefaults {
  /** The controller's PROMETHEUS_URL; undefined when it has none. */
  readonly address?: string | undefined;
  readonly timeoutMs?: number | undefined;
}

/**
 * Builds the connection for a metric: the MetricTemplate's provider (address,
 * headers, credentials from its Secret) or, without a template, the
 * controller's default address. `secret` is the template's secretRef data,
 * undefined when the Secret does not exist.
 */
export function providerOptionsFor(
  template: MetricTemplate | undefined,
  secret: Readonly<Record<string, string>> | undefined,
  defaults: ProviderDefaults,
): ProviderOptionsResult {
  const provider = template?.spec.provider;
  const type: string | undefined = provider?.type;
  if (template && type !== PROMETHEUS_PROVIDER_TYPE) {
    return { ok: false, message: `${templateName(template)}: unknown provider type "${String(type)}" (supported: prometheus)` };
  }
  const address = provider?.address ?? defaults.address;
  if (!address) {
    return { ok: false, message: 'no Prometheus address: set the controller\'s PROMETHEUS_URL or the MetricTemplate\'s spec.provider.address' };
  }
  const auth = template ? authOf(template, secret) : undefined;
  if (typeof auth === 'string') return { ok: false, message: auth };
  return {
    ok: true,
    options: {
      address,
      ...(provider?.headers ? { headers: { ...provider.headers } } : {}),
      ...(auth ? { auth } : {}),
      ...(defaults.timeoutMs === undefined ? {} : { timeoutMs: defaults.timeoutMs }),
    },
  };
}

function authOf(template: MetricTemplate, secret: Readonly<Record<string, string>> | undefined): PrometheusAuth | string | undefined {
  const secretRef = template.spec.provider.secretRef;
  return secretRef ? authFrom(template, secretRef.name, secret) : undefined;
}

/** Credentials from the Secret: `token` (bearer) or `username` + `password` (basic); a message when unusable. */
function authFrom(template: MetricTemplate, secretName: string, secret: Readonly<Record<string, string>> | undefined): PrometheusAuth | string {
  const where = `Secret ${template.metadata.namespace ?? 'default'}/${secretName} (secretRef of ${templateName(template)})`;
  if (!secret) return `${where} not found`;
  const { token, username, password } = secret;
  if (token) return { kind: 'bearer', token: token.trim() };
  if (username && password) return { kind: 'basic', username, password };
  return `${where} has neither a "token" key nor "username" and "password" keys`;
}

export function templateName(template: MetricTemplate): string {
  return `MetricTemplate ${template.metadata.namespace ?? 'default'}/${template.metadata.name ?? ''}`;
}
