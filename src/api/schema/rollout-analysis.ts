// spec.analysis: the checks run before every step, the gates and the alerts.
import { DEFAULTS } from './defaults.js';
import { STATUS_LIMITS } from './limits.js';
import {
  DNS_LABEL_PATTERN,
  DURATION_PATTERN,
  array,
  boolean,
  duration,
  durationAtLeast,
  durationAtMost,
  enumOf,
  intOrString,
  integer,
  number,
  namedList,
  object,
  rule,
  string,
  stringMap,
  type Schema,
} from './builders.js';
import { httpUrl, objectRef, secretRef, thresholdRange } from './common.js';
import { AlertSeverity, BuiltinMetric, JudgeTest, WebhookType, celList } from './enums.js';

const BUILTINS = celList(BuiltinMetric);

/** A relative bound: "20%" of the primary's value, or an absolute amount (5, or "0.5" for decimals). */
function bound(description: string): Schema {
  return intOrString(description, { pattern: '^[0-9]+(\\.[0-9]+)?%?$', maxLength: 32 });
}

const compare: Schema = object(
  'Compare the canary with the primary over the same interval instead of (or as well as) a fixed range. Fails when the canary is worse than the baseline by more than a bound.',
  {
    baseline: enumOf({ Primary: 'primary' }, 'What the canary is compared with. Only primary is supported.'),
    maxIncrease: bound(
      'Largest allowed rise of the canary over the baseline: "20%" of the baseline\'s value, or an absolute amount (an integer, or a decimal as a quoted string like "0.5").',
    ),
    maxDecrease: bound(
      'Largest allowed drop of the canary below the baseline: "20%" of the baseline\'s value, or an absolute amount (an integer, or a decimal as a quoted string like "0.5").',
    ),
  },
  {
    required: ['baseline'],
    tsName: 'MetricComparison',
    rules: [rule('has(self.maxIncrease) || has(self.maxDecrease)', 'compare needs maxIncrease, maxDecrease or both')],
  },
);

const judge: Schema = object(
  'Judge the canary against the primary with an anytime-valid sequential test (docs/judge.md) instead of a fixed bound: it may be consulted at every interval with a false-rollback probability of at most alpha over the whole release. Rolls back at once when the canary is worse; with promoteEarly, promotes once it is not worse with enough evidence. request-success-rate takes errorRate and request-duration latency; a custom query must yield counts (errorRate: series labelled count="requests" and count="errors") or histogram buckets by le (latency), for {{ target }} over {{ interval }}.',
  {
    test: enumOf(JudgeTest, 'errorRate: the share of failed requests; latency: the latency distribution, from histogram buckets.', { ref: 'JudgeTest' }),
    alpha: number('Largest probability of rolling back a canary that is not worse (and of promoting early one that is), over the whole release.', {
      minimum: 0.0001,
      maximum: 0.2,
      default: DEFAULTS.judgeAlpha,
    }),
    margin: string('How much worse than the primary the canary may be and still count as not worse: a relative increase of the error rate (or of the share of slow requests), e.g. "20%".', {
      pattern: '^[0-9]+(\\.[0-9]+)?%$',
      maxLength: 16,
      default: DEFAULTS.judgeMargin,
    }),
    promoteEarly: boolean('Promote as soon as every judged metric with promoteEarly says not worse (and every check passes), without stepping through the remaining weights; confirm-promotion gates still apply.', { default: false }),
  },
  { required: ['test'], tsName: 'JudgeSpec' },
);

/** A budget period: whole days ("30d") or a Go duration ("720h"). */
export const PERIOD_PATTERN = '^([0-9]+d|([0-9]+(\\.[0-9]+)?(ms|s|m|h))+)$';
const CEL_DURATION = DURATION_PATTERN.replaceAll('\\', '\\\\');

