import type { Logger } from 'pino';
import type { Rollout, WebhookSpec } from '../api/types.gen.js';
import type { RolloutEvent } from '../domain/model.js';
import { describeOutcome, postJson } from '../http/safe-post.js';
import { webhookPayload } from '../gates/gate.js';
import { signingKeyOf, timeoutOf, type WebhookDeps } from '../gates/webhook.js';

/** Calls to event webhooks in flight at once, across all Rollouts; beyond it an event is dropped (and logged). */
export const MAX_EVENT_CALLS = 64;

/**
 * Forwards every Event flowshift records to the Rollout's `event` webhooks:
 * fire and forget (the tick does not wait, a failure is only logged), one
 * attempt each, bounded by the webhook's timeout and MAX_EVENT_CALLS.
 * The payload carries the event as Flagger's does, in metadata.
 */
export class EventHooks {
  private inFlight = 0;

  constructor(
    private readonly deps: WebhookDeps,
    private readonly log: Logger,
    private readonly maxInFlight = MAX_EVENT_CALLS,
  ) {}

  forward(rollout: Rollout, event: RolloutEvent): void {
    const hooks = (rollout.spec.analysis?.webhooks ?? []).filter((h) => h.type === 'event' && h.url);
    for (const hook of hooks) {
      if (this.inFlight >= this.maxInFlight) {
        this.log.warn({ webhook: hook.name, reason: event.reason }, 'too many event webhook calls in flight: event not forwarded');
        continue;
      }
      this.inFlight += 1;
      this.post(rollout, hook, event)
        .catch((err: unknown) => this.log.warn({ err, webhook: hook.name }, 'event webhook failed'))
        .finally(() => {
          this.inFlight -= 1;
        });
    }
  }

  /** Calls in flight now (for tests and drain logs). */
  get pending(): number {
    return this.inFlight;
  }

  private async post(rollout: Rollout, hook: WebhookSpec, event: RolloutEvent): Promise<void> {
    const signing = await signingKeyOf(rollout, hook, this.deps);
    if (signing.problem) {
      this.log.warn({ webhook: hook.name }, `event webhook not called: ${signing.problem}`);
      return;
    }
    const metadata = { eventReason: event.reason, eventType: event.type, eventMessage: event.message, timestamp: this.deps.now().toISOString() };
    const payload = webhookPayload(rollout, hook, rollout.status?.lastAppliedSpec ?? '', metadata);
    const outcome = await postJson(hook.url ?? '', payload, { policy: this.deps.outbound, timeoutMs: timeoutOf(hook), ...(signing.key ? { signingKey: signing.key } : {}), now: this.deps.now });
    if (outcome.kind !== 'answered' || !outcome.ok) this.log.warn({ webhook: hook.name, reason: event.reason }, `event webhook ${describeOutcome(outcome)}`);
  }
}
