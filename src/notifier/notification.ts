import type { AlertSeverity, ThresholdRange } from '../api/types.gen.js';

/** What happened to a release, in the words of a message title. */
export const NotificationKind = {
  NewRevision: 'new-revision',
  Step: 'step',
  Waiting: 'waiting',
  CheckFailed: 'check-failed',
  Promoted: 'promoted',
  RolledBack: 'rolled-back',
  /** The release cannot go on: the spec became invalid. */
  Blocked: 'blocked',
} as const;
export type NotificationKind = (typeof NotificationKind)[keyof typeof NotificationKind];

/** Ordered least to most severe: an alert gets every notification at or above its severity. */
const RANK: Readonly<Record<AlertSeverity, number>> = { info: 0, warn: 1, error: 2 };

export function admits(alertSeverity: AlertSeverity, severity: AlertSeverity): boolean {
  return RANK[severity] >= RANK[alertSeverity];
}

/** One check's result: the evidence a rollback or failed check is judged on. */
export interface CheckEvidence {
  readonly name: string;
  readonly value?: number;
  readonly primaryValue?: number;
  readonly thresholdRange?: ThresholdRange;
  readonly passed: boolean;
  readonly message: string;
}

/**
 * One message about one transition of one Rollout. It is the payload of a
 * notification job, so it holds plain data only, and never a destination URL.
 */
export interface Notification {
  readonly kind: NotificationKind;
  readonly severity: AlertSeverity;
  /** The Event reason it was derived from (NewRevision, Advanced, RolledBack, ...). */
  readonly reason: string;
  readonly rollout: { readonly namespace: string; readonly name: string; readonly uid: string };
  readonly cluster?: string;
  /** Short hash of the pod template and configs being released. */
  readonly revision: string;
  /** Container images of the target's pod template ("podinfo=ghcr.io/stefanprodan/podinfo:6.5.0"). */
  readonly images: readonly string[];
  readonly phase: string;
  /** Canary weight after the transition. */
  readonly canaryWeight: number;
  /** For a rollback or failed check: the canary weight at which it happened. */
  readonly failedAtWeight?: number;
  readonly failedChecks?: number;
  readonly threshold?: number;
  /** The decision's own words, as in the Event. */
  readonly message: string;
  /** Failed checks first; empty when the transition involved no analysis. */
  readonly evidence: readonly CheckEvidence[];
  /** When the transition was decided (RFC 3339). */
  readonly time: string;
}