const burnWindow: Schema = object(
  'One multi-window burn-rate rule (the SRE workbook\'s): it fires when the canary burns the error budget faster than burnRate over the long window and over the short one. Each window is counted in whole analysis intervals since the release started (docs/backtest.md#the-error-budget-burn-check).',
  {
    long: duration('The long window: enough requests for the burn rate to mean something, e.g. 1h. At most the release\'s age is counted.'),
    short: duration('The short window, e.g. 5m: the rule stops firing soon after the burning stops. At least spec.analysis.interval.'),
    burnRate: number('How many times faster than the budget allows the canary may burn it, e.g. 14.4 (2% of a 30-day budget in one hour).', { minimum: 1, maximum: 100_000 }),
  },
  {
    required: ['long', 'short', 'burnRate'],
    tsName: 'BurnRateWindow',
    rules: [
      rule(`!self.long.matches('${CEL_DURATION}') || !self.short.matches('${CEL_DURATION}') || duration(self.short) < duration(self.long)`, 'short must be shorter than long', {
        fieldPath: '.short',
      }),
    ],
  },
);

const errorBudget: Schema = object(
  'The error-budget-burn check: an availability objective over a period, and the burn-rate windows that fail the check (docs/backtest.md#the-error-budget-burn-check). Read from the same Istio metrics as request-success-rate (5xx responses are errors).',
  {
    objective: number('The share of requests that must succeed over the period, in percent, e.g. 99.9. The budget is the rest: 0.1%.', { minimum: 1, maximum: 99.999 }),
    period: string('The period the objective holds over: whole days (30d) or a Go duration (720h). Sets the default burn rates and how long the budget would last in the evidence.', {
      pattern: PERIOD_PATTERN,
      maxLength: 16,
      default: DEFAULTS.errorBudgetPeriod,
    }),
    windows: array(
      'The rules, any of which fails the check. Default: the workbook\'s pairs for paging, 1h/5m spending 2% of the period\'s budget (14.4 for 30d) and 6h/30m spending 5% (6 for 30d).',
      burnWindow,
      { maxItems: 4, minItems: 1 },
    ),
  },
  { required: ['objective'], tsName: 'ErrorBudgetSpec' },
);

