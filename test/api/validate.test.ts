import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/api/duration.js';
import type { Rollout } from '../../src/api/types.gen.js';
import { validateRollout } from '../../src/api/validate.js';
import { edited } from './edit.js';
import { validRollout } from './rollouts.js';

function problemsAfter(edits: Readonly<Record<string, unknown>>): ReturnType<typeof validateRollout> {
  return validateRollout(edited(validRollout(), edits));
}

function blueGreen(edits: Readonly<Record<string, unknown>> = {}): Rollout {
  return edited(validRollout(), { 'spec.strategy': { blueGreen: { iterations: 5 } }, ...edits });
}

describe('validateRollout', () => {
  it('finds nothing wrong with a well-formed Rollout', () => {
    expect(validateRollout(validRollout())).toEqual([]);
  });

  it('reports every problem at once, each with path, message and fix', () => {
    const problems = problemsAfter({
      'spec.analysis.webhooks[0].url': 'not a url',
      'spec.service.gateways': ['public-gateway'],
    });
    expect(problems.map((p) => p.path)).toEqual(['spec.service.gateways[0]', 'spec.analysis.webhooks[0].url']);
    for (const p of problems) {
      expect(p.message).not.toBe('');
      expect(p.fix).not.toBe('');
    }
  });

  it('rejects built-in metrics with provider gatewayapi, saying it is not supported yet', () => {
    const problems = problemsAfter({ 'spec.provider': 'gatewayapi' });
    expect(problems.map((p) => p.path)).toEqual(['spec.analysis.metrics[0].name', 'spec.analysis.metrics[1].name']);
    expect(problems[0]).toMatchObject({ code: 'builtin-metric-provider', message: expect.stringContaining('not supported yet') as string });
  });

  it('accepts custom metrics with provider gatewayapi', () => {
    const problems = problemsAfter({ 'spec.provider': 'gatewayapi', 'spec.analysis.metrics': [{ name: 'errors', query: 'up', thresholdRange: { max: 1 } }] });
    expect(problems).toEqual([]);
  });

  it('rejects a webhook URL that does not parse', () => {
    expect(problemsAfter({ 'spec.analysis.webhooks[0].url': 'gate.example/approve' })).toMatchObject([
      { code: 'webhook-url', path: 'spec.analysis.webhooks[0].url', message: expect.stringContaining('does not parse') as string },
    ]);
  });

  it('rejects a webhook URL whose scheme is not http or https', () => {
    expect(problemsAfter({ 'spec.analysis.webhooks[0].url': 'ftp://gate.example/approve' })).toMatchObject([
      { code: 'webhook-url', message: expect.stringContaining('scheme ftp') as string },
    ]);
  });

  it('rejects a duplicate metric name, pointing at the second one', () => {
    expect(problemsAfter({ 'spec.analysis.metrics[2].name': 'request-duration' })).toMatchObject([
      { code: 'duplicate-name', path: 'spec.analysis.metrics[2].name', message: expect.stringContaining('spec.analysis.metrics[1]') as string },
    ]);
  });

  it('rejects a duplicate webhook name', () => {
    const webhook = { name: 'approval', type: 'confirm-rollout', url: 'http://gate.example/start' };
    expect(problemsAfter({ 'spec.analysis.webhooks[1]': webhook })).toMatchObject([{ code: 'duplicate-name', path: 'spec.analysis.webhooks[1].name' }]);
  });

  it('accepts a manual gate without url', () => {
    expect(problemsAfter({ 'spec.analysis.webhooks[0]': { name: 'approval', type: 'confirm-promotion', manual: true } })).toEqual([]);
  });

  it('rejects a webhook with both url and manual, or neither', () => {
    expect(problemsAfter({ 'spec.analysis.webhooks[0].manual': true })).toMatchObject([{ code: 'webhook-url-or-manual', path: 'spec.analysis.webhooks[0].url' }]);
    expect(problemsAfter({ 'spec.analysis.webhooks[0].url': undefined })).toMatchObject([
      { code: 'webhook-url-or-manual', message: 'webhook "approval" has no url and is not manual' },
    ]);
  });

  it('rejects a manual gate of a type an approval cannot open, and extras a manual gate never uses', () => {
    const hook = { name: 'smoke', type: 'pre-rollout', manual: true, retries: 2 };
    expect(problemsAfter({ 'spec.analysis.webhooks[0]': hook })).toMatchObject([
      { code: 'manual-gate-type', path: 'spec.analysis.webhooks[0].manual' },
      { code: 'manual-gate-extras', path: 'spec.analysis.webhooks[0].manual' },
    ]);
  });

  it('rejects a webhook timeout above 2m', () => {
    expect(problemsAfter({ 'spec.analysis.webhooks[0].timeout': '3m' })).toMatchObject([
      { code: 'duration', path: 'spec.analysis.webhooks[0].timeout', message: '"3m" is longer than the maximum of 120s' },
    ]);
  });

  it('rejects a duplicate alert name', () => {
    const alert = { name: 'on-call', providerRef: { name: 'pager' } };
    expect(problemsAfter({ 'spec.analysis.alerts[1]': alert })).toMatchObject([{ code: 'duplicate-name', path: 'spec.analysis.alerts[1].name' }]);
  });

  it('accepts gateway refs "mesh" and "<namespace>/<name>"', () => {
    expect(problemsAfter({ 'spec.service.gateways': ['mesh', 'istio-system/public-gateway'] })).toEqual([]);
  });

  it('rejects a gateway ref without namespace, or with more than one slash', () => {
    const problems = problemsAfter({ 'spec.service.gateways': ['public-gateway', 'a/b/c', 'Istio-System/gw'] });
    expect(problems.map((p) => [p.code, p.path])).toEqual([
      ['gateway-ref', 'spec.service.gateways[0]'],
      ['gateway-ref', 'spec.service.gateways[1]'],
      ['gateway-ref', 'spec.service.gateways[2]'],
    ]);
  });

  it('rejects a service name ending in -primary, which collides with the Services flowshift generates', () => {
    expect(problemsAfter({ 'spec.service.name': 'podinfo-primary' })).toMatchObject([
      { code: 'reserved-name', path: 'spec.service.name', fix: expect.stringContaining('"podinfo"') as string },
    ]);
  });

  it('rejects a service name defaulted from a target ending in -canary', () => {
    expect(problemsAfter({ 'spec.targetRef.name': 'podinfo-canary' })).toMatchObject([{ code: 'reserved-name', path: 'spec.targetRef.name' }]);
  });

  it('rejects a target that is the primary Deployment flowshift generates', () => {
    expect(problemsAfter({ 'spec.targetRef.name': 'podinfo-primary', 'spec.service.name': 'podinfo' })).toMatchObject([
      { code: 'reserved-name', path: 'spec.targetRef.name', message: expect.stringContaining('primary Deployment') as string },
    ]);
  });

  it('rejects a target name that cannot be a Service name when service.name is not set', () => {
    expect(problemsAfter({ 'spec.targetRef.name': `a${'b'.repeat(60)}` })).toMatchObject([{ code: 'service-name', path: 'spec.targetRef.name' }]);
    expect(problemsAfter({ 'spec.targetRef.name': '1podinfo' })).toMatchObject([{ code: 'service-name', path: 'spec.targetRef.name' }]);
  });

  it('rejects stepWeight above maxWeight, which would never step', () => {
    expect(problemsAfter({ 'spec.strategy.canary': { stepWeight: 60, maxWeight: 50 } })).toMatchObject([
      { code: 'step-above-max', path: 'spec.strategy.canary.stepWeight', message: expect.stringContaining('never take a step') as string },
    ]);
  });

  it('accepts stepWeight without maxWeight, which steps up to 100', () => {
    expect(problemsAfter({ 'spec.strategy.canary': { stepWeight: 25 } })).toEqual([]);
  });

  it('rejects durations that do not parse, wherever they are', () => {
    const problems = problemsAfter({
      'spec.analysis.interval': '1 minute',
      'spec.analysis.metrics[0].interval': '5x',
      'spec.analysis.webhooks[0].timeout': 'soon',
      'spec.service.timeout': '10',
    });
    expect(problems.map((p) => [p.code, p.path])).toEqual([
      ['duration', 'spec.analysis.interval'],
      ['duration', 'spec.analysis.metrics[0].interval'],
      ['duration', 'spec.analysis.webhooks[0].timeout'],
      ['duration', 'spec.service.timeout'],
    ]);
  });

  it('rejects an analysis interval below 1s', () => {
    expect(problemsAfter({ 'spec.analysis.interval': '500ms' })).toMatchObject([{ code: 'duration', path: 'spec.analysis.interval' }]);
  });

  it('accepts a short metric interval: whether it holds enough scrapes depends on Prometheus', () => {
    expect(problemsAfter({ 'spec.analysis.metrics[0].interval': '5s' })).toEqual([]);
  });

  it('rejects a confirm-traffic-increase gate on a strategy that never steps traffic', () => {
    const rollout = blueGreen({ 'spec.analysis.webhooks[0].type': 'confirm-traffic-increase' });
    expect(validateRollout(rollout)).toMatchObject([
      { code: 'gate-never-called', path: 'spec.analysis.webhooks[0].type', message: expect.stringContaining('blueGreen') as string },
    ]);
  });

  it('accepts a confirm-traffic-increase gate on a canary', () => {
    expect(problemsAfter({ 'spec.analysis.webhooks[0].type': 'confirm-traffic-increase' })).toEqual([]);
  });
});

