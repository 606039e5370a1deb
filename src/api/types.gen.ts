// PROVISIONAL hand-written contract: replaced by the generator of the API
// issue (npm run gen), which must keep every exported name and shape below.

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
export type Phase = (typeof Phase)[keyof typeof Phase];

export const StrategyName = { Canary: 'canary', BlueGreen: 'blueGreen', AbTesting: 'abTesting' } as const;
export type StrategyName = (typeof StrategyName)[keyof typeof StrategyName];

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
export type WebhookType = (typeof WebhookType)[keyof typeof WebhookType];

export const AlertSeverity = { Info: 'info', Warn: 'warn', Error: 'error' } as const;
export type AlertSeverity = (typeof AlertSeverity)[keyof typeof AlertSeverity];

export const MeshProvider = { Istio: 'istio', GatewayApi: 'gatewayapi' } as const;
export type MeshProvider = (typeof MeshProvider)[keyof typeof MeshProvider];

/** Istio passthrough objects (HTTPMatchRequest, HTTPRetry, TrafficPolicy, ...). */
export type IstioObject = Record<string, unknown>;

export interface TargetRef {
  apiVersion: string;
  kind: string;
  name: string;
}

export interface ServiceSpec {
  name?: string;
  port: number;
  targetPort?: number | string;
  portName?: string;
  hosts?: string[];
  gateways?: string[];
  match?: IstioObject[];
  retries?: IstioObject;
  timeout?: string;
  corsPolicy?: IstioObject;
  headers?: IstioObject;
  rewrite?: IstioObject;
  trafficPolicy?: IstioObject;
}

export interface MirrorSpec {
  percentage?: number;
  iterations?: number;
}

export interface CanaryStrategy {
  stepWeights?: number[];
  stepWeight?: number;
  maxWeight?: number;
  stepWeightPromotion?: number;
  mirror?: MirrorSpec;
}

export interface BlueGreenStrategy {
  iterations?: number;
  mirror?: MirrorSpec;
}

export interface AbTestingStrategy {
  iterations?: number;
  match: IstioObject[];
}

export interface StrategySpec {
  canary?: CanaryStrategy;
  blueGreen?: BlueGreenStrategy;
  abTesting?: AbTestingStrategy;
}

export interface ThresholdRange {
  min?: number;
  max?: number;
}

/** Compare the canary with the primary instead of a fixed bound. */
export interface MetricComparison {
  baseline: 'primary';
  /** "20%" of the primary's value, or an absolute amount ("5", 5). */
  maxIncrease?: number | string;
  maxDecrease?: number | string;
}

export interface ObjectRef {
  name: string;
  namespace?: string;
}

export interface MetricSpec {
  name: string;
  interval?: string;
  query?: string;
  templateRef?: ObjectRef;
  templateVariables?: Record<string, string>;
  thresholdRange?: ThresholdRange;
  compare?: MetricComparison;
}

export interface WebhookSpec {
  name: string;
  type?: WebhookType;
  url: string;
  timeout?: string;
  retries?: number;
  metadata?: Record<string, string>;
  secretRef?: { name: string };
}

export interface AlertSpec {
  name: string;
  severity?: AlertSeverity;
  providerRef: ObjectRef;
}

export interface AnalysisSpec {
  interval?: string;
  threshold?: number;
  primaryReadyThreshold?: number;
  canaryReadyThreshold?: number;
  metrics?: MetricSpec[];
  webhooks?: WebhookSpec[];
  alerts?: AlertSpec[];
}

export interface RolloutSpec {
  targetRef: TargetRef;
  provider?: MeshProvider;
  progressDeadlineSeconds?: number;
  suspend?: boolean;
  skipAnalysis?: boolean;
  revertOnDeletion?: boolean;
  service: ServiceSpec;
  strategy: StrategySpec;
  analysis?: AnalysisSpec;
}

export interface MetricResult {
  name: string;
  value?: number;
  /** The primary's value, for relative gates. */
  primaryValue?: number;
  thresholdRange?: ThresholdRange;
  passed: boolean;
  message: string;
  time: string;
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

export interface RolloutStatus {
  phase?: Phase;
  strategy?: StrategyName;
  canaryWeight?: number;
  /** Mirror percentage currently routed to the canary (0: none). */
  mirrorWeight?: number;
  failedChecks?: number;
  iterations?: number;
  lastAppliedSpec?: string;
  lastPromotedSpec?: string;
  lastTransitionTime?: string;
  observedGeneration?: number;
  message?: string;
  analysis?: MetricResult[];
  conditions?: Condition[];
}

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  deletionTimestamp?: string;
  creationTimestamp?: string;
}

export interface Rollout {
  apiVersion: 'flowshift.io/v1alpha1';
  kind: 'Rollout';
  metadata: ObjectMeta;
  spec: RolloutSpec;
  status?: RolloutStatus;
}

export interface MetricTemplateSpec {
  provider: {
    type: 'prometheus';
    address?: string;
    headers?: Record<string, string>;
    secretRef?: { name: string };
  };
  query: string;
}

export interface MetricTemplate {
  apiVersion: 'flowshift.io/v1alpha1';
  kind: 'MetricTemplate';
  metadata: ObjectMeta;
  spec: MetricTemplateSpec;
}

export interface AlertProviderSpec {
  type: 'slack';
  channel?: string;
  username?: string;
  address?: string;
  secretRef?: { name: string };
}

export interface AlertProvider {
  apiVersion: 'flowshift.io/v1alpha1';
  kind: 'AlertProvider';
  metadata: ObjectMeta;
  spec: AlertProviderSpec;
}
