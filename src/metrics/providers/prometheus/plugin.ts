import type { MetricsProviderPlugin } from '../plugin.js';
import { prometheusOptionsFor } from './options.js';
import { probePrometheus } from './probe.js';
import { PrometheusProvider, type PrometheusProviderOptions } from './provider.js';

/** Prometheus' HTTP API (or one that speaks it: Thanos, Mimir, VictoriaMetrics …). */
export const prometheus: MetricsProviderPlugin<PrometheusProviderOptions> = {
  options: prometheusOptionsFor,
  create: (options) => new PrometheusProvider(options),
  probe: probePrometheus,
};
