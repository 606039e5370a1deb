import { describeOutcome, postJson, type PostOutcome } from '../http/safe-post.js';
import type { OutboundPolicy } from '../http/outbound-policy.js';
import { resolveDestination, type AlertSources } from './alerts.js';
import { DESTINATIONS } from './destinations.js';
import type { Notification } from './notification.js';

/** What a notification job carries: the message and where it goes, never the URL itself. */
export interface DeliveryJob {
  readonly notification: Notification;
  readonly alert: string;
  readonly provider: { readonly namespace: string; readonly name: string };
}

export type DeliveryResult =
  | { readonly kind: 'sent'; readonly type: string }
  /** Worth another try later: the destination is down, slow, or throttling. */
  | { readonly kind: 'retry'; readonly type: string; readonly reason: string }
  /** Another try cannot help: the destination refused the message or is misconfigured. */
  | { readonly kind: 'failed'; readonly type: string; readonly reason: string };

export const SEND_TIMEOUT_MS = 10_000;

/**
 * Resolves the destination at send time (the URL stays in its Secret, never
 * in Redis), formats the message for it and POSTs it once. Never throws.
 */
export async function deliver(sources: AlertSources, job: DeliveryJob, policy: OutboundPolicy): Promise<DeliveryResult> {
  // Checked again at send time: a grant revoked after the job was queued stops it.
  const referrer = { namespace: job.notification.rollout.namespace, field: `alert "${job.alert}" providerRef` };
  const resolved = await resolveDestination(sources, job.provider.namespace, job.provider.name, referrer);
  if (!resolved.ok) return { kind: 'failed', type: 'unknown', reason: resolved.problem };
  const { provider, url } = resolved.destination;
  const payload = DESTINATIONS[provider.type].payload(job.notification, provider);
  const outcome = await postJson(url, payload, { policy, timeoutMs: SEND_TIMEOUT_MS });
  return judge(provider.type, outcome, url);
}

function judge(type: string, outcome: PostOutcome, url: string): DeliveryResult {
  // The URL is a credential: make sure no error text can carry it on.
  const reason = describeOutcome(outcome).replaceAll(url, '<address>');
  switch (outcome.kind) {
    case 'answered':
      if (outcome.ok) return { kind: 'sent', type };
      return retryable(outcome.status) ? { kind: 'retry', type, reason } : { kind: 'failed', type, reason };
    case 'redirected':
    case 'refused':
      return { kind: 'failed', type, reason };
    case 'timeout':
    case 'unreachable':
      return { kind: 'retry', type, reason };
  }
}

/** 5xx, 408 and 429 pass; any other 4xx means the message or the URL is wrong. */
function retryable(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}
