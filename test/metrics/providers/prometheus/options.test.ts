import { describe, expect, it } from 'vitest';
import { prometheusOptionsFor } from '../../../../src/metrics/providers/prometheus/options.js';
import { metricTemplate } from '../../../analysis/fixtures.js';

const defaults = { address: 'http://prometheus:9090' };

describe('prometheusOptionsFor', () => {
  it('uses the controller default without a template', () => {
    expect(prometheusOptionsFor(undefined, undefined, defaults)).toEqual({ ok: true, options: { address: 'http://prometheus:9090' } });
  });

  it('fails without any address', () => {
    expect(prometheusOptionsFor(undefined, undefined, {})).toMatchObject({ ok: false, message: expect.stringContaining('no Prometheus address') as unknown });
  });

  it('takes the template address and headers, and the default address when the template has none', () => {
    const template = metricTemplate('mon', 't', 'up', { address: 'http://thanos:10902', headers: { 'X-Scope-OrgID': 'tenant-a' } });
    expect(prometheusOptionsFor(template, undefined, { ...defaults, timeoutMs: 5000 })).toEqual({
      ok: true,
      options: { address: 'http://thanos:10902', headers: { 'X-Scope-OrgID': 'tenant-a' }, timeoutMs: 5000 },
    });
    expect(prometheusOptionsFor(metricTemplate('mon', 't', 'up'), undefined, defaults)).toEqual({ ok: true, options: { address: 'http://prometheus:9090' } });
  });

  it('reads a bearer token (trimmed) or basic credentials from the Secret', () => {
    const template = metricTemplate('mon', 't', 'up', { secretRef: { name: 'prom-auth' } });
    expect(prometheusOptionsFor(template, { token: 's3cret\n' }, defaults)).toMatchObject({
      ok: true,
      options: { auth: { kind: 'bearer', token: 's3cret' } },
    });
    expect(prometheusOptionsFor(template, { username: 'u', password: 'p' }, defaults)).toMatchObject({
      ok: true,
      options: { auth: { kind: 'basic', username: 'u', password: 'p' } },
    });
  });

  it('fails on a missing Secret or one without credentials, naming it', () => {
    const template = metricTemplate('mon', 't', 'up', { secretRef: { name: 'prom-auth' } });
    expect(prometheusOptionsFor(template, undefined, defaults)).toEqual({
      ok: false,
      message: 'Secret mon/prom-auth (secretRef of MetricTemplate mon/t) not found',
    });
    expect(prometheusOptionsFor(template, { other: 'x' }, defaults)).toEqual({
      ok: false,
      message:
        'Secret mon/prom-auth (secretRef of MetricTemplate mon/t) has neither a "token" key nor "username" and "password" keys (nor "ca.crt", "tls.crt" and "tls.key" for TLS)',
    });
    expect(prometheusOptionsFor(template, { username: 'u' }, defaults)).toEqual({
      ok: false,
      message: 'Secret mon/prom-auth (secretRef of MetricTemplate mon/t) has "username" but no "password"',
    });
  });

  describe('TLS', () => {
    const template = metricTemplate('mon', 't', 'up', { address: 'https://thanos:10902', secretRef: { name: 'prom-tls' } });
    const ca = '-----BEGIN CERTIFICATE-----\nca\n-----END CERTIFICATE-----\n';
    const cert = '-----BEGIN CERTIFICATE-----\nclient\n-----END CERTIFICATE-----\n';
    const key = '-----BEGIN PRIVATE KEY-----\nkey\n-----END PRIVATE KEY-----\n';

    it('reads ca.crt, and tls.crt with tls.key, from the Secret beside the credentials', () => {
      expect(prometheusOptionsFor(template, { token: 't', 'ca.crt': ca, 'tls.crt': cert, 'tls.key': key }, defaults)).toEqual({
        ok: true,
        options: { address: 'https://thanos:10902', auth: { kind: 'bearer', token: 't' }, tls: { ca, cert, key } },
      });
    });

    it('takes a Secret with TLS keys and no credentials (a kubernetes.io/tls Secret)', () => {
      expect(prometheusOptionsFor(template, { 'ca.crt': ca }, defaults)).toEqual({ ok: true, options: { address: 'https://thanos:10902', tls: { ca } } });
      expect(prometheusOptionsFor(template, { 'tls.crt': cert, 'tls.key': key }, defaults)).toEqual({
        ok: true,
        options: { address: 'https://thanos:10902', tls: { cert, key } },
      });
    });

    it('refuses a client certificate without its key, and a key without its certificate, naming the Secret keys', () => {
      expect(prometheusOptionsFor(template, { 'tls.crt': cert }, defaults)).toEqual({
        ok: false,
        message: 'Secret mon/prom-tls (secretRef of MetricTemplate mon/t) has "tls.crt" but no "tls.key": a client certificate needs its key',
      });
      expect(prometheusOptionsFor(template, { 'ca.crt': ca, 'tls.key': key }, defaults)).toEqual({
        ok: false,
        message: 'Secret mon/prom-tls (secretRef of MetricTemplate mon/t) has "tls.key" but no "tls.crt": a client key needs its certificate',
      });
    });

    it('refuses TLS material that is not PEM, naming the key', () => {
      expect(prometheusOptionsFor(template, { 'ca.crt': 'MIIB...' }, defaults)).toEqual({
        ok: false,
        message: 'Secret mon/prom-tls (secretRef of MetricTemplate mon/t): "ca.crt" is not PEM (no -----BEGIN line)',
      });
    });

    it('skips verification only when the template sets insecureSkipVerify: true', () => {
      const insecure = metricTemplate('mon', 't', 'up', { address: 'https://thanos:10902', insecureSkipVerify: true });
      expect(prometheusOptionsFor(insecure, undefined, defaults)).toEqual({
        ok: true,
        options: { address: 'https://thanos:10902', tls: { insecureSkipVerify: true } },
      });
      const withSecret = { ...insecure, spec: { ...insecure.spec, provider: { ...insecure.spec.provider, secretRef: { name: 'prom-tls' } } } };
      expect(prometheusOptionsFor(withSecret, { token: 't', 'ca.crt': ca }, defaults)).toMatchObject({ ok: true, options: { tls: { ca, insecureSkipVerify: true } } });
      const verified = metricTemplate('mon', 't', 'up', { address: 'https://thanos:10902', insecureSkipVerify: false });
      expect(prometheusOptionsFor(verified, undefined, defaults)).toEqual({ ok: true, options: { address: 'https://thanos:10902' } });
      expect(prometheusOptionsFor(template, { 'ca.crt': ca }, defaults)).not.toMatchObject({ options: { tls: { insecureSkipVerify: expect.anything() as unknown } } });
    });
  });
});
