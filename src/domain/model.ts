import type { GateResult, ManualAction, MetricResult, RolloutSpec, RolloutStatus } from '../api/types.gen.js';

/**
 * A webhook's answer as the tick has it. `pending`: asked, and no answer
 * yet; the call goes on without the tick (gates/calls.ts) and the Rollout
 * holds: a pending gate is closed, and a pending check neither passes nor
 * fails. status.gates shows it as a closed answer saying so.
 */
export interface GateAnswer extends GateResult {
  readonly pending?: true;
}

/** Webhook gate answers by webhook name, gathered by the tick. */
export type GateAnswers = Readonly<Record<string, GateAnswer>>;

/** What one analysis run concluded: an observation for decide(), like a gate answer. */
export interface AnalysisVerdict {
  /** True when every check passed. */
  readonly passed: boolean;
  /** The latest result of every metric, in spec order: the evidence for status.analysis. */
  readonly results: readonly MetricResult[];
  /** One sentence naming what failed, e.g. "request-success-rate 91.2 < 99"; empty when passed. */
  readonly reason: string;
}

/**
 * What the route does with live traffic: weights (primary + canary = 100),
 * the canary's mirrored (shadow) share, and whether requests matching the A/B
 * test's conditions go to the canary.
 */
export interface Routes {
  readonly primary: number;
  readonly canary: number;
  readonly mirror: number;
  readonly match?: boolean;
}

export interface Readiness {
  readonly ready: boolean;
  /** Why not ready, in words ("1 of 3 replicas available"); empty when ready. */
  readonly message: string;
  /** Not ready and not getting there by itself (a progress deadline passed, the Deployment is missing): said at once. */
  readonly stalled?: boolean;
}

export interface CanaryObservation extends Readiness {
  /**
   * spec.replicas of a target Deployment (0 when scaled down); of a DaemonSet, 0 when parked, else the nodes it runs on (docs/daemonsets.md);
   * of a StatefulSet, the pods its partition lets run the update revision (0: the partition is at the top; docs/statefulsets.md).
   */
  readonly replicas: number;
  /** A StatefulSet whose partition is at the top: its pods at another revision than the current one (left by a rollback), and whether every pod is ready. */
  readonly stranded?: { readonly pods: number; readonly allReady: boolean };
}

export interface PrimaryObservation extends Readiness {
  /** spec.replicas of the primary Deployment (of a DaemonSet, the nodes it runs on; of a StatefulSet, all its replicas): the size a canary scales up to. */
  readonly replicas: number;
  /** The revision the primary's template was copied from (its annotation; a StatefulSet's status.currentRevision). */
  readonly revision: string | undefined;
}

/**
 * The user's autoscaler (spec.autoscalerRef) as observed: it owns the
 * replicas of the target and, through its copy, of the primary.
 */
export interface AutoscalerObservation {
  /** The floor it keeps its target at (HPA minReplicas, ScaledObject minReplicaCount). */
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** The count it last asked for, when it says (HPA status.desiredReplicas). */
  readonly desiredReplicas: number | undefined;
  /** Whether the primary's copy exists and carries the user's spec. */
  readonly synced: boolean;
}

/** What one tick saw of the world, gathered before deciding. */
export interface Observations {
  readonly now: Date;
  /** Hash of the target's pod template and the configs it references. */
  readonly revision: string;
  /** Undefined while the target does not exist (a problem then says so). */
  readonly canary: CanaryObservation | undefined;
  /** Undefined while the primary Deployment does not exist. */
  readonly primary: PrimaryObservation | undefined;
  /** Undefined while the VirtualService does not exist (or is not this Rollout's). */
  readonly routes: Routes | undefined;
  /** Present exactly when spec.autoscalerRef names an autoscaler that can be used (a problem says why otherwise). */
  readonly autoscaler?: AutoscalerObservation;
  /** Objects under names flowshift generates that are not this Rollout's, each with the fix: never written. */
  readonly foreign: readonly string[];
}

/**
 * The manual actions a Rollout's annotations ask for, as written by the
 * kubectl plugin: each names the revision it is meant for, who asked and when.
 */
export interface Controls {
  readonly approve?: ManualAction;
  readonly abort?: ManualAction;
  readonly retry?: ManualAction;
  readonly promote?: ManualAction;
  readonly promoteFull?: ManualAction;
}

