import { beforeAll, describe, expect, it } from 'vitest';
import { createNamespace } from '../support/env/context.js';
import { edited } from './edit.js';
import { tryCreate, validRollout } from './rollouts.js';

interface InvalidCase {
  /** The one mistake, as a test name. */
  readonly mistake: string;
  /** Path → new value (undefined deletes). */
  readonly edits: Readonly<Record<string, unknown>>;
  /** The field path the API server must name. */
  readonly path: string;
  /** A fragment of the message proving which check fired. */
  readonly says: string;
}

const M = 'spec.analysis.metrics';
const W = 'spec.analysis.webhooks[0]';

// One mistake each: every CEL rule, wrong types, out-of-range numbers, bad
// durations and unknown enum values.
const invalidRollouts: readonly InvalidCase[] = [
  { mistake: 'two strategies', edits: { 'spec.strategy.blueGreen': {} }, path: 'spec.strategy', says: 'exactly one of canary, blueGreen or abTesting' },
  { mistake: 'no strategy', edits: { 'spec.strategy': {} }, path: 'spec.strategy', says: 'exactly one of canary, blueGreen or abTesting' },
  { mistake: 'decreasing stepWeights', edits: { 'spec.strategy.canary.stepWeights': [20, 10] }, path: 'spec.strategy.canary.stepWeights', says: 'strictly increasing' },
  { mistake: 'a repeated step weight', edits: { 'spec.strategy.canary.stepWeights': [10, 10, 20] }, path: 'spec.strategy.canary.stepWeights', says: 'strictly increasing' },
  { mistake: 'a step weight of 0', edits: { 'spec.strategy.canary.stepWeights': [0, 50] }, path: 'spec.strategy.canary.stepWeights[0]', says: 'greater than or equal to 1' },
  { mistake: 'a step weight above 100', edits: { 'spec.strategy.canary.stepWeights': [50, 120] }, path: 'spec.strategy.canary.stepWeights[1]', says: 'less than or equal to 100' },
  { mistake: 'stepWeights as a string', edits: { 'spec.strategy.canary.stepWeights': '10,20' }, path: 'spec.strategy.canary.stepWeights', says: 'must be of type array' },
  { mistake: 'stepWeight and stepWeights together', edits: { 'spec.strategy.canary.stepWeight': 10 }, path: 'spec.strategy.canary.stepWeight', says: 'not both' },
  { mistake: 'a canary without weights', edits: { 'spec.strategy.canary.stepWeights': undefined }, path: 'spec.strategy.canary', says: 'canary needs stepWeights' },
  {
    mistake: 'maxWeight above 100',
    edits: { 'spec.strategy.canary': { stepWeight: 10, maxWeight: 150 } },
    path: 'spec.strategy.canary.maxWeight',
    says: 'less than or equal to 100',
  },
  { mistake: 'maxWeight with stepWeights', edits: { 'spec.strategy.canary.maxWeight': 50 }, path: 'spec.strategy.canary.maxWeight', says: 'only applies with stepWeight' },
  { mistake: 'stepWeightPromotion above 100', edits: { 'spec.strategy.canary.stepWeightPromotion': 101 }, path: 'spec.strategy.canary.stepWeightPromotion', says: 'less than or equal to 100' },
  { mistake: 'a mirror percentage of 0', edits: { 'spec.strategy.canary.mirror.percentage': 0 }, path: 'spec.strategy.canary.mirror.percentage', says: 'greater than or equal to 1' },
  { mistake: 'abTesting with an empty match', edits: { 'spec.strategy': { abTesting: { match: [] } } }, path: 'spec.strategy.abTesting.match', says: 'at least one match condition' },
  { mistake: 'abTesting without match', edits: { 'spec.strategy': { abTesting: { iterations: 5 } } }, path: 'spec.strategy.abTesting.match', says: 'Required value' },
  { mistake: 'blueGreen with 0 iterations', edits: { 'spec.strategy': { blueGreen: { iterations: 0 } } }, path: 'spec.strategy.blueGreen.iterations', says: 'greater than or equal to 1' },
  { mistake: 'an empty thresholdRange', edits: { [`${M}[0].thresholdRange`]: {} }, path: `${M}[0].thresholdRange`, says: 'thresholdRange needs min, max or both' },
  { mistake: 'thresholdRange min above max', edits: { [`${M}[0].thresholdRange`]: { min: 99, max: 90 } }, path: `${M}[0].thresholdRange.min`, says: 'must not be greater than max' },
  { mistake: 'a built-in metric with a query', edits: { [`${M}[0].query`]: 'up' }, path: `${M}[0]`, says: 'takes no query or templateRef' },
  { mistake: 'a custom metric without query or templateRef', edits: { [`${M}[2].query`]: undefined }, path: `${M}[2]`, says: 'needs query or templateRef' },
  { mistake: 'a metric with query and templateRef', edits: { [`${M}[2].templateRef`]: { name: 'latency' } }, path: `${M}[2].templateRef`, says: 'not both' },
  { mistake: 'a metric with neither thresholdRange nor compare', edits: { [`${M}[1].thresholdRange`]: undefined }, path: `${M}[1]`, says: 'a metric needs thresholdRange, compare (or both), or judge' },
  { mistake: 'a judged metric with a thresholdRange too', edits: { [`${M}[1].judge`]: { test: 'latency' } }, path: `${M}[1].judge`, says: 'judge decides on its own: remove thresholdRange and compare, or judge' },
  { mistake: 'request-duration judged on its error rate', edits: { [`${M}[1].judge`]: { test: 'errorRate' }, [`${M}[1].thresholdRange`]: undefined }, path: `${M}[1].judge.test`, says: 'request-success-rate is judged with test: errorRate, request-duration with test: latency' },
  { mistake: 'a judge margin that is not a percentage', edits: { [`${M}[1].judge`]: { test: 'latency', margin: '0.2' }, [`${M}[1].thresholdRange`]: undefined }, path: `${M}[1].judge.margin`, says: 'should match' },
  { mistake: 'errorBudget on another metric than error-budget-burn', edits: { [`${M}[1].errorBudget`]: { objective: 99.9 } }, path: `${M}[1].errorBudget`, says: 'errorBudget only applies to the built-in metric error-budget-burn' },
  { mistake: 'error-budget-burn without errorBudget', edits: { [`${M}[1]`]: { name: 'error-budget-burn' } }, path: `${M}[1].errorBudget`, says: 'error-budget-burn needs errorBudget' },
  { mistake: 'error-budget-burn with a thresholdRange', edits: { [`${M}[1]`]: { name: 'error-budget-burn', errorBudget: { objective: 99.9 }, thresholdRange: { max: 1 } } }, path: `${M}[1].errorBudget`, says: 'error-budget-burn decides on its own windows' },
  { mistake: 'a burn-rate window whose short window is not shorter than its long one', edits: { [`${M}[1]`]: { name: 'error-budget-burn', errorBudget: { objective: 99.9, windows: [{ long: '5m', short: '1h', burnRate: 14.4 }] } } }, path: `${M}[1].errorBudget.windows[0].short`, says: 'short must be shorter than long' },
  { mistake: 'an objective of 100%, which leaves no budget', edits: { [`${M}[1]`]: { name: 'error-budget-burn', errorBudget: { objective: 100 } } }, path: `${M}[1].errorBudget.objective`, says: 'less than or equal to 99' },
  { mistake: 'an error budget period that is not one', edits: { [`${M}[1]`]: { name: 'error-budget-burn', errorBudget: { objective: 99.9, period: '30 days' } } }, path: `${M}[1].errorBudget.period`, says: 'should match' },
  { mistake: 'compare without a bound', edits: { [`${M}[2].compare`]: { baseline: 'primary' } }, path: `${M}[2].compare`, says: 'needs maxIncrease, maxDecrease or both' },
  { mistake: 'a compare bound that is not a number or percentage', edits: { [`${M}[2].compare.maxIncrease`]: '20 %' }, path: `${M}[2].compare.maxIncrease`, says: 'should match' },
  { mistake: 'an unknown compare baseline', edits: { [`${M}[2].compare.baseline`]: 'canary' }, path: `${M}[2].compare.baseline`, says: 'Unsupported value' },
  { mistake: 'templateVariables without templateRef', edits: { [`${M}[2].templateVariables`]: { route: '/' } }, path: `${M}[2].templateVariables`, says: 'only apply with templateRef' },
  { mistake: 'an upper-case metric name', edits: { [`${M}[2].name`]: 'Error_Ratio' }, path: `${M}[2].name`, says: 'should match' },
  { mistake: 'two metrics of the same name', edits: { [`${M}[1].name`]: 'request-success-rate' }, path: `${M}[1]`, says: 'Duplicate value' },
  { mistake: 'a metric interval that is not a duration', edits: { [`${M}[0].interval`]: '5x' }, path: `${M}[0].interval`, says: 'should match' },
  { mistake: 'an analysis interval below 1s', edits: { 'spec.analysis.interval': '500ms' }, path: 'spec.analysis.interval', says: 'interval must be at least 1s' },
  { mistake: 'an analysis interval in words', edits: { 'spec.analysis.interval': '1 minute' }, path: 'spec.analysis.interval', says: 'should match' },
  { mistake: 'a threshold of 0', edits: { 'spec.analysis.threshold': 0 }, path: 'spec.analysis.threshold', says: 'greater than or equal to 1' },
  { mistake: 'a primaryReadyThreshold above 100', edits: { 'spec.analysis.primaryReadyThreshold': 101 }, path: 'spec.analysis.primaryReadyThreshold', says: 'less than or equal to 100' },
  { mistake: 'a target kind flowshift cannot release', edits: { 'spec.targetRef.kind': 'ReplicaSet' }, path: 'spec.targetRef.kind', says: 'supported values: "Deployment", "DaemonSet", "StatefulSet"' },
  {
    mistake: 'an autoscaler on a DaemonSet target',
    edits: { 'spec.targetRef.kind': 'DaemonSet', 'spec.autoscalerRef': { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name: 'web' } },
    path: 'spec.autoscalerRef',
    says: 'autoscalerRef applies to a Deployment target only',
  },
  {
    mistake: 'an autoscaler on a StatefulSet target',
    edits: { 'spec.targetRef.kind': 'StatefulSet', 'spec.autoscalerRef': { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name: 'web' } },
    path: 'spec.autoscalerRef',
    says: "a StatefulSet's pods are split between its revisions by its partition",
  },
  {
    mistake: 'blue/green for a StatefulSet target',
    edits: { 'spec.targetRef.kind': 'StatefulSet', 'spec.strategy': { blueGreen: { iterations: 3 } } },
    path: 'spec.strategy.blueGreen',
    says: 'strategy.blueGreen does not apply to a StatefulSet target',
  },
  {
    mistake: 'mirroring to a StatefulSet canary',
    edits: { 'spec.targetRef.kind': 'StatefulSet', 'spec.strategy.canary.mirror': { percentage: 50 } },
    path: 'spec.strategy.canary.mirror',
    says: 'strategy.canary.mirror does not apply to a StatefulSet target',
  },
  { mistake: 'an unknown webhook type', edits: { [`${W}.type`]: 'pre-promotion' }, path: `${W}.type`, says: 'Unsupported value' },
  { mistake: 'a webhook URL that is not http(s)', edits: { [`${W}.url`]: 'ftp://gate.example/approve' }, path: `${W}.url`, says: 'absolute http or https URL' },
  { mistake: 'a relative webhook URL', edits: { [`${W}.url`]: '/approve' }, path: `${W}.url`, says: 'absolute http or https URL' },
  { mistake: 'a webhook without url that is not manual', edits: { [`${W}.url`]: undefined }, path: W, says: 'set url, or manual: true' },
  { mistake: 'a webhook with url and manual', edits: { [`${W}.manual`]: true }, path: W, says: 'exactly one of them' },
  {
    mistake: 'a manual pre-rollout webhook',
    edits: { [`${W}.url`]: undefined, [`${W}.manual`]: true, [`${W}.type`]: 'pre-rollout' },
    path: `${W}.manual`,
    says: 'manual is only allowed for confirm-rollout, confirm-traffic-increase and confirm-promotion',
  },
  { mistake: 'a manual gate with a secretRef', edits: { [`${W}.url`]: undefined, [`${W}.manual`]: true, [`${W}.secretRef`]: { name: 'key' } }, path: `${W}.manual`, says: 'a manual gate calls nothing' },
  { mistake: 'a webhook timeout above 2m', edits: { [`${W}.timeout`]: '2m1s' }, path: `${W}.timeout`, says: 'timeout must be at most 2m' },
  { mistake: 'a webhook timeout in words', edits: { [`${W}.timeout`]: '10 seconds' }, path: `${W}.timeout`, says: 'should match' },
  { mistake: 'negative webhook retries', edits: { [`${W}.retries`]: -1 }, path: `${W}.retries`, says: 'greater than or equal to 0' },
  { mistake: 'an unknown alert severity', edits: { 'spec.analysis.alerts[0].severity': 'critical' }, path: 'spec.analysis.alerts[0].severity', says: 'Unsupported value' },
  { mistake: 'an alert without providerRef', edits: { 'spec.analysis.alerts[0].providerRef': undefined }, path: 'spec.analysis.alerts[0].providerRef', says: 'Required value' },
  { mistake: 'progressDeadlineSeconds as a word', edits: { 'spec.progressDeadlineSeconds': 'ten' }, path: 'spec.progressDeadlineSeconds', says: 'must be of type integer' },
  { mistake: 'suspend as a string', edits: { 'spec.suspend': 'yes' }, path: 'spec.suspend', says: 'must be of type boolean' },
  { mistake: 'an unknown provider', edits: { 'spec.provider': 'linkerd' }, path: 'spec.provider', says: 'Unsupported value' },
  { mistake: 'a target that is not a workload', edits: { 'spec.targetRef.kind': 'Pod' }, path: 'spec.targetRef.kind', says: 'Unsupported value' },
  { mistake: 'no targetRef', edits: { 'spec.targetRef': undefined }, path: 'spec.targetRef', says: 'Required value' },
  { mistake: 'a service port above 65535', edits: { 'spec.service.port': 70000 }, path: 'spec.service.port', says: 'less than or equal to 65535' },
  { mistake: 'a service without port', edits: { 'spec.service.port': undefined }, path: 'spec.service.port', says: 'Required value' },
  { mistake: 'a service name that is not a DNS label', edits: { 'spec.service.name': 'Podinfo_App' }, path: 'spec.service.name', says: 'should match' },
  { mistake: 'a service name too long for the -primary suffix', edits: { 'spec.service.name': 'a'.repeat(56) }, path: 'spec.service.name', says: 'may not be more than 55' },
  { mistake: 'a route timeout without unit', edits: { 'spec.service.timeout': '10' }, path: 'spec.service.timeout', says: 'should match' },
  { mistake: 'a match entry that is not an object', edits: { 'spec.service.match': ['uri'] }, path: 'spec.service.match[0]', says: 'must be of type object' },
];

