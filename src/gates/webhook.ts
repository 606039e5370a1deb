import { createHmac } from 'node:crypto';
import { parseDuration } from '../api/duration.js';
import type { MetricResult, Rollout, WebhookSpec } from '../api/types.gen.js';

export const SIGNATURE_HEADER = 'X-Flowshift-Signature';
/** The Secret key that holds a webhook's signing key. */
export const SIGNING_KEY = 'key';
const DEFAULT_TIMEOUT_MS = 10_000;

/** What a webhook receives: which Rollout, where it is, and the user's metadata. */
export interface WebhookPayload {
  readonly name: string;
  readonly namespace: string;
  readonly phase: string;
  readonly type: string;
  /** The revision being released (status.lastAppliedSpec). */
  readonly revision: string;
  readonly canaryWeight: number;
  readonly metadata: Readonly<Record<string, string>>;
}

export interface WebhookDeps {
  readonly readSecret: (namespace: string, name: string) => Promise<Readonly<Record<string, string>> | undefined>;
  readonly now: () => Date;
  readonly fetch?: typeof fetch;
}

export function webhookPayload(rollout: Rollout, hook: WebhookSpec): WebhookPayload {
  return {
    name: rollout.metadata.name ?? '',
    namespace: rollout.metadata.namespace ?? '',
    phase: rollout.status?.phase ?? '',
    type: hook.type ?? 'rollout',
    revision: rollout.status?.lastAppliedSpec ?? '',
    canaryWeight: rollout.status?.canaryWeight ?? 0,
    metadata: hook.metadata ?? {},
  };
}

/** HMAC-SHA256 of the exact body, hex, as sent in X-Flowshift-Signature ("sha256=<hex>"). */
export function signature(key: string, body: string): string {
  return `sha256=${createHmac('sha256', key).update(body).digest('hex')}`;
}

/**
 * Calls one webhook: a 2xx answer passes, anything else (another status, a
 * timeout, a refused connection) fails, after `retries` more attempts.
 * Never throws: the outcome is a result for status.analysis.
 */
export async function callWebhook(rollout: Rollout, hook: WebhookSpec, deps: WebhookDeps): Promise<MetricResult> {
  const result = (passed: boolean, message: string): MetricResult => ({ name: hook.name, passed, message: `webhook ${hook.name}: ${message}`, time: deps.now().toISOString() });
  const body = JSON.stringify(webhookPayload(rollout, hook));
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (hook.secretRef) {
    const secret = await deps.readSecret(rollout.metadata.namespace ?? '', hook.secretRef.name).catch(() => undefined);
    const key = secret?.[SIGNING_KEY];
    if (!key) return result(false, `Secret ${hook.secretRef.name} has no "${SIGNING_KEY}" to sign with`);
    headers[SIGNATURE_HEADER] = signature(key, body);
  }
  const timeoutMs = parseDuration(hook.timeout ?? '') ?? DEFAULT_TIMEOUT_MS;
  let last = '';
  for (let attempt = 0; attempt <= (hook.retries ?? 0); attempt++) {
    try {
      const res = await (deps.fetch ?? fetch)(hook.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
      const text = (await res.text()).trim().slice(0, 200);
      if (res.ok) return result(true, `answered ${res.status}`);
      last = `answered ${res.status}${text ? `: ${text}` : ''}`;
    } catch (err) {
      last = err instanceof Error && err.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `unreachable (${describe(err)})`;
    }
  }
  return result(false, last);
}

function describe(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : '';
  return cause || (err instanceof Error ? err.message : String(err));
}