export interface TickInput {
  readonly spec: RolloutSpec;
  readonly status: RolloutStatus;
  readonly generation: number;
  readonly deleting: boolean;
  readonly observed: Observations;
  /**
   * Why this Rollout cannot be acted on (spec problems, target missing, a
   * claim held by another Rollout, an object it does not own), each naming
   * the field or object and the fix. Non-empty: traffic goes to the primary.
   */
  readonly problems: readonly string[];
  /** Present exactly when a previous decide() of this tick asked for an analysis run. */
  readonly verdict?: AnalysisVerdict;
  /** The manual actions the Rollout's annotations ask for (approve, abort, retry, promote, promote --full). */
  readonly controls?: Controls;
  /** Webhook gate answers by webhook name: exactly the ones a previous decide() of this tick asked for. */
  readonly gates?: GateAnswers;
  /**
   * References of the Rollout that do not resolve (a MetricTemplate, a
   * Secret or key, an AlertProvider, Prometheus, a container port, a route
   * API), each naming the reference and the fix. Gathered only when
   * preflightDue(): non-empty holds the Rollout before anything moves.
   * Unlike problems, nothing is wrong with the spec itself.
   */
  readonly unresolved?: readonly string[];
  /** Whether the Rollout carries flowshift's finalizer. */
  readonly hasFinalizer: boolean;
  /** The alerts' AlertProviders and Secrets, checked: present exactly when a previous decide() of this tick asked. */
  readonly alerts?: AlertsCheck;
}

/** Which alerts can be delivered, and why the others cannot (each naming the object and the fix; never a URL). */
export interface AlertsCheck {
  readonly ready: readonly string[];
  readonly problems: readonly string[];
}

/** Desired-state assertions; each is idempotent, so a retried tick is harmless. */
export type Action =
  /** Create `<target>-primary` from the target, or keep its template in step while initializing. */
  | { readonly type: 'ensurePrimary'; readonly replicas: number }
  /** Create or update the services, DestinationRules and VirtualService. */
  | { readonly type: 'ensureObjects'; readonly routes: Routes }
  | { readonly type: 'setRoutes'; readonly routes: Routes }
  | { readonly type: 'scaleCanary'; readonly replicas: number }
  | { readonly type: 'promotePrimary'; readonly revision: string }
  /** Create the primary's copy of the user's autoscaler, or carry the user's spec into it. */
  | { readonly type: 'syncAutoscaler' }
  | { readonly type: 'revert' }
  /** An adopted route keeps the stable version: route to the primary, and let the primary and its Service outlive the Rollout. */
  | { readonly type: 'keepStable' }
  /** A StatefulSet target at rest: delete one pod left at another revision than the current one, so it is recreated at the current one. */
  | { readonly type: 'recreateCanaryPod' }
  | { readonly type: 'removeFinalizer' };

export const EventType = { Normal: 'Normal', Warning: 'Warning' } as const;
export type EventType = (typeof EventType)[keyof typeof EventType];

export interface RolloutEvent {
  readonly type: EventType;
  readonly reason: string;
  readonly message: string;
}

export interface Decision {
  /** The complete next status. */
  readonly status: RolloutStatus;
  /**
   * Carried out first, before the status write and whether or not it wins:
   * only routes to the primary (the safe state), so users stop reaching a
   * canary that must not serve them as soon as possible, and a status that
   * says the primary serves everything is never written before it does.
   */
  readonly safeRoutes?: readonly Action[];
  /** Carried out in order once the status write has won. */
  readonly actions: readonly Action[];
  readonly events: readonly RolloutEvent[];
  /**
   * What this decision needs first: gate answers (TickInput.gates), an
   * analysis verdict (TickInput.verdict), the alerts check
   * (TickInput.alerts). The tick gathers them and decides again. A decision
   * that asks is never written or carried out.
   */
  readonly asks?: readonly Ask[];
  /** The finalizer to add or remove before the status write, so a Rollout that moves traffic can always hand it back. */
  readonly finalizer?: 'add' | 'remove';
  /** The status to write once every action went through, when that ends a dependency error on record. */
  readonly settled?: RolloutStatus;
  /** post-rollout webhooks to tell, once, after the status that ends the release is written. */
  readonly hooks?: readonly string[];
  /**
   * Tick again this soon rather than one analysis interval later: the phase
   * waits only for what this decision wrote to take effect, not for an
   * analysis (e.g. Finalising, once the routes are back on the primary).
   */
  readonly nextTickMs?: number;
}

export type Ask = { readonly kind: 'gate'; readonly name: string } | { readonly kind: 'analysis' } | { readonly kind: 'alerts' };

/** The canary as observed: the phases are decided only when the target exists (a problem holds the Rollout otherwise). */
export function observedCanary(input: TickInput): CanaryObservation {
  const canary = input.observed.canary;
  if (!canary) throw new Error('internal: a phase was decided without the target, which a problem should have held');
  return canary;
}

export function event(reason: string, message: string, type: EventType = EventType.Normal): RolloutEvent {
  return { type, reason, message };
}
