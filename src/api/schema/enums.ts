// The closed value sets of the API. The generator copies each into
// types.gen.ts as an `as const` object plus a union type of its values.

export const Phase = {
  Initializing: 'Initializing',
  Initialized: 'Initialized',
  Waiting: 'Waiting',
  Progressing: 'Progressing',
  WaitingPromotion: 'WaitingPromotion',
  Promoting: 'Promoting',
  Finalising: 'Finalising',
  Succeeded: 'Succeeded',
  Failed: 'Failed',
  Terminating: 'Terminating',
  Terminated: 'Terminated',
} as const;

export const StrategyName = { Canary: 'canary', BlueGreen: 'blueGreen', AbTesting: 'abTesting' } as const;

export const WebhookType = {
  ConfirmRollout: 'confirm-rollout',
  PreRollout: 'pre-rollout',
  Rollout: 'rollout',
  ConfirmTrafficIncrease: 'confirm-traffic-increase',
  ConfirmPromotion: 'confirm-promotion',
  PostRollout: 'post-rollout',
  Rollback: 'rollback',
  Event: 'event',
} as const;

export const AlertSeverity = { Info: 'info', Warn: 'warn', Error: 'error' } as const;

export const AlertProviderType = { Slack: 'slack', MsTeams: 'msteams', Discord: 'discord', Webhook: 'webhook' } as const;

/** One router each, in src/router/registry.ts: the compiler checks the two agree. */
export const MeshProvider = { Istio: 'istio', GatewayApi: 'gatewayapi' } as const;

/** The workload kinds a Rollout releases; one Target each, in src/workload/targets.ts: the compiler checks the two agree. */
export const TargetKind = { Deployment: 'Deployment', DaemonSet: 'DaemonSet', StatefulSet: 'StatefulSet' } as const;
/** The autoscalers an autoscalerRef may name; one adapter each in src/workload/autoscaler/kinds.ts: the compiler checks the two agree. */
export const AutoscalerKind = { HorizontalPodAutoscaler: 'HorizontalPodAutoscaler', ScaledObject: 'ScaledObject' } as const;

/** One provider each, in src/metrics/providers/registry.ts: the compiler checks the two agree. */
export const MetricProviderType = { Prometheus: 'prometheus' } as const;

/** Metrics flowshift knows how to query without a user-written PromQL query. */
export const BuiltinMetric = { RequestSuccessRate: 'request-success-rate', RequestDuration: 'request-duration', ErrorBudgetBurn: 'error-budget-burn' } as const;

/** What the sequential judge compares between canary and primary (spec.analysis.metrics[].judge.test). */
export const JudgeTest = { ErrorRate: 'errorRate', Latency: 'latency' } as const;

/** What the judge concluded so far: worse (roll back), not worse with enough evidence, or not yet known. */
export const JudgeConclusion = { Worse: 'worse', NotWorse: 'not-worse', Unknown: 'unknown' } as const;

/** Every enum the generated types declare, in declaration order, with its doc comment. */
export const enums: readonly { name: string; doc: string; values: Readonly<Record<string, string>> }[] = [
  { name: 'Phase', doc: 'Where a Rollout is in its release cycle.', values: Phase },
  { name: 'StrategyName', doc: 'The release strategies; exactly one is set in spec.strategy.', values: StrategyName },
  { name: 'WebhookType', doc: 'When in a release a webhook is called.', values: WebhookType },
  { name: 'AlertSeverity', doc: 'The least severe event an alert is sent for.', values: AlertSeverity },
  { name: 'AlertProviderType', doc: 'Where an AlertProvider delivers messages.', values: AlertProviderType },
  { name: 'MeshProvider', doc: 'The traffic layer flowshift drives.', values: MeshProvider },
  { name: 'TargetKind', doc: 'The workload kinds a Rollout releases.', values: TargetKind },
  { name: 'AutoscalerKind', doc: 'The autoscalers spec.autoscalerRef may name.', values: AutoscalerKind },
  { name: 'MetricProviderType', doc: 'The metrics backend a MetricTemplate queries.', values: MetricProviderType },
  { name: 'BuiltinMetric', doc: 'Metrics flowshift queries without a user-written query.', values: BuiltinMetric },
  { name: 'JudgeTest', doc: 'What the sequential judge compares between canary and primary.', values: JudgeTest },
  { name: 'JudgeConclusion', doc: 'What the sequential judge concluded so far.', values: JudgeConclusion },
];

/** Type aliases the generated types declare; the schema refers to them with `ts.ref`. */
export const aliases: readonly { name: string; doc: string; type: string }[] = [
  {
    name: 'IstioObject',
    doc: 'Istio passthrough objects (HTTPMatchRequest, HTTPRetry, TrafficPolicy, ...).',
    type: 'Record<string, unknown>',
  },
];

/** A CEL list literal of an enum's values, for rules that test membership. */
export function celList(values: Readonly<Record<string, string>>): string {
  return `[${Object.values(values).map((v) => `'${v}'`).join(', ')}]`;
}
