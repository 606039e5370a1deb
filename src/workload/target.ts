import type { Rollout } from '../api/types.gen.js';
import type { VersionSelectors } from '../api/names.js';
import type { AutoscalerObservation, CanaryObservation, PrimaryObservation } from '../domain/model.js';

export interface TargetObservation {
  readonly revision: string;
  readonly canary: CanaryObservation;
  readonly primary: PrimaryObservation | undefined;
  /** Generation of the target, to notice changes made while a tick ran. */
  readonly generation: number;
  /** The rollout progress of target and primary as seen (see progressKey), to notice readiness changes made while a tick ran. */
  readonly progress: string;
  /** The selector label of the target's pods; primary pods carry its value suffixed "-primary". */
  readonly label: { readonly key: string; readonly value: string };
  /** What the generated Services select, as the target stands (a StatefulSet's follow its revisions). */
  readonly selectors: VersionSelectors;
  /** Set when `<target>-primary` (or the primary's autoscaler copy) exists but is not this Rollout's: why, and the fix. */
  readonly foreign?: string;
  /** spec.autoscalerRef's autoscaler, when it can be used. */
  readonly autoscaler?: AutoscalerObservation;
  /** Why the Rollout cannot be released as it is (spec.autoscalerRef does not resolve), naming the field and the fix. */
  readonly invalid?: string;
}

/** The workload a Rollout releases: a Deployment, a DaemonSet or a StatefulSet (one implementation per kind, chosen in targets.ts). */
export interface Target {
  /** Undefined when the target does not exist. */
  observe(rollout: Rollout): Promise<TargetObservation | undefined>;
  /** The objects ensurePrimary/promote would write (config copies) that belong to someone else, each with the fix. */
  foreign(rollout: Rollout): Promise<string[]>;
  /** Creates `<target>-primary` from the target's template, marked with `revision`, with `replicas` replicas (a DaemonSet: one per node); an existing one is left as it is. */
  ensurePrimary(rollout: Rollout, revision: string, replicas: number): Promise<void>;
  /** Copies the canary's template into the primary, marking it with `revision`. */
  promote(rollout: Rollout, revision: string): Promise<void>;
  /** Lets the primary (and its autoscaler copy) outlive the Rollout (ownerReferences removed), so it keeps serving. */
  releasePrimary(rollout: Rollout): Promise<void>;
  /** Scales the canary to `replicas` (decide() picks the primary's count, the autoscaler's floor, or zero); a DaemonSet is parked at zero and runs on its nodes otherwise. */
  scaleCanary(rollout: Rollout, replicas: number): Promise<void>;
  /** Creates the primary's copy of spec.autoscalerRef's autoscaler, or carries the user's spec into it. */
  syncAutoscaler(rollout: Rollout): Promise<void>;
  /** A StatefulSet at rest: deletes one of its pods left at another revision than the current one, so it comes back at the current one (nothing for other kinds). */
  recreateCanaryPod(rollout: Rollout): Promise<void>;
}

/**
 * Where a Target whose Services follow its pods (a StatefulSet's select its
 * revisions) points them: ServiceRouter.reselect, handed in by the controller.
 */
export interface VersionServices {
  reselect(rollout: Rollout, selectors: VersionSelectors): Promise<void>;
}

/** A target that cannot be released as it is, with the fix in the message. */
export class TargetError extends Error {
  readonly code = 'FLOWSHIFT_TARGET_INVALID';
  override readonly name = 'TargetError';
}