const invalidCompanions: readonly (Omit<InvalidCase, 'edits'> & { plural: string; body: object })[] = [
  {
    plural: 'alertproviders',
    body: { apiVersion: 'flowshift.io/v1alpha1', kind: 'AlertProvider', metadata: { name: 'slack' }, spec: { type: 'slack', channel: '#deploys' } },
    mistake: 'an AlertProvider without secretRef',
    path: 'spec.secretRef',
    says: 'Required value',
  },
  {
    plural: 'alertproviders',
    body: {
      apiVersion: 'flowshift.io/v1alpha1',
      kind: 'AlertProvider',
      metadata: { name: 'slack' },
      spec: { type: 'slack', address: 'https://hooks.slack.example/T0/B0/x', secretRef: { name: 'slack-url' } },
    },
    mistake: 'an AlertProvider with the URL in address',
    path: 'spec.address',
    says: 'store it in a Secret under the key "address" and set secretRef.name',
  },
  {
    plural: 'alertproviders',
    body: { apiVersion: 'flowshift.io/v1alpha1', kind: 'AlertProvider', metadata: { name: 'teams' }, spec: { type: 'msteams', channel: '#x', secretRef: { name: 'teams-url' } } },
    mistake: 'a Teams AlertProvider with a Slack channel',
    path: 'spec.channel',
    says: 'channel applies to slack only',
  },
  {
    plural: 'alertproviders',
    body: { apiVersion: 'flowshift.io/v1alpha1', kind: 'AlertProvider', metadata: { name: 'pager' }, spec: { type: 'pagerduty', secretRef: { name: 'pd' } } },
    mistake: 'an unknown AlertProvider type',
    path: 'spec.type',
    says: 'Unsupported value',
  },
  {
    plural: 'metrictemplates',
    body: { apiVersion: 'flowshift.io/v1alpha1', kind: 'MetricTemplate', metadata: { name: 'dd' }, spec: { provider: { type: 'datadog' }, query: 'up' } },
    mistake: 'a MetricTemplate with an unknown provider type',
    path: 'spec.provider.type',
    says: 'Unsupported value',
  },
  {
    plural: 'metrictemplates',
    body: {
      apiVersion: 'flowshift.io/v1alpha1',
      kind: 'MetricTemplate',
      metadata: { name: 'schemeless' },
      spec: { provider: { type: 'prometheus', address: 'prometheus:9090' }, query: 'up' },
    },
    mistake: 'a MetricTemplate address without scheme',
    path: 'spec.provider.address',
    says: 'absolute http or https URL',
  },
];

