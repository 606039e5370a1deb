// status: the record of a release. Everything needed to resume lives here.
import { STATUS_LIMITS } from './limits.js';
import { array, boolean, enumOf, integer, number, object, string, type Schema } from './builders.js';
import { conditions, thresholdRange } from './common.js';
import { JudgeConclusion, Phase, StrategyName, WebhookType } from './enums.js';

const judged = {
  conclusion: enumOf(JudgeConclusion, 'For a judged metric: worse (rolled back), not-worse (enough evidence), or unknown (go on).', { ref: 'JudgeConclusion' }),
  eValue: number('For a judged metric: the evidence that the canary is worse, as an e-value; it rolls back at 1/alpha (an anytime-valid p-value is 1/eValue).'),
};

const measurement: Schema = object(
  'One earlier measurement of a metric in the current release.',
  {
    time: string('When it was measured (RFC 3339).', { format: 'date-time' }),
    weight: integer('Canary weight when it was measured.', { minimum: 0, maximum: 100 }),
    value: number('Value measured for the canary.'),
    primaryValue: number('Value measured for the primary.'),
    passed: boolean('Whether the check passed.'),
    ...judged,
  },
  { required: ['time', 'passed'], tsName: 'MetricMeasurement' },
);

const metricResult: Schema = object(
  'The latest result of one metric: the evidence for the last decision.',
  {
    name: string('Metric name, as in spec.analysis.metrics.', { maxLength: 63 }),
    value: number('Value measured for the canary. Absent when the query returned no data.'),
    primaryValue: number('Value measured for the primary, for compare checks.'),
    thresholdRange: thresholdRange('The range the value was checked against.'),
    passed: boolean('Whether the check passed.'),
    message: string('Why the check passed or failed, e.g. "request-success-rate 97.2 < 99".', { maxLength: STATUS_LIMITS.resultMessage }),
    time: string('When the metric was measured (RFC 3339).', { format: 'date-time' }),
    weight: integer('Canary weight when it was measured.', { minimum: 0, maximum: 100 }),
    ...judged,
    history: array('The measurements of this release before this one, oldest first (at most spec.analysis.historyLimit).', measurement, {
      maxItems: STATUS_LIMITS.historyItems,
    }),
  },
  { required: ['name', 'passed', 'message', 'time'], tsName: 'MetricResult' },
);

const gateResult: Schema = object(
  'The last answer of one gate (a webhook or a manual gate) in the current release.',
  {
    name: string('Webhook name, as in spec.analysis.webhooks.', { maxLength: 63 }),
    type: enumOf(WebhookType, 'The webhook type, which says what the answer did.', { ref: 'WebhookType' }),
    open: boolean(
      'Whether the answer was yes: a 2xx answer, or an approval for a manual gate. For a rollback webhook, open means it asked for the rollback.',
    ),
    message: string('The answer in words, quoting at most a short excerpt of the response, e.g. "answered 403: not yet".', { maxLength: STATUS_LIMITS.gateMessage }),
    time: string('When the answer came (RFC 3339).', { format: 'date-time' }),
  },
  { required: ['name', 'type', 'open', 'message', 'time'], tsName: 'GateResult' },
);

/** Who asked for a manual action on which revision, as the plugin's annotations carry it. */
function manualAction(description: string): Schema {
  return object(
    description,
    {
      revision: string('The revision (status.lastAppliedSpec) the action was for.', { maxLength: 256 }),
      by: string('The user who asked, as the API server authenticated them.', { maxLength: 1024 }),
      at: string('When they asked (RFC 3339).', { maxLength: 64 }),
    },
    { required: ['revision', 'by', 'at'], tsName: 'ManualAction', tsDoc: 'A manual action (approve, abort, retry, promote): which revision, who, when.' },
  );
}

const weight = (description: string): Schema => integer(description, { minimum: 0, maximum: 100 });

export const status: Schema = object(
  'Observed state of the release, written by the controller.',
  {
    phase: enumOf(Phase, 'Where the Rollout is in its release cycle.', { ref: 'Phase' }),
    strategy: enumOf(StrategyName, 'The strategy of the current or last release.', { ref: 'StrategyName' }),
    canaryWeight: weight('Percent of live traffic routed to the canary.'),
    mirrorWeight: weight('Percent of live traffic mirrored to the canary (0: none).'),
    failedChecks: integer('Failed checks in the current release; threshold of them trigger a rollback.', { minimum: 0 }),
    iterations: integer('Analysis ticks completed in the current step or iteration count.', { minimum: 0 }),
    releaseStartTime: string('When the release of lastAppliedSpec started (RFC 3339): the judge counts requests from here.', { format: 'date-time' }),
    lastAppliedSpec: string('Hash of the target pod template and tracked configs of the release in progress.', { maxLength: 256 }),
    lastPromotedSpec: string('Hash of the last promoted revision.', { maxLength: 256 }),
    lastTransitionTime: string('When the phase last changed (RFC 3339).', { format: 'date-time' }),
    lastAnalysisTime: string('When analysis last ran (RFC 3339); the next check is due one analysis.interval later.', {
      format: 'date-time',
    }),
    observedGeneration: integer(
      'metadata.generation of the spec this status was computed from and carried out; a status whose decision failed to apply keeps the one before, so tools reading it (kubectl wait, kstatus) keep waiting.',
      { format: 'int64', minimum: 0 },
    ),
    message: string('Human-readable account of the last decision.', { maxLength: STATUS_LIMITS.message }),
    analysis: array('The latest result per metric, in spec order.', metricResult, {
      maxItems: STATUS_LIMITS.listItems,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
    }),
    matchRouting: boolean('True while requests matching spec.strategy.abTesting.match are routed to the canary.'),
    gates: array('The last answer of each gate in the current release (confirm-*, pre-rollout and rollback webhooks, manual gates).', gateResult, {
      maxItems: STATUS_LIMITS.listItems,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
    }),
    approval: manualAction('The approval (annotation flowshift.io/approve) that opened the manual gates of the current release.'),
    abort: manualAction('The last abort (annotation flowshift.io/abort) acted on; the same annotation is not acted on twice.'),
    retry: manualAction('The last retry (annotation flowshift.io/retry) acted on; the same annotation is not acted on twice.'),
    promote: manualAction(
      'The last promote (annotation flowshift.io/promote) acted on: the check it made due ran without waiting for the rest of analysis.interval; the same annotation is not acted on twice.',
    ),
    fullPromotion: manualAction(
      'The full promotion (annotation flowshift.io/promote-full) that skipped the analysis and the remaining steps of the release of its revision: who asked, and when.',
    ),
    conditions: conditions(
      'Conditions. Ready is True at rest on a healthy primary that serves the spec (Initialized, Succeeded, or Failed with the target back on the promoted revision); Reconciling is True while a release or a retried fix is under way (waiting at a gate included); Stalled is True when only a change by someone moves the Rollout (Failed, an invalid spec, a refused status). The three share a reason (e.g. Progressing, WaitingPromotion, Failed, Suspended): the kstatus convention, which Flux health checks and kubectl wait --for=condition=Ready read (docs/gitops.md). Promoted is True on Initialized/Succeeded, False on Failed, Unknown otherwise.',
    ),
  },
  { tsName: 'RolloutStatus' },
);
