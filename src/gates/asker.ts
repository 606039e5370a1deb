import type { GateResult, Rollout, WebhookSpec } from '../api/types.gen.js';
import { gateKindOf, type AskedGateKind } from '../domain/gates.js';
import type { GateAnswer } from '../domain/model.js';
import { GATE_WAIT_MS, GateCalls } from './calls.js';
import type { Gate, GateQuestion } from './gate.js';
import { WebhookGate, timeoutOf, type WebhookDeps } from './webhook.js';

/**
 * How each kind of gate the tick asks gets its answer: one line per kind,
 * checked by the compiler against the kinds decide() knows (domain/gates.ts).
 */
const ASKERS = {
  webhook: (hook, deps) => new WebhookGate(hook, deps),
} as const satisfies Record<AskedGateKind, (hook: WebhookSpec, deps: WebhookDeps) => Gate>;

/** What a tick asks its gates, and how long it may wait for them. */
export interface TickQuestion extends GateQuestion {
  /** The tick waits this long at most (default GATE_WAIT_MS); a gate that has not answered by then is pending. */
  readonly waitMs?: number;
}

/**
 * Asks a Rollout's gates by name, all at once: the gates decide() asked for
 * in a tick (confirm-*, pre-rollout, rollout, rollback), and the post-rollout
 * webhooks it tells once a release ended. Never throws: an answer it could
 * not get is a closed answer with the reason, one that has not come yet a
 * pending answer (see GateCalls).
 */
export class GateAsker {
  private readonly calls: GateCalls;

  /** `wake` ticks a Rollout whose gate answered after its tick stopped waiting. */
  constructor(
    private readonly deps: WebhookDeps,
    private readonly wake: (rollout: Rollout) => void = () => undefined,
  ) {
    this.calls = new GateCalls({ now: deps.now });
  }

  ask(rollout: Rollout, names: readonly string[], question: TickQuestion): Promise<GateAnswer[]> {
    const waitMs = question.waitMs ?? GATE_WAIT_MS;
    return Promise.all(
      this.gates(rollout, names).map((gate) =>
        this.calls.answer(
          callKey(rollout, gate.hook, question.revision),
          (askedAt) => pendingAnswer(gate.hook, askedAt),
          () => gate.ask(rollout, question),
          waitMs,
          () => this.wake(rollout),
        ),
      ),
    );
  }

  /**
   * Tells the post-rollout webhooks without waiting for them: a tick that
   * ended a release never holds a worker for a slow receiver. Each answer
   * goes to `told` when it comes.
   */
  tell(rollout: Rollout, names: readonly string[], question: GateQuestion, told: (answer: GateResult) => Promise<void>): void {
    for (const gate of this.gates(rollout, names)) {
      void gate.ask(rollout, question).then(told).catch(() => undefined);
    }
  }

  private gates(rollout: Rollout, names: readonly string[]): Gate[] {
    const hooks = (rollout.spec.analysis?.webhooks ?? []).filter((h) => names.includes(h.name));
    return hooks.flatMap((hook) => {
      const kind = gateKindOf(hook);
      return kind === 'manual' ? [] : [ASKERS[kind](hook, this.deps)];
    });
  }
}

/** One call per Rollout, webhook (as it is written now) and revision: an edited hook is asked anew. */
function callKey(rollout: Rollout, hook: WebhookSpec, revision: string): string {
  return JSON.stringify([rollout.metadata.uid ?? '', revision, hook]);
}

/** Stable while the same call runs, so a held Rollout's status and Events do not change every tick. */
function pendingAnswer(hook: WebhookSpec, askedAt: Date): GateAnswer {
  return {
    name: hook.name,
    type: hook.type ?? 'rollout',
    open: false,
    pending: true,
    message: `asked at ${askedAt.toISOString()}, no answer yet (the call may take up to ${timeoutOf(hook) / 1000}s per attempt; the Rollout holds meanwhile)`,
    time: askedAt.toISOString(),
  };
}