export const metric: Schema = object(
  `A check run at every analysis tick. Either a built-in metric (${Object.values(BuiltinMetric).join(', ')}), a PromQL query, or a MetricTemplate reference.`,
  {
    name: string(
      'Metric name. request-success-rate (% of non-5xx responses), request-duration (p99 latency in ms) and error-budget-burn (burn rate of an error budget, with errorBudget) are built in; any other name needs query or templateRef.',
      { pattern: DNS_LABEL_PATTERN, minLength: 1, maxLength: 63 },
    ),
    interval: duration('Range of the query, the {{ interval }} placeholder. Default: analysis.interval.'),
    query: string(
      'PromQL query returning one number. Placeholders: {{ namespace }}, {{ target }}, {{ interval }}, and {{ versionService }} (the version\'s own Service; a StatefulSet target needs it).',
      { minLength: 1, maxLength: 8192 },
    ),
    templateRef: objectRef('MetricTemplate that supplies the provider and the query.', 'MetricTemplate'),
    templateVariables: stringMap('Values for the template\'s {{ variables.<key> }} placeholders.', 32),
    thresholdRange: thresholdRange('Range the metric value must stay in for the check to pass.'),
    compare,
    judge,
    errorBudget,
  },
  {
    required: ['name'],
    tsName: 'MetricSpec',
    rules: [
      rule(
        `!(self.name in ${BUILTINS}) || (!has(self.query) && !has(self.templateRef))`,
        `a built-in metric (${Object.values(BuiltinMetric).join(', ')}) takes no query or templateRef; give a custom metric another name`,
      ),
      rule(
        `self.name in ${BUILTINS} || has(self.query) || has(self.templateRef)`,
        `a custom metric needs query or templateRef (built-in names: ${Object.values(BuiltinMetric).join(', ')})`,
      ),
      rule('!has(self.query) || !has(self.templateRef)', 'set query or templateRef, not both', {
        fieldPath: '.templateRef',
        reason: 'FieldValueForbidden',
      }),
      rule(`has(self.thresholdRange) || has(self.compare) || has(self.judge) || self.name == '${BuiltinMetric.ErrorBudgetBurn}'`, 'a metric needs thresholdRange, compare (or both), or judge', {
        reason: 'FieldValueRequired',
      }),
      rule(`self.name != '${BuiltinMetric.ErrorBudgetBurn}' || has(self.errorBudget)`, 'error-budget-burn needs errorBudget (objective, e.g. 99.9)', {
        fieldPath: '.errorBudget',
        reason: 'FieldValueRequired',
      }),
      rule(`!has(self.errorBudget) || self.name == '${BuiltinMetric.ErrorBudgetBurn}'`, 'errorBudget only applies to the built-in metric error-budget-burn: name the metric error-budget-burn, or remove errorBudget', {
        fieldPath: '.errorBudget',
        reason: 'FieldValueForbidden',
      }),
      rule(
        `self.name != '${BuiltinMetric.ErrorBudgetBurn}' || (!has(self.thresholdRange) && !has(self.compare) && !has(self.judge) && !has(self.interval))`,
        'error-budget-burn decides on its own windows: remove thresholdRange, compare, judge and interval',
        { fieldPath: '.errorBudget', reason: 'FieldValueForbidden' },
      ),
      rule('!has(self.judge) || (!has(self.thresholdRange) && !has(self.compare))', 'judge decides on its own: remove thresholdRange and compare, or judge', {
        fieldPath: '.judge',
        reason: 'FieldValueForbidden',
      }),
      rule(
        `!has(self.judge) || !(self.name in ${BUILTINS}) || (self.name == '${BuiltinMetric.RequestSuccessRate}') == (self.judge.test == '${JudgeTest.ErrorRate}')`,
        'request-success-rate is judged with test: errorRate, request-duration with test: latency',
        { fieldPath: '.judge.test' },
      ),
      rule('!has(self.templateVariables) || has(self.templateRef)', 'templateVariables only apply with templateRef', {
        fieldPath: '.templateVariables',
        reason: 'FieldValueForbidden',
      }),
    ],
  },
);

/** The longest a webhook may take to answer (smoke tests run in a pre-rollout call may take minutes; a tick waits for its gates). */
export const MAX_WEBHOOK_TIMEOUT = '2m';
const MANUAL_TYPES = celList({
  ConfirmRollout: WebhookType.ConfirmRollout,
  ConfirmTrafficIncrease: WebhookType.ConfirmTrafficIncrease,
  ConfirmPromotion: WebhookType.ConfirmPromotion,
});
const isManual = 'has(self.manual) && self.manual';

