// The MetricTemplate kind: a reusable query and the provider to run it on.
import { boolean, enumOf, object, string, stringMap } from './builders.js';
import { httpUrl, secretRef } from './common.js';
import { allowedNamespacesField } from '../grants.js';
import { MetricProviderType } from './enums.js';
import type { KindDefinition } from './kind.js';

export const metricTemplate: KindDefinition = {
  kind: 'MetricTemplate',
  plural: 'metrictemplates',
  singular: 'metrictemplate',
  shortNames: ['mt'],
  description: 'A reusable metric query, referenced from a Rollout metric with templateRef.',
  spec: object(
    'The provider and query of the template.',
    {
      provider: object(
        'Where the query runs.',
        {
          type: enumOf(MetricProviderType, 'Metrics backend. Only prometheus is supported.', { ref: 'MetricProviderType' }),
          address: httpUrl('Base URL of the Prometheus API, e.g. http://prometheus.istio-system:9090. Default: the controller\'s --prometheus-url.'),
          headers: stringMap('HTTP headers sent with every query, e.g. a tenant id.', 16),
          secretRef: secretRef(
            'Secret with the credentials: keys username and password (basic auth), or token (bearer). For an https address it may also hold, in PEM, ca.crt (the CA that signed Prometheus\' certificate, trusted instead of the system\'s CAs) and tls.crt with tls.key (a client certificate and its key, both or neither): the keys of a kubernetes.io/tls Secret, so a cert-manager Certificate\'s Secret can be named here.',
          ),
          insecureSkipVerify: boolean(
            'True: accept any certificate from an https Prometheus, unverified, so anyone on the path can read and answer the queries. Never the default: without it, a certificate that does not verify fails the check. Prefer ca.crt in the secretRef Secret.',
          ),
        },
        { required: ['type'] },
      ),
      query: string(
        'PromQL query returning one number. Placeholders: {{ namespace }}, {{ target }}, {{ interval }}, {{ versionService }} and {{ variables.<key> }} (from the metric\'s templateVariables).',
        { minLength: 1, maxLength: 8192 },
      ),
      allowedNamespaces: allowedNamespacesField('MetricTemplate', 'templateRef'),
    },
    { required: ['provider', 'query'], tsName: 'MetricTemplateSpec' },
  ),
  printerColumns: [
    { name: 'Provider', type: 'string', jsonPath: '.spec.provider.type', description: 'Metrics backend.' },
    { name: 'Address', type: 'string', jsonPath: '.spec.provider.address', description: 'Backend URL.' },
  ],
};
