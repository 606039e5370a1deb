import type { ThresholdRange } from '../api/types.gen.js';
import { NotificationKind, type CheckEvidence, type Notification } from './notification.js';

/** Words shared by every chat format, so Slack, Teams and Discord say the same thing. */

const TITLES: Readonly<Record<NotificationKind, string>> = {
  [NotificationKind.NewRevision]: 'New revision',
  [NotificationKind.Step]: 'Release step',
  [NotificationKind.Waiting]: 'Waiting on a gate',
  [NotificationKind.CheckFailed]: 'Check failed',
  [NotificationKind.Promoted]: 'Promotion complete',
  [NotificationKind.RolledBack]: 'Rolled back',
  [NotificationKind.Blocked]: 'Release blocked',
};

export function title(n: Notification): string {
  return `${TITLES[n.kind]}: ${n.rollout.namespace}/${n.rollout.name}${n.cluster ? ` (${n.cluster})` : ''}`;
}

/** Label/value pairs every format shows as a table or fields. */
export function facts(n: Notification): { label: string; value: string }[] {
  const list = [
    { label: 'Rollout', value: `${n.rollout.namespace}/${n.rollout.name}` },
    ...(n.cluster ? [{ label: 'Cluster', value: n.cluster }] : []),
    { label: 'Revision', value: n.revision || 'unknown' },
    { label: n.images.length > 1 ? 'Images' : 'Image', value: n.images.join(', ') || 'unknown' },
    { label: 'Phase', value: n.phase },
    { label: 'Canary weight', value: `${n.canaryWeight}%` },
  ];
  if (n.failedAtWeight !== undefined) list.push({ label: 'Failed at weight', value: `${n.failedAtWeight}%` });
  if (n.failedChecks !== undefined) list.push({ label: 'Failed checks', value: `${n.failedChecks} of ${n.threshold ?? '?'}` });
  return list;
}

/** "request-success-rate: 82.4 (bound ≥ 99): failed" */
export function evidenceLine(e: CheckEvidence): string {
  const value = e.value === undefined ? 'no data' : formatNumber(e.value);
  const bound = e.thresholdRange ? ` (bound ${formatBound(e.thresholdRange)})` : '';
  const primary = e.primaryValue === undefined ? '' : `, primary ${formatNumber(e.primaryValue)}`;
  return `${e.name}: ${value}${bound}${primary}: ${e.passed ? 'passed' : `failed, ${e.message}`}`;
}

export function formatBound(range: ThresholdRange): string {
  if (range.min !== undefined && range.max !== undefined) return `${formatNumber(range.min)}..${formatNumber(range.max)}`;
  if (range.min !== undefined) return `≥ ${formatNumber(range.min)}`;
  if (range.max !== undefined) return `≤ ${formatNumber(range.max)}`;
  return 'none';
}

function formatNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2);
}

/** A colour per severity, as 0xRRGGBB. */
export function colour(n: Notification): number {
  switch (n.severity) {
    case 'info':
      return n.kind === NotificationKind.Promoted ? 0x2eb67d : 0x1d9bd1;
    case 'warn':
      return 0xecb22e;
    case 'error':
      return 0xe01e5a;
  }
}
