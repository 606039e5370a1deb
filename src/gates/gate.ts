import type { GateResult, Rollout, WebhookSpec } from '../api/types.gen.js';

/** What a gate is asked about: the revision being released (a confirm-rollout gate is asked before status names it). */
export interface GateQuestion {
  readonly revision: string;
}

/**
 * A gate answers whether the release may go on. Answers are observations for
 * decide(), like metric verdicts: a gate never throws, and an answer it could
 * not get (unreachable, timeout, a missing signing key) is a closed answer
 * with the reason.
 */
export interface Gate {
  readonly hook: WebhookSpec;
  ask(rollout: Rollout, question: GateQuestion): Promise<GateResult>;
}

/** What every webhook receives: which Rollout, where it is, and the user's metadata. */
export interface WebhookPayload {
  readonly name: string;
  readonly namespace: string;
  readonly phase: string;
  readonly type: string;
  /** The revision being released. */
  readonly revision: string;
  readonly canaryWeight: number;
  readonly metadata: Readonly<Record<string, string>>;
}

export function webhookPayload(rollout: Rollout, hook: WebhookSpec, revision: string, metadata: Readonly<Record<string, string>> = {}): WebhookPayload {
  return {
    name: rollout.metadata.name ?? '',
    namespace: rollout.metadata.namespace ?? '',
    phase: rollout.status?.phase ?? '',
    type: hook.type ?? 'rollout',
    revision,
    canaryWeight: rollout.status?.canaryWeight ?? 0,
    metadata: { ...hook.metadata, ...metadata },
  };
}
