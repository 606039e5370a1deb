import { describe, expect, it } from 'vitest';
import { decodeSecretData } from '../../src/kube/secrets.js';
import { parseMetricTemplate } from '../../src/analysis/metric-template.js';

describe('parseMetricTemplate', () => {
  it('keeps the fields the analysis uses, insecureSkipVerify and the grant among them', () => {
    const object = {
      apiVersion: 'flowshift.io/v1alpha1',
      kind: 'MetricTemplate',
      metadata: { name: 't', namespace: 'mon', resourceVersion: '5' },
      spec: {
        provider: { type: 'prometheus', address: 'http://p:9090', headers: { 'X-Scope-OrgID': 'a' }, secretRef: { name: 's' }, insecureSkipVerify: true },
        query: 'up',
        allowedNamespaces: ['team-a', 'team-b'],
      },
    };
    expect(parseMetricTemplate(object)).toEqual({
      apiVersion: 'flowshift.io/v1alpha1',
      kind: 'MetricTemplate',
      metadata: { name: 't', namespace: 'mon' },
      spec: object.spec,
    });
  });

  it('defaults a missing provider to prometheus', () => {
    expect(parseMetricTemplate({ metadata: { name: 't' }, spec: { query: 'up' } }).spec.provider).toEqual({ type: 'prometheus' });
  });

  it('names the field that is wrong', () => {
    expect(() => parseMetricTemplate({ metadata: { name: 't', namespace: 'mon' }, spec: {} })).toThrow('MetricTemplate mon/t: spec.query must be a string');
    expect(() => parseMetricTemplate({ metadata: { name: 't', namespace: 'mon' }, spec: { query: 'up', provider: { type: 'datadog' } } })).toThrow(
      'spec.provider.type "datadog" is not supported',
    );
    expect(() => parseMetricTemplate({ metadata: {}, spec: { query: 'up', provider: { headers: { a: 1 } } } })).toThrow(
      'spec.provider.headers.a must be a string',
    );
    expect(() => parseMetricTemplate({ metadata: {}, spec: { query: 'up', provider: { insecureSkipVerify: 'yes' } } })).toThrow(
      'spec.provider.insecureSkipVerify must be true or false',
    );
    expect(() => parseMetricTemplate({ metadata: {}, spec: { query: 'up', allowedNamespaces: 'team-a' } })).toThrow(
      'spec.allowedNamespaces must be a list of strings',
    );
    expect(() => parseMetricTemplate(null)).toThrow('MetricTemplate must be an object');
  });
});

describe('decodeSecretData', () => {
  it('decodes base64 values', () => {
    expect(decodeSecretData({ token: Buffer.from('s3cret').toString('base64') })).toEqual({ token: 's3cret' });
  });
});
