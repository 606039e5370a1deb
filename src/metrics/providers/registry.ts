import { MetricProviderType, type MetricTemplate } from '../../api/types.gen.js';
import { templateName, type MetricsProviderPlugin, type ProviderDefaults } from './plugin.js';
import { prometheus } from './prometheus/plugin.js';

/**
 * Every metrics provider, under the MetricTemplate spec.provider.type that
 * picks it. `satisfies` refuses a missing value of the API's
 * MetricProviderType and a key it does not have: a new backend is its
 * folder, this line and the enum value. Each plugin stands here as a
 * MetricsProviderPlugin<unknown> (method parameters are bivariant); the
 * generic code hands a plugin only the options it made.
 */
export const METRIC_PROVIDERS = {
  [MetricProviderType.Prometheus]: prometheus,
} as const satisfies Readonly<Record<MetricProviderType, MetricsProviderPlugin<unknown>>>;

export type MetricProviders = typeof METRIC_PROVIDERS;

/** The provider of metrics without a template (built-in and inline queries): Prometheus at --prometheus-url. */
export const DEFAULT_METRIC_PROVIDER: MetricProviderType = MetricProviderType.Prometheus;

/** A metric's provider and its options for that metric. */
export interface MetricBackend {
  readonly type: MetricProviderType;
  /** Its options are opaque here: they go back only to this plugin. */
  readonly plugin: MetricsProviderPlugin<unknown>;
  readonly options: unknown;
}

export type MetricBackendResult = { readonly ok: true; readonly backend: MetricBackend } | { readonly ok: false; readonly message: string };

/**
 * The backend of a metric: the provider its template's spec.provider.type
 * names (the default provider without a template) with the options it builds
 * from the template, the template's Secret and the controller's defaults.
 * An unknown type is refused, never a fallback.
 */
export function metricBackendFor(
  template: MetricTemplate | undefined,
  secret: Readonly<Record<string, string>> | undefined,
  defaults: ProviderDefaults,
  providers: MetricProviders = METRIC_PROVIDERS,
): MetricBackendResult {
  // Typed by the schema, but a template read from a file or an older CRD may carry any word.
  const type: unknown = template ? template.spec.provider.type : DEFAULT_METRIC_PROVIDER;
  if (!isProviderType(providers, type)) {
    const name = template ? templateName(template) : 'the default provider';
    return { ok: false, message: `${name}: unknown provider type "${String(type)}" (supported: ${Object.keys(providers).join(', ')})` };
  }
  const plugin: MetricsProviderPlugin<unknown> = providers[type];
  const options = plugin.options(template, secret, defaults);
  return options.ok ? { ok: true, backend: { type, plugin, options: options.options } } : options;
}

function isProviderType(providers: MetricProviders, type: unknown): type is MetricProviderType {
  return typeof type === 'string' && Object.hasOwn(providers, type);
}
