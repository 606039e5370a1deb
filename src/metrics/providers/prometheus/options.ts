import type { MetricTemplate } from '../../../api/types.gen.js';
import { templateName, type ProviderDefaults, type ProviderOptionsResult } from '../plugin.js';
import type { PrometheusAuth, PrometheusProviderOptions, PrometheusTls } from './provider.js';

// analysis/query-check.ts names templates through this module.
export { templateName } from '../plugin.js';

/**
 * Builds the connection for a metric: the MetricTemplate's provider (address,
 * headers, credentials and TLS from its Secret) or, without a template, the
 * controller's default address. `secret` is the template's secretRef data,
 * undefined when the Secret does not exist. The registry has checked the
 * template's provider type.
 */
export function prometheusOptionsFor(
  template: MetricTemplate | undefined,
  secret: Readonly<Record<string, string>> | undefined,
  defaults: ProviderDefaults,
): ProviderOptionsResult<PrometheusProviderOptions> {
  const provider = template?.spec.provider;
  const address = provider?.address ?? defaults.address;
  if (!address) {
    return { ok: false, message: 'no Prometheus address: set the controller\'s PROMETHEUS_URL or the MetricTemplate\'s spec.provider.address' };
  }
  const fromTemplate = template ? templateOptions(template, secret) : {};
  if (typeof fromTemplate === 'string') return { ok: false, message: fromTemplate };
  const { auth, tls } = fromTemplate;
  return {
    ok: true,
    options: {
      address,
      ...(provider?.headers ? { headers: { ...provider.headers } } : {}),
      ...(auth ? { auth } : {}),
      ...(tls ? { tls } : {}),
      ...limitsOf(defaults),
      // A template's address is a tenant's choice: its connections pass the outbound policy.
      ...(provider?.address && defaults.outbound ? { outbound: defaults.outbound } : {}),
    },
  };
}

/** The controller's (or a backtest's) deadline and answer size, where set. */
function limitsOf(defaults: ProviderDefaults): Pick<PrometheusProviderOptions, 'timeoutMs' | 'maxResponseBytes'> {
  return {
    ...(defaults.timeoutMs === undefined ? {} : { timeoutMs: defaults.timeoutMs }),
    ...(defaults.maxResponseBytes === undefined ? {} : { maxResponseBytes: defaults.maxResponseBytes }),
  };
}

interface TemplateOptions {
  readonly auth?: PrometheusAuth;
  readonly tls?: PrometheusTls;
}

/** Credentials and TLS from the template and its Secret; a message naming the Secret when unusable. */
function templateOptions(template: MetricTemplate, secret: Readonly<Record<string, string>> | undefined): TemplateOptions | string {
  const fromSecret = secretOptions(template, secret);
  if (typeof fromSecret === 'string' || template.spec.provider.insecureSkipVerify !== true) return fromSecret;
  // Verification is skipped only for a template that says so in so many words.
  return { ...fromSecret, tls: { ...fromSecret.tls, insecureSkipVerify: true } };
}

function secretOptions(template: MetricTemplate, secret: Readonly<Record<string, string>> | undefined): TemplateOptions | string {
  const secretRef = template.spec.provider.secretRef;
  if (!secretRef) return {};
  const where = `Secret ${template.metadata.namespace ?? 'default'}/${secretRef.name} (secretRef of ${templateName(template)})`;
  if (!secret) return `${where} not found`;
  const auth = authFrom(where, secret);
  if (typeof auth === 'string') return auth;
  const tls = tlsFrom(where, secret);
  if (typeof tls === 'string') return tls;
  if (!auth && !tls) return `${where} has neither a "token" key nor "username" and "password" keys (nor "ca.crt", "tls.crt" and "tls.key" for TLS)`;
  return { ...(auth ? { auth } : {}), ...(tls ? { tls } : {}) };
}

/** `token` (bearer) or `username` + `password` (basic). */
function authFrom(where: string, secret: Readonly<Record<string, string>>): PrometheusAuth | string | undefined {
  const { token, username, password } = secret;
  if (token) return { kind: 'bearer', token: token.trim() };
  if (username && password) return { kind: 'basic', username, password };
  if (username) return `${where} has "username" but no "password"`;
  if (password) return `${where} has "password" but no "username"`;
  return undefined;
}

/** `ca.crt`, and `tls.crt` with `tls.key`: the keys of a kubernetes.io/tls Secret, PEM. */
function tlsFrom(where: string, secret: Readonly<Record<string, string>>): PrometheusTls | string | undefined {
  const { 'ca.crt': ca, 'tls.crt': cert, 'tls.key': key } = secret;
  if (cert && !key) return `${where} has "tls.crt" but no "tls.key": a client certificate needs its key`;
  if (key && !cert) return `${where} has "tls.key" but no "tls.crt": a client key needs its certificate`;
  for (const [name, value] of [['ca.crt', ca], ['tls.crt', cert], ['tls.key', key]] as const) {
    if (value && !value.includes('-----BEGIN ')) return `${where}: "${name}" is not PEM (no -----BEGIN line)`;
  }
  if (!ca && !cert) return undefined;
  return { ...(ca ? { ca } : {}), ...(cert && key ? { cert, key } : {}) };
}
