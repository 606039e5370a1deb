import type { AlertSeverity } from '../api/types.gen.js';
import { NotificationKind } from './notification.js';

interface KindOf {
  readonly kind: NotificationKind;
  readonly severity: AlertSeverity;
}

/**
 * The one place that says which decision reasons are worth a message, and
 * how severe. A reason not listed (Initialized, RouteDrift, RevisionReverted,
 * Terminating, ApplyFailed, which retries by itself, ...) is
 * recorded as an Event only.
 */
export const NOTIFIED_REASONS: Readonly<Record<string, KindOf>> = {
  NewRevision: { kind: NotificationKind.NewRevision, severity: 'info' },
  RevisionChanged: { kind: NotificationKind.NewRevision, severity: 'info' },
  Mirroring: { kind: NotificationKind.Step, severity: 'info' },
  MirrorAnalysis: { kind: NotificationKind.Step, severity: 'info' },
  Advanced: { kind: NotificationKind.Step, severity: 'info' },
  Promoting: { kind: NotificationKind.Step, severity: 'info' },
  Finalising: { kind: NotificationKind.Step, severity: 'info' },
  Waiting: { kind: NotificationKind.Waiting, severity: 'warn' },
  WaitingPromotion: { kind: NotificationKind.Waiting, severity: 'warn' },
  AnalysisFailed: { kind: NotificationKind.CheckFailed, severity: 'warn' },
  Succeeded: { kind: NotificationKind.Promoted, severity: 'info' },
  RolledBack: { kind: NotificationKind.RolledBack, severity: 'error' },
  InvalidSpec: { kind: NotificationKind.Blocked, severity: 'error' },
};

export function kindOf(reason: string): KindOf | undefined {
  return Object.hasOwn(NOTIFIED_REASONS, reason) ? NOTIFIED_REASONS[reason] : undefined;
}

/**
 * Progress inside a release: each weight or mirror step, each passed
 * iteration, each step of a gradual shift back. Told to notifications and
 * event webhooks and logged, but not written as Kubernetes Events: nobody
 * acts on them, and a 3-step release would otherwise write three more
 * objects. `kubectl describe` keeps the transitions people act on (new
 * revision, waits for approval, failed checks, promotion, success, rollback);
 * each step's measurements stay in status.analysis[].history.
 */
const STEP_REASONS: ReadonlySet<string> = new Set(['Advanced', 'Mirroring', 'MirrorAnalysis', 'Iteration', 'Matching', 'Finalising']);

/** Whether an event of this reason is written to the API server as a Kubernetes Event. */
export function recordedAsEvent(reason: string): boolean {
  return !STEP_REASONS.has(reason);
}
