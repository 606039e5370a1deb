import { describe, expect, it } from 'vitest';
import { MetricProviderType, type MetricTemplate } from '../../../src/api/types.gen.js';
import { METRIC_PROVIDERS, metricBackendFor } from '../../../src/metrics/providers/registry.js';
import { metricTemplate } from '../../analysis/fixtures.js';

const defaults = { address: 'http://prometheus:9090' };

function ofType(type: string): MetricTemplate {
  const template = metricTemplate('mon', 't', 'up');
  // A template read from a file or an older CRD: the schema's type does not hold for it.
  return { ...template, spec: { ...template.spec, provider: { type } } } as unknown as MetricTemplate;
}

describe('the metric provider registry', () => {
  it('has a provider for every MetricProviderType of the API, and no other', () => {
    expect(Object.keys(METRIC_PROVIDERS).sort()).toEqual(Object.values(MetricProviderType).sort());
  });

  it('refuses an unknown provider type instead of falling back, listing the types of the registry', () => {
    const supported = Object.keys(METRIC_PROVIDERS).join(', ');
    expect(metricBackendFor(ofType('datadog'), undefined, defaults)).toEqual({
      ok: false,
      message: `MetricTemplate mon/t: unknown provider type "datadog" (supported: ${supported})`,
    });
    // Only the registry's own keys: nothing inherited from Object.prototype is a provider.
    expect(metricBackendFor(ofType('constructor'), undefined, defaults)).toMatchObject({ ok: false, message: expect.stringContaining('unknown provider type "constructor"') as unknown });
    expect(supported).toContain('prometheus');
  });

  it('picks the provider of the template type, and the default provider without a template', () => {
    const withTemplate = metricBackendFor(metricTemplate('mon', 't', 'up', { address: 'http://thanos:10902' }), undefined, defaults);
    expect(withTemplate).toMatchObject({ ok: true, backend: { type: 'prometheus', plugin: METRIC_PROVIDERS.prometheus, options: { address: 'http://thanos:10902' } } });
    const builtin = metricBackendFor(undefined, undefined, defaults);
    expect(builtin).toMatchObject({ ok: true, backend: { type: 'prometheus', options: { address: 'http://prometheus:9090' } } });
  });

  it('passes the refusal of the provider on, naming the field and the fix', () => {
    expect(metricBackendFor(undefined, undefined, {})).toEqual({
      ok: false,
      message: 'no Prometheus address: set the controller\'s PROMETHEUS_URL or the MetricTemplate\'s spec.provider.address',
    });
  });
});
