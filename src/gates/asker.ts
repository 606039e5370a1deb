import type { GateResult, Rollout } from '../api/types.gen.js';
import type { GateQuestion } from './gate.js';
import { WebhookGate, type WebhookDeps } from './webhook.js';

/** Asks a Rollout's webhooks by name, all at once; what decide() asked for in a tick. */
export class GateAsker {
  constructor(private readonly deps: WebhookDeps) {}

  async ask(rollout: Rollout, names: readonly string[], question: GateQuestion): Promise<GateResult[]> {
    const hooks = (rollout.spec.analysis?.webhooks ?? []).filter((h) => names.includes(h.name) && !h.manual);
    return Promise.all(hooks.map((h) => new WebhookGate(h, this.deps).ask(rollout, question)));
  }
}
