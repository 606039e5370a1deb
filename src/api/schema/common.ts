// Shapes shared by several kinds: references, threshold ranges, conditions
// and the TypeScript-only ObjectMeta.
import { STATUS_LIMITS } from './limits.js';
import {
  DNS_LABEL_PATTERN,
  array,
  integer,
  number,
  object,
  rule,
  string,
  stringMap,
  enumOf,
  type Schema,
} from './builders.js';

export function objectName(description: string): Schema {
  return string(description, { pattern: DNS_LABEL_PATTERN, minLength: 1, maxLength: 253 });
}

export function namespaceName(description: string): Schema {
  return string(description, { pattern: DNS_LABEL_PATTERN, minLength: 1, maxLength: 63 });
}

/** A reference to another flowshift object, by default in the Rollout's namespace. */
export function objectRef(description: string, what: 'MetricTemplate' | 'AlertProvider'): Schema {
  return object(
    description,
    {
      name: objectName(`Name of the referenced ${what}.`),
      namespace: namespaceName(
        `Namespace of the referenced ${what}. Default: the namespace of the referring object. A ${what} of another namespace is used only when its spec.allowedNamespaces grants the referring object's namespace (docs/multi-tenancy.md).`,
      ),
    },
    { required: ['name'], tsName: 'ObjectRef', tsDoc: 'A reference to another flowshift object, by default in the referring object\'s namespace.' },
  );
}

/** A Secret in the referring object's own namespace. */
export function secretRef(description: string): Schema {
  return object(description, { name: objectName('Name of the Secret, in the same namespace.') }, { required: ['name'] });
}

/** An absolute http(s) URL, checked at admission. */
export function httpUrl(description: string): Schema {
  return string(description, {
    minLength: 1,
    maxLength: 2048,
    'x-kubernetes-validations': [
      rule("isURL(self) && url(self).getScheme() in ['http', 'https'] && url(self).getHostname() != ''", 'must be an absolute http or https URL'),
    ],
  });
}

export function thresholdRange(description: string): Schema {
  return object(
    description,
    {
      min: number('Lowest passing value (inclusive). Omit for no lower bound.'),
      max: number('Highest passing value (inclusive). Omit for no upper bound.'),
    },
    {
      tsName: 'ThresholdRange',
      rules: [
        rule('has(self.min) || has(self.max)', 'thresholdRange needs min, max or both'),
        rule('!has(self.min) || !has(self.max) || self.min <= self.max', 'thresholdRange.min must not be greater than max', {
          fieldPath: '.min',
        }),
      ],
    },
  );
}

/** metav1.Condition, with the same validation the Kubernetes API applies to it. */
export const condition: Schema = object(
  'A condition in the metav1.Condition shape, so tools that read conditions (kubectl wait, Argo CD) understand it.',
  {
    type: string('Kind of condition in CamelCase, e.g. Promoted.', {
      maxLength: 316,
      pattern: '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$',
    }),
    status: enumOf({ True: 'True', False: 'False', Unknown: 'Unknown' }, 'Whether the condition holds: True, False or Unknown.'),
    reason: string('Machine-readable CamelCase reason for the last transition, e.g. Failed.', {
      minLength: 1,
      maxLength: 1024,
      pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$',
    }),
    message: string('Human-readable details of the last transition.', { maxLength: STATUS_LIMITS.conditionMessage }),
    lastTransitionTime: string('When the status last changed (RFC 3339).', { format: 'date-time' }),
    observedGeneration: integer('metadata.generation the condition was computed from.', { format: 'int64', minimum: 0 }),
  },
  { required: ['type', 'status', 'reason', 'message', 'lastTransitionTime'], tsName: 'Condition' },
);

export function conditions(description: string): Schema {
  return array(description, condition, {
    maxItems: STATUS_LIMITS.conditions,
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': ['type'],
  });
}

/**
 * The fields of metav1.ObjectMeta flowshift reads. TypeScript only: the API
 * server owns metadata's schema, so the CRDs carry none.
 */
export const objectMeta: Schema = object(
  'Standard object metadata.',
  {
    name: string('Object name.'),
    namespace: string('Object namespace.'),
    uid: string('Unique id the API server assigned.'),
    resourceVersion: string('Version for optimistic concurrency.'),
    generation: integer('Incremented on every spec change.'),
    labels: stringMap('Labels.', 64),
    annotations: stringMap('Annotations.', 64),
    finalizers: array('Finalizers that block deletion.', string('')),
    deletionTimestamp: string('Set when deletion was requested.'),
    creationTimestamp: string('When the object was created.'),
  },
  { tsName: 'ObjectMeta' },
);