describe('the flowshift CRDs on the API server', () => {
  let namespace: string;
  beforeAll(async () => {
    namespace = await createNamespace('api-invalid');
  });

  it('accepts the valid Rollout every invalid case starts from', async () => {
    expect(await tryCreate(namespace, 'rollouts', validRollout('baseline'))).toEqual({ code: 201, message: '' });
  });

  it('accepts an error-budget-burn metric with its objective, period and windows', async () => {
    const burn = { name: 'error-budget-burn', errorBudget: { objective: 99.9, period: '7d', windows: [{ long: '1h', short: '5m', burnRate: 3.36 }] } };
    expect(await tryCreate(namespace, 'rollouts', edited(validRollout('burn'), { [`${M}[1]`]: burn }))).toEqual({ code: 201, message: '' });
  });

  it('has at least 30 invalid cases', () => {
    expect(invalidRollouts.length).toBeGreaterThanOrEqual(30);
  });

  it.each(invalidRollouts.map((c, i) => ({ ...c, index: i })))('rejects $mistake with 422 naming $path', async ({ edits, path, says, index }) => {
    const verdict = await tryCreate(namespace, 'rollouts', edited(validRollout(`invalid-${index}`), edits));
    expect(verdict.code).toBe(422);
    expect(verdict.message).toContain(`${path}: `);
    expect(verdict.message).toContain(says);
  });

  it.each(invalidCompanions)('rejects $mistake with 422 naming $path', async ({ plural, body, path, says }) => {
    const verdict = await tryCreate(namespace, plural, body);
    expect(verdict.code).toBe(422);
    expect(verdict.message).toContain(`${path}: `);
    expect(verdict.message).toContain(says);
  });
});
