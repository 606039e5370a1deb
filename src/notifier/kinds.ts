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
