import type { MetricTemplate } from '../../api/types.gen.js';
import type { MetricsProvider } from '../provider.js';
import type { OutboundPolicy } from '../../http/outbound-policy.js';

/** What the controller brings to every provider: its default backend and the query deadline. */
export interface ProviderDefaults {
  /** The controller's PROMETHEUS_URL; undefined when it has none. */
  readonly address?: string | undefined;
  readonly timeoutMs?: number | undefined;
  /** Where an address a MetricTemplate names may connect; the controller's own address is not checked. Absent: not checked (lint, which connects nowhere). */
  readonly outbound?: OutboundPolicy | undefined;
  /** The largest answer a query may return; the provider's own cap when absent (a backtest reads weeks of points). */
  readonly maxResponseBytes?: number | undefined;
}

export type ProviderOptionsResult<Options> =
  | { readonly ok: true; readonly options: Options }
  | { readonly ok: false; readonly message: string };

/**
 * One metrics backend: its folder under metrics/providers/ exports one, and
 * registry.ts lists it under the MetricTemplate spec.provider.type that
 * picks it. `Options` are plain data (the probe of the preflight is shared
 * by equal options) and go back only to the plugin that made them.
 */
export interface MetricsProviderPlugin<Options> {
  /**
   * The connection for a metric: from its MetricTemplate and the template's
   * Secret (`secret` undefined when the Secret does not exist), or from the
   * controller's defaults for a metric without a template. A refusal names
   * the field and the fix.
   */
  options(template: MetricTemplate | undefined, secret: Readonly<Record<string, string>> | undefined, defaults: ProviderDefaults): ProviderOptionsResult<Options>;
  create(options: Options): MetricsProvider;
  /**
   * Why the backend at `options` does not answer a trivial query within the
   * options' timeout, naming it and the fix; undefined when it answers.
   * Without it the preflight checks only the options.
   */
  probe?(options: Options): Promise<string | undefined>;
}

/** How messages name a template. */
export function templateName(template: MetricTemplate): string {
  return `MetricTemplate ${template.metadata.namespace ?? 'default'}/${template.metadata.name ?? ''}`;
}