export const webhook: Schema = object(
  'An HTTP hook called at a point of the release, or a manual gate opened by `kubectl flowshift approve`. Gate types (confirm-*) hold the release until the hook answers 2xx; pre-rollout and rollout fail a check unless it answers 2xx; rollback rolls back when it answers 2xx; post-rollout and event only inform.',
  {
    name: string('Webhook name, unique in the Rollout.', { pattern: DNS_LABEL_PATTERN, minLength: 1, maxLength: 63 }),
    type: enumOf(WebhookType, 'When the webhook is called.', { ref: 'WebhookType', default: WebhookType.Rollout }),
    url: httpUrl('URL the JSON payload is POSTed to. Redirects are not followed. Exactly one of url and manual is set.'),
    manual: boolean(
      'A gate without a URL, opened only by an approval: the annotation flowshift.io/approve (written by `kubectl flowshift approve`) naming the revision in release opens every manual gate of that release. Only for confirm-rollout, confirm-traffic-increase and confirm-promotion. Exactly one of url and manual is set.',
    ),
    timeout: duration(`How long to wait for an answer (at most ${MAX_WEBHOOK_TIMEOUT}); no answer in time counts as closed (or a failed check).`, {
      default: DEFAULTS.webhookTimeout,
      'x-kubernetes-validations': [durationAtMost(MAX_WEBHOOK_TIMEOUT, `timeout must be at most ${MAX_WEBHOOK_TIMEOUT}`)],
    }),
    retries: integer('Retries after a failed call before the answer counts as closed (or the check as failed).', { minimum: 0, maximum: 10, default: 0 }),
    metadata: stringMap('Extra key/values sent in the payload.', 32),
    secretRef: secretRef(
      'Secret whose `key` signs each call: X-Flowshift-Signature is sha256=HMAC-SHA256(key, "<X-Flowshift-Timestamp>.<X-Flowshift-Delivery>.<body>"), so the receiver can tell the call came from flowshift and refuse an old or repeated one.',
    ),
  },
  {
    required: ['name'],
    tsName: 'WebhookSpec',
    rules: [
      rule(`has(self.url) != (${isManual})`, 'set url, or manual: true for a gate opened by kubectl flowshift approve (exactly one of them)', {
        reason: 'FieldValueRequired',
      }),
      rule(`!(${isManual}) || (has(self.type) ? self.type : 'rollout') in ${MANUAL_TYPES}`, 'manual is only allowed for confirm-rollout, confirm-traffic-increase and confirm-promotion gates', {
        fieldPath: '.manual',
        reason: 'FieldValueForbidden',
      }),
      rule(`!(${isManual}) || (!has(self.secretRef) && !has(self.metadata) && (!has(self.retries) || self.retries == 0))`, 'a manual gate calls nothing: remove secretRef, metadata and retries', {
        fieldPath: '.manual',
        reason: 'FieldValueForbidden',
      }),
    ],
  },
);

export const alert: Schema = object(
  'Where release events are posted.',
  {
    name: string('Alert name, unique in the Rollout.', { pattern: DNS_LABEL_PATTERN, minLength: 1, maxLength: 63 }),
    severity: enumOf(AlertSeverity, 'Least severe event posted: info (every step), warn (gates, failed checks) or error (rollbacks only).', {
      ref: 'AlertSeverity',
      default: AlertSeverity.Info,
    }),
    providerRef: objectRef('AlertProvider that delivers the message.', 'AlertProvider'),
  },
  { required: ['name', 'providerRef'], tsName: 'AlertSpec' },
);

export const analysis: Schema = object(
  'The checks run at every tick. A release is rolled back after threshold failed checks.',
  {
    interval: duration('Tick period: how often checks run and weights move. Minimum 1s.', {
      default: DEFAULTS.analysisInterval,
      'x-kubernetes-validations': [durationAtLeast('1s', 'interval must be at least 1s')],
    }),
    threshold: integer('Failed checks that trigger a rollback.', { minimum: 1, maximum: 1000, default: DEFAULTS.threshold }),
    primaryReadyThreshold: integer('Percent of primary pods that must be available for the primary to count as ready.', {
      minimum: 1,
      maximum: 100,
      default: DEFAULTS.readyThreshold,
    }),
    canaryReadyThreshold: integer('Percent of canary pods that must be available for the canary to count as ready.', {
      minimum: 1,
      maximum: 100,
      default: DEFAULTS.readyThreshold,
    }),
    metrics: namedList('Metric checks; every one must pass for a tick to count as passed.', metric, 20),
    historyLimit: integer('Measurements kept per metric in status.analysis[].history, newest last (0: none).', {
      minimum: 0,
      maximum: STATUS_LIMITS.historyItems,
      default: DEFAULTS.historyLimit,
    }),
    webhooks: namedList('Webhooks called at the points of the release their type names.', webhook, 20),
    alerts: namedList('Alert destinations for release events.', alert, 10),
  },
  { tsName: 'AnalysisSpec', default: {} },
);
