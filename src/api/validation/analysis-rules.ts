// Semantic rules on spec.analysis: what CEL cannot check because it needs a
// URL parser, knowledge of the provider, or a look across list entries.
import { parseDuration } from '../duration.js';
import { MAX_WEBHOOK_TIMEOUT } from '../schema/rollout-analysis.js';
import { BuiltinMetric, MeshProvider, StrategyName, WebhookType, type Rollout } from '../types.gen.js';
import { problem, type ValidationProblem } from './problem.js';
import { redactUrl } from '../../redact.js';

const MAX_WEBHOOK_TIMEOUT_MS = parseDuration(MAX_WEBHOOK_TIMEOUT) ?? 120_000;
const BUILTINS: ReadonlySet<string> = new Set(Object.values(BuiltinMetric));

export function builtinMetricsNeedIstio(rollout: Rollout): ValidationProblem[] {
  const provider = rollout.spec.provider ?? MeshProvider.Istio;
  if (provider === MeshProvider.Istio) return [];
  return (rollout.spec.analysis?.metrics ?? []).flatMap((metric, i) =>
    BUILTINS.has(metric.name)
      ? [
          problem(
            'builtin-metric-provider',
            `spec.analysis.metrics[${i}].name`,
            `built-in metric "${metric.name}" reads Istio's telemetry, and provider ${provider} is not supported yet`,
            `set spec.provider to istio, or give the metric a query or templateRef that reads your ${provider} metrics`,
          ),
        ]
      : [],
  );
}

function httpUrlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'does not parse as a URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `has scheme ${url.protocol.slice(0, -1)}, not http or https`;
  if (url.hostname === '') return 'has no host';
  return undefined;
}

export function webhookUrlsAreHttp(rollout: Rollout): ValidationProblem[] {
  return (rollout.spec.analysis?.webhooks ?? []).flatMap((webhook, i) => {
    if (webhook.url === undefined) return [];
    const reason = httpUrlProblem(webhook.url);
    return reason === undefined
      ? []
      : [
          problem(
            'webhook-url',
            `spec.analysis.webhooks[${i}].url`,
            `webhook "${webhook.name}" URL "${redactUrl(webhook.url)}" ${reason}`,
            'write an absolute http(s) URL, e.g. http://gate.flowshift-system/approve',
          ),
        ];
  });
}

function duplicates(list: readonly { name: string }[], path: string, what: string): ValidationProblem[] {
  const first = new Map<string, number>();
  return list.flatMap((entry, i) => {
    const earlier = first.get(entry.name);
    if (earlier === undefined) {
      first.set(entry.name, i);
      return [];
    }
    return [
      problem(
        'duplicate-name',
        `${path}[${i}].name`,
        `${what} name "${entry.name}" is already used by ${path}[${earlier}]`,
        `give every ${what} its own name; results and events are reported by name`,
      ),
    ];
  });
}

export function namesAreUnique(rollout: Rollout): ValidationProblem[] {
  const analysis = rollout.spec.analysis ?? {};
  return [
    ...duplicates(analysis.metrics ?? [], 'spec.analysis.metrics', 'metric'),
    ...duplicates(analysis.webhooks ?? [], 'spec.analysis.webhooks', 'webhook'),
    ...duplicates(analysis.alerts ?? [], 'spec.analysis.alerts', 'alert'),
  ];
}

function durationProblem(path: string, text: string | undefined, minMs = 1, maxMs = Infinity): ValidationProblem[] {
  if (text === undefined) return [];
  const ms = parseDuration(text);
  if (ms === undefined) {
    return [problem('duration', path, `"${text}" is not a duration`, 'write a Go duration such as 30s, 1m or 1m30s')];
  }
  if (ms < minMs) {
    return [problem('duration', path, `"${text}" is shorter than the minimum of ${minMs} ms`, `use at least ${minMs / 1000}s`)];
  }
  if (ms > maxMs) {
    return [problem('duration', path, `"${text}" is longer than the maximum of ${maxMs / 1000}s`, `use at most ${maxMs / 1000}s`)];
  }
  return [];
}

// Short metric intervals are allowed on purpose: whether a range holds enough
// scrapes depends on the Prometheus setup, which this check cannot see.
export function durationsParse(rollout: Rollout): ValidationProblem[] {
  const analysis = rollout.spec.analysis ?? {};
  return [
    ...durationProblem('spec.analysis.interval', analysis.interval, 1000),
    ...(analysis.metrics ?? []).flatMap((m, i) => durationProblem(`spec.analysis.metrics[${i}].interval`, m.interval)),
    ...(analysis.webhooks ?? []).flatMap((w, i) => durationProblem(`spec.analysis.webhooks[${i}].timeout`, w.timeout, 1, MAX_WEBHOOK_TIMEOUT_MS)),
    ...durationProblem('spec.service.timeout', rollout.spec.service.timeout),
  ];
}

const MANUAL_TYPES: ReadonlySet<string> = new Set([WebhookType.ConfirmRollout, WebhookType.ConfirmTrafficIncrease, WebhookType.ConfirmPromotion]);

/** A webhook calls a URL, or is a manual gate opened by an approval; never both, never neither. */
export function webhooksAreCallableOrManual(rollout: Rollout): ValidationProblem[] {
  return (rollout.spec.analysis?.webhooks ?? []).flatMap((webhook, i) => {
    const path = `spec.analysis.webhooks[${i}]`;
    const manual = webhook.manual === true;
    if (manual === (webhook.url !== undefined)) {
      return [
        problem(
          'webhook-url-or-manual',
          `${path}.url`,
          manual ? `webhook "${webhook.name}" sets both url and manual: true` : `webhook "${webhook.name}" has no url and is not manual`,
          'set url to call a webhook, or manual: true (without url) for a gate opened by kubectl flowshift approve',
        ),
      ];
    }
    if (!manual) return [];
    const type = webhook.type ?? WebhookType.Rollout;
    const problems: ValidationProblem[] = [];
    if (!MANUAL_TYPES.has(type)) {
      problems.push(
        problem('manual-gate-type', `${path}.manual`, `webhook "${webhook.name}" of type ${type} cannot be manual`, 'use manual only with confirm-rollout, confirm-traffic-increase or confirm-promotion; give other types a url'),
      );
    }
    if (webhook.secretRef || webhook.metadata || (webhook.retries ?? 0) > 0) {
      problems.push(problem('manual-gate-extras', `${path}.manual`, `manual gate "${webhook.name}" calls nothing, so secretRef, metadata and retries have no effect`, 'remove secretRef, metadata and retries from the manual gate'));
    }
    return problems;
  });
}

/** A confirm-traffic-increase gate is only asked before a canary weight step. */
export function gatesCanFire(rollout: Rollout): ValidationProblem[] {
  const { strategy } = rollout.spec;
  if (strategy.canary) return [];
  const name = strategy.blueGreen ? StrategyName.BlueGreen : StrategyName.AbTesting;
  return (rollout.spec.analysis?.webhooks ?? []).flatMap((webhook, i) =>
    webhook.type === WebhookType.ConfirmTrafficIncrease
      ? [
          problem(
            'gate-never-called',
            `spec.analysis.webhooks[${i}].type`,
            `webhook "${webhook.name}" is a confirm-traffic-increase gate, but ${name} never increases traffic step by step, so it would never be called`,
            'use confirm-rollout or confirm-promotion to gate this strategy',
          ),
        ]
      : [],
  );
}
