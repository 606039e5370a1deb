// The Rollout kind: a Deployment, DaemonSet or StatefulSet released step by step.
import { DEFAULTS } from './defaults.js';
import { boolean, enumOf, integer, object, rule, type Schema } from './builders.js';
import { MeshProvider } from './enums.js';
import type { KindDefinition } from './kind.js';
import { analysis } from './rollout-analysis.js';
import { autoscalerRef, service, targetRef } from './rollout-service.js';
import { status } from './rollout-status.js';
import { strategy } from './rollout-strategy.js';

const spec: Schema = object(
  'What to release and how.',
  {
    targetRef,
    autoscalerRef,
    provider: enumOf(MeshProvider, 'Traffic layer flowshift drives: istio (VirtualService and DestinationRules) or gatewayapi (an HTTPRoute, gateway.networking.k8s.io/v1).', {
      ref: 'MeshProvider',
      default: MeshProvider.Istio,
    }),
    progressDeadlineSeconds: integer('Seconds the canary or primary may take to become ready before the release is rolled back.', {
      format: 'int32',
      minimum: 1,
      default: DEFAULTS.progressDeadlineSeconds,
    }),
    suspend: boolean('True: ticks do nothing for this Rollout until it is set back to false.', { default: false }),
    skipAnalysis: boolean('True: promote a new revision without running analysis.', { default: false }),
    revertOnDeletion: boolean('True: on deletion, scale the original Deployment back up (unpark a DaemonSet) and hand its traffic back before the Rollout goes.', {
      default: false,
    }),
    service,
    strategy,
    analysis,
  },
  {
    required: ['targetRef', 'service', 'strategy'],
    tsName: 'RolloutSpec',
    rules: [
      // A DaemonSet runs one pod per node; a StatefulSet's replicas are split between its two revisions by the partition flowshift moves.
      rule(
        "!has(self.autoscalerRef) || self.targetRef.kind == 'Deployment'",
        'autoscalerRef applies to a Deployment target only: remove it (a DaemonSet runs one pod per node; a StatefulSet\'s pods are split between its revisions by its partition, docs/statefulsets.md)',
        { fieldPath: '.autoscalerRef', reason: 'FieldValueForbidden' },
      ),
      // A StatefulSet has no second set of pods to switch to, and its pods share their volumes across versions (docs/statefulsets.md).
      rule(
        "self.targetRef.kind != 'StatefulSet' || !has(self.strategy.blueGreen)",
        'strategy.blueGreen does not apply to a StatefulSet target (it needs a full second set of pods, and a StatefulSet is never cloned): use strategy.canary or strategy.abTesting',
        { fieldPath: '.strategy.blueGreen', reason: 'FieldValueForbidden' },
      ),
      rule(
        "self.targetRef.kind != 'StatefulSet' || !has(self.strategy.canary) || !has(self.strategy.canary.mirror)",
        'strategy.canary.mirror does not apply to a StatefulSet target (a mirrored write would reach the storage both versions share twice): remove it',
        { fieldPath: '.strategy.canary.mirror', reason: 'FieldValueForbidden' },
      ),
    ],
  },
);

export const rollout: KindDefinition = {
  kind: 'Rollout',
  plural: 'rollouts',
  singular: 'rollout',
  shortNames: ['ro'],
  description:
    'A Rollout releases every new revision of a Deployment, DaemonSet or StatefulSet progressively: it shifts Istio traffic from the primary (stable) version to the canary step by step, gated on metrics and webhooks, and rolls back when checks fail.',
  spec,
  status,
  printerColumns: [
    { name: 'Phase', type: 'string', jsonPath: '.status.phase', description: 'Where the release is.' },
    { name: 'Weight', type: 'integer', jsonPath: '.status.canaryWeight', description: 'Percent of traffic on the canary.' },
    { name: 'FailedChecks', type: 'integer', jsonPath: '.status.failedChecks', description: 'Failed checks in this release.' },
    { name: 'Strategy', type: 'string', jsonPath: '.status.strategy', description: 'Strategy of the release.' },
    { name: 'LastTransitionTime', type: 'date', jsonPath: '.status.lastTransitionTime', description: 'When the phase last changed.' },
    { name: 'Interval', type: 'string', jsonPath: '.spec.analysis.interval', description: 'Tick period.', priority: 1 },
    { name: 'StepWeights', type: 'string', jsonPath: '.spec.strategy.canary.stepWeights', description: 'Canary steps.', priority: 1 },
    { name: 'Mirror', type: 'integer', jsonPath: '.spec.strategy.canary.mirror.percentage', description: 'Mirrored percent.', priority: 1 },
    { name: 'Message', type: 'string', jsonPath: '.status.message', description: 'The last decision.', priority: 1 },
  ],
};
