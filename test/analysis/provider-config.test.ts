import { describe, expect, it } from 'vitest';
import { providerOptionsFor } from '../../src/analysis/provider-config.js';
import { metricTemplate } from './fixtures.js';

const defaults = { address: 'http://prometheus:9090' };

describe('providerOptionsFor', () => {
  it('uses the controller default without a template', () => {
    expect(providerOptionsFor(undefined, undefined, defaults)).toEqual({ ok: true, options: { address: 'http://prometheus:9090' } });
  });

  it('fails without any address', () => {
    expect(providerOptionsFor(undefined, undefined, {})).toMatchObject({ ok: false, message: expect.stringContaining('no Prometheus address') as unknown });
  });

  it('takes the template address and headers, and the default address when the template has none', () => {
    const template = metricTemplate('mon', 't', 'up', { address: 'http://thanos:10902', headers: { 'X-Scope-OrgID': 'tenant-a' } });
    expect(providerOptionsFor(template, undefined, { ...defaults, timeoutMs: 5000 })).toEqual({
      ok: true,
      options: { address: 'http://thanos:10902', headers: { 'X-Scope-OrgID': 'tenant-a' }, timeoutMs: 5000 },
    });
    expect(providerOptionsFor(metricTemplate('mon', 't', 'up'), undefined, defaults)).toEqual({ ok: true, options: { address: 'http://prometheus:9090' } });
  });

  it('reads a bearer token (trimmed) or basic credentials from the Secret', () => {
    const template = metricTemplate('mon', 't', 'up', { secretRef: { name: 'prom-auth' } });
    expect(providerOptionsFor(template, { token: 's3cret\n' }, defaults)).toMatchObject({
      ok: true,
      options: { auth: { kind: 'bearer', token: 's3cret' } },
    });
    expect(providerOptionsFor(template, { username: 'u', password: 'p' }, defaults)).toMatchObject({
      ok: true,
      options: { auth: { kind: 'basic', username: 'u', password: 'p' } },
    });
  });

  it('fails on a missing Secret or one without credentials, naming it', () => {
    const template = metricTemplate('mon', 't', 'up', { secretRef: { name: 'prom-auth' } });
    expect(providerOptionsFor(template, undefined, defaults)).toEqual({
      ok: false,
      message: 'Secret mon/prom-auth (secretRef of MetricTemplate mon/t) not found',
    });
    expect(providerOptionsFor(template, { username: 'u' }, defaults)).toEqual({
      ok: false,
      message: 'Secret mon/prom-auth (secretRef of MetricTemplate mon/t) has neither a "token" key nor "username" and "password" keys',
    });
  });

  it('refuses an unknown provider type instead of falling back', () => {
    const template = metricTemplate('mon', 't', 'up');
    const datadog = { ...template, spec: { ...template.spec, provider: { type: 'datadog' } } } as unknown as typeof template;
    expect(providerOptionsFor(datadog, undefined, defaults)).toEqual({
      ok: false,
      message: 'MetricTemplate mon/t: unknown provider type "datadog" (supported: prometheus)',
    });
  });
});
