import type { GateResult, Rollout, WebhookSpec } from '../api/types.gen.js';
import { gateKindOf, type AskedGateKind } from '../domain/gates.js';
import type { Gate, GateQuestion } from './gate.js';
import { WebhookGate, type WebhookDeps } from './webhook.js';

/**
 * How each kind of gate the tick asks gets its answer: one line per kind,
 * checked by the compiler against the kinds decide() knows (domain/gates.ts).
 */
const ASKERS = {
  webhook: (hook, deps) => new WebhookGate(hook, deps),
} as const satisfies Record<AskedGateKind, (hook: WebhookSpec, deps: WebhookDeps) => Gate>;

/**
 * Asks a Rollout's gates by name, all at once: the gates decide() asked for
 * in a tick (confirm-*, pre-rollout, rollout, rollback), and the post-rollout
 * webhooks it tells once a release ended. Never throws: an answer it could
 * not get is a closed answer with the reason.
 */
export class GateAsker {
  constructor(private readonly deps: WebhookDeps) {}

  async ask(rollout: Rollout, names: readonly string[], question: GateQuestion): Promise<GateResult[]> {
    const hooks = (rollout.spec.analysis?.webhooks ?? []).filter((h) => names.includes(h.name));
    return Promise.all(
      hooks.flatMap((hook) => {
        const kind = gateKindOf(hook);
        return kind === 'manual' ? [] : [ASKERS[kind](hook, this.deps).ask(rollout, question)];
      }),
    );
  }
}