describe('parseDuration', () => {
  it('reads Go durations as milliseconds', () => {
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('1.5h')).toBe(5_400_000);
  });

  it('refuses text that is not a duration', () => {
    for (const text of ['', '10', '1 m', '1d', 'ms', '-1s']) expect(parseDuration(text), text).toBeUndefined();
  });
});

describe('validateRollout: error-budget-burn windows against the analysis interval', () => {
  const burn = (errorBudget: Record<string, unknown>, interval = '1m'): Rollout =>
    edited(validRollout(), { 'spec.analysis.interval': interval, 'spec.analysis.metrics': [{ name: 'error-budget-burn', errorBudget }] });

  it('accepts the default windows at a 1m interval', () => {
    expect(validateRollout(burn({ objective: 99.9 }))).toEqual([]);
  });

  it('refuses the default windows when their 5m short window is below a 10m interval, naming errorBudget.windows', () => {
    expect(validateRollout(burn({ objective: 99.9 }, '10m'))).toEqual([
      {
        code: 'burn-window-below-interval',
        path: 'spec.analysis.metrics[0].errorBudget.windows',
        message: 'metric "error-budget-burn": the default windows\' short window 5m is shorter than spec.analysis.interval 10m, and windows are counted in whole intervals',
        fix: 'set errorBudget.windows with short windows of at least 10m, or shorten spec.analysis.interval',
      },
    ]);
  });

  it('refuses a short window below the interval at its own path', () => {
    const problems = validateRollout(burn({ objective: 99.9, windows: [{ long: '1h', short: '5m', burnRate: 14.4 }, { long: '1h', short: '30s', burnRate: 14.4 }] }));
    expect(problems.map((p) => p.path)).toEqual(['spec.analysis.metrics[0].errorBudget.windows[1].short']);
  });
});
