import { DEFAULTS } from '../api/schema/defaults.js';
import { parseDuration } from '../api/duration.js';
import { MAX_WEBHOOK_TIMEOUT } from '../api/schema/rollout-analysis.js';
import type { GateResult, Rollout, WebhookSpec } from '../api/types.gen.js';
import { describeOutcome, postJson, type PostOutcome } from '../http/safe-post.js';
import type { OutboundPolicy } from '../http/outbound-policy.js';
import { webhookPayload, type Gate, type GateQuestion } from './gate.js';

/** The Secret key that holds a webhook's signing key. */
export const SIGNING_KEY = 'key';
/** All attempts of one call (retries included) end within the schema's maximum timeout: a tick waits for its gates. */
export const MAX_CALL_MS = parseDuration(MAX_WEBHOOK_TIMEOUT) ?? 120_000;

export interface WebhookDeps {
  readonly readSecret: (namespace: string, name: string) => Promise<Readonly<Record<string, string>> | undefined>;
  readonly now: () => Date;
  /** Where a webhook may connect: the controller's --outbound-* flags. */
  readonly outbound: OutboundPolicy;
}

/** The signing key of a webhook with a secretRef, or why there is none. */
export async function signingKeyOf(rollout: Rollout, hook: WebhookSpec, deps: WebhookDeps): Promise<{ key?: string; problem?: string }> {
  if (!hook.secretRef) return {};
  const name = hook.secretRef.name;
  let secret: Readonly<Record<string, string>> | undefined;
  try {
    secret = await deps.readSecret(rollout.metadata.namespace ?? '', name);
  } catch (err) {
    return { problem: `cannot read Secret ${name}: ${err instanceof Error ? err.message : String(err)}` };
  }
  const key = secret?.[SIGNING_KEY];
  return key ? { key } : { problem: `Secret ${name} has no "${SIGNING_KEY}" to sign with` };
}

export function timeoutOf(hook: WebhookSpec): number {
  return Math.min(parseDuration(hook.timeout ?? DEFAULTS.webhookTimeout) ?? 10_000, MAX_CALL_MS);
}

/**
 * A webhook gate: POSTs the payload (signed when it has a secretRef) and
 * opens on a 2xx answer; anything else, after `retries` more attempts within
 * MAX_CALL_MS, is closed with a short account of the last outcome.
 */
export class WebhookGate implements Gate {
  constructor(
    readonly hook: WebhookSpec,
    private readonly deps: WebhookDeps,
  ) {}

  async ask(rollout: Rollout, question: GateQuestion): Promise<GateResult> {
    const answer = (open: boolean, message: string): GateResult => ({
      name: this.hook.name,
      type: this.hook.type ?? 'rollout',
      open,
      // Already an excerpt of the answer; decide() cuts every status message to the CRD's limit (domain/fit.ts).
      message,
      time: this.deps.now().toISOString(),
    });
    const url = this.hook.url;
    if (!url) return answer(false, 'has no url (a manual gate is opened by an approval, not called)');
    const signing = await signingKeyOf(rollout, this.hook, this.deps);
    if (signing.problem) return answer(false, signing.problem);
    const payload = webhookPayload(rollout, this.hook, question.revision);
    const timeoutMs = timeoutOf(this.hook);
    const started = Date.now();
    let last: PostOutcome | undefined;
    for (let attempt = 0; attempt <= (this.hook.retries ?? 0); attempt++) {
      if (attempt > 0 && Date.now() - started + timeoutMs > MAX_CALL_MS) break;
      last = await postJson(url, payload, { policy: this.deps.outbound, timeoutMs, ...(signing.key ? { signingKey: signing.key } : {}), now: this.deps.now });
      if (last.kind === 'answered' && last.ok) break;
    }
    if (!last) return answer(false, 'was not called');
    return answer(last.kind === 'answered' && last.ok, describeOutcome(last));
  }
}
