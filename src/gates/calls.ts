import type { GateResult } from '../api/types.gen.js';
import type { GateAnswer } from '../domain/model.js';

/**
 * Webhook calls that outlive the tick that started them. A tick waits for a
 * gate's answer only a moment (GATE_WAIT_MS for all its gates, and never
 * past its own deadline); a call still running then goes on in the background, holding
 * no worker, and its Rollout holds where it is ("pending"). When the answer
 * comes, the Rollout is woken, and its next tick takes the answer. So a
 * tenant's hook that takes a minute stalls that tenant's release only, never
 * the ticks (and the rollbacks) of everyone else.
 *
 * The calls live in this replica's memory: a tick that runs on another
 * replica asks the hook anew (webhooks are asked every tick anyway, and
 * must be safe to ask twice). A restart loses only the wait.
 */
export class GateCalls {
  private readonly calls = new Map<string, Call>();

  constructor(private readonly options: { readonly now: () => Date; readonly answerTtlMs?: number }) {}

  /**
   * The answer of the call `key` (started now by `start` unless one runs or
   * waits already), waiting at most `waitMs`; a pending answer when the call
   * has not answered by then, and `onLateAnswer` is called when it does.
   */
  async answer(key: string, pending: (askedAt: Date) => GateAnswer, start: () => Promise<GateResult>, waitMs: number, onLateAnswer: () => void): Promise<GateAnswer> {
    this.sweep();
    let call = this.calls.get(key);
    if (!call) {
      call = this.start(key, start, onLateAnswer);
      this.calls.set(key, call);
    }
    call.state.onLateAnswer = onLateAnswer;
    const result = call.state.result ?? (await within(call.promise, waitMs));
    if (!result) return pending(call.askedAt);
    call.state.collected = true;
    this.calls.delete(key);
    return result;
  }

  /** Calls running or answered and not yet collected (for tests and the drain). */
  get size(): number {
    return this.calls.size;
  }

  private start(key: string, start: () => Promise<GateResult>, onLateAnswer: () => void): Call {
    const askedAt = this.options.now();
    const state: CallState = { collected: false, onLateAnswer };
    const promise = start().then(
      (result) => {
        state.result = result;
        state.answeredAt = Date.now();
        // After the microtasks: a tick waiting on this call right now collects it first, and nobody is woken.
        setImmediate(() => {
          if (!state.collected) state.onLateAnswer();
        });
        return result;
      },
      (err: unknown) => {
        // A gate never throws; if one did, the next tick asks again.
        this.calls.delete(key);
        throw err;
      },
    );
    promise.catch(() => undefined);
    return { askedAt, promise, state };
  }

  /** Answers nobody came back for (the Rollout was deleted, or moved on) are dropped after a while. */
  private sweep(): void {
    const ttl = this.options.answerTtlMs ?? ANSWER_TTL_MS;
    const now = Date.now();
    for (const [key, call] of this.calls) if (call.state.answeredAt !== undefined && now - call.state.answeredAt > ttl) this.calls.delete(key);
  }
}

/**
 * How long one tick waits for webhooks in all, before it holds its Rollout
 * and lets the calls go on without it: a receiver nearby answers well
 * within it; a slow one costs a worker this long per tick, not its timeout.
 */
export const GATE_WAIT_MS = 500;

/** An answer uncollected this long is dropped: the next tick would ask again anyway. */
const ANSWER_TTL_MS = 10 * 60_000;

interface Call {
  readonly askedAt: Date;
  readonly promise: Promise<GateResult>;
  readonly state: CallState;
}

/** What the call's answer changes, and who it wakes. */
interface CallState {
  result?: GateResult;
  answeredAt?: number;
  collected: boolean;
  onLateAnswer: () => void;
}

/** `promise`'s value if it settles within `ms`, else undefined. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  if (ms <= 0) return Promise.race([promise, Promise.resolve(undefined)]);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
