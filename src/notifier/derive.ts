import type { MetricResult, Rollout } from '../api/types.gen.js';
import { DEFAULTS } from '../api/schema/defaults.js';
import { shortRevision } from '../domain/status.js';
import type { RolloutEvent } from '../domain/model.js';
import { kindOf } from './kinds.js';
import { NotificationKind, type CheckEvidence, type Notification } from './notification.js';

export interface DeriveContext {
  readonly cluster: string | undefined;
  readonly images: readonly string[];
  readonly now: Date;
}

/**
 * The notifications of one won status write: one per notified event of the
 * decision, carrying the evidence from the status. `before` is the Rollout the
 * tick read (its weight is where a rollback happened), `after` the one written.
 */
export function notificationsOf(before: Rollout, after: Rollout, events: readonly RolloutEvent[], ctx: DeriveContext): Notification[] {
  return events.flatMap((event) => {
    const kind = kindOf(event.reason);
    if (!kind) return [];
    const failing = kind.kind === NotificationKind.RolledBack || kind.kind === NotificationKind.CheckFailed;
    const withEvidence = failing || kind.kind === NotificationKind.Promoted;
    const status = after.status ?? {};
    return [
      {
        kind: kind.kind,
        severity: kind.severity,
        reason: event.reason,
        ...common(after, ctx),
        ...(failing ? failure(before, after) : {}),
        message: event.message,
        evidence: withEvidence ? evidenceOf(status.analysis ?? []) : [],
      },
    ];
  });
}

function common(after: Rollout, ctx: DeriveContext): Omit<Notification, 'kind' | 'severity' | 'reason' | 'message' | 'evidence'> {
  const status = after.status ?? {};
  return {
    rollout: { namespace: after.metadata.namespace ?? 'default', name: after.metadata.name ?? '', uid: after.metadata.uid ?? '' },
    ...(ctx.cluster ? { cluster: ctx.cluster } : {}),
    revision: shortRevision(status.lastAppliedSpec),
    images: ctx.images,
    phase: status.phase ?? '',
    canaryWeight: status.canaryWeight ?? 0,
    time: ctx.now.toISOString(),
  };
}

/** Where and how badly it failed: the weight before the tick, the failed checks against the threshold. */
function failure(before: Rollout, after: Rollout): Pick<Notification, 'failedAtWeight' | 'failedChecks' | 'threshold'> {
  return {
    failedAtWeight: before.status?.canaryWeight ?? 0,
    failedChecks: after.status?.failedChecks ?? 0,
    threshold: after.spec.analysis?.threshold ?? DEFAULTS.threshold,
  };
}

/** Failed checks first, so a short message still shows why. */
function evidenceOf(results: readonly MetricResult[]): CheckEvidence[] {
  const sorted = [...results].sort((a, b) => Number(a.passed) - Number(b.passed));
  return sorted.map((r) => ({
    name: r.name,
    passed: r.passed,
    message: r.message,
    ...(r.value !== undefined ? { value: r.value } : {}),
    ...(r.primaryValue !== undefined ? { primaryValue: r.primaryValue } : {}),
    ...(r.thresholdRange ? { thresholdRange: r.thresholdRange } : {}),
  }));
}

/** The container images of a pod template, as "name=image". */
export function imagesOf(containers: readonly { name: string; image?: string }[] | undefined): string[] {
  return (containers ?? []).map((c) => `${c.name}=${c.image ?? '?'}`);
}
