import type { Logger } from 'pino';
import { FINALIZER } from '../../api/names.js';
import type { Rollout, RolloutStatus } from '../../api/types.gen.js';
import { describeGate } from '../../domain/gates.js';
import { EventType, event, type AlertsCheck, type Decision, type RolloutEvent, type TickInput } from '../../domain/model.js';
import type { GateAsker } from '../../gates/asker.js';
import { apiMessage, statusCode } from '../../kube/errors.js';
import { OwnershipError } from '../../kube/ownership.js';
import { Conflict, type RolloutClient } from '../../kube/rollouts.js';
import { sameJson } from '../../kube/same-json.js';
import type { EventRecorder } from '../../notifier/kube-events.js';
import type { TargetObservation } from '../../workload/target.js';
import { applyActions, type ApplyDeps } from './apply.js';

/** What carrying out a decision writes through. */
export interface CommitDeps extends ApplyDeps {
  readonly rollouts: RolloutClient;
  readonly gates: GateAsker;
  readonly events: EventRecorder;
  /** Told of every won status write, after its Events: notifications and per-Rollout metrics. */
  readonly transitions?: TransitionObserver;
}

/**
 * Sees the Rollout a tick read, the one its status write returned, the
 * decision's events and, when this tick checked them, which alerts can be
 * delivered. Never throws.
 */
export type TransitionObserver = (before: Rollout, after: Rollout, events: readonly RolloutEvent[], alerts: AlertsCheck | undefined) => Promise<void>;

/**
 * What committing a decision came to. `rollout` is the Rollout as written
 * (the one read when nothing was written).
 */
export type Committed =
  | { readonly kind: 'done'; readonly rollout: Rollout }
  /** The status changed meanwhile: nothing of the decision was carried out but its safe routes. */
  | { readonly kind: 'conflict' }
  /** An action found its object taken by someone else since the check: a problem for decide(). */
  | { readonly kind: 'refused'; readonly rollout: Rollout; readonly message: string }
  /** An action failed: a dependency error for decide(). */
  | { readonly kind: 'failed'; readonly rollout: Rollout; readonly err: unknown }
  /** The API server refused the status itself (422): nothing was carried out but the safe routes; `message` is its reason. */
  | { readonly kind: 'refused-status'; readonly rollout: Rollout; readonly message: string };

/**
 * Carries out a decision in a fixed order: routes to the primary first
 * (before the status, which therefore never says the primary serves
 * everything before it does; they stay whether or not the status write
 * wins, being the safe state), the finalizer, the status (guarded by
 * resourceVersion: the commit point), the actions, the settled status; then,
 * keyed to the status written, the Events, the post-rollout webhooks and the
 * transition observers (notifications), so a lost write never repeats them.
 */
export async function commit(deps: CommitDeps, read: Rollout, decision: Decision, input: TickInput, observation: TargetObservation | undefined, log: Logger): Promise<Committed> {
  const safe = decision.safeRoutes ?? [];
  if (safe.length) {
    const checkedAt = Date.now();
    await applyActions(deps, read, safe, observation);
    // rollbackMs: the time from a failed check to the routes off the canary, which the benchmark reads.
    const key = decision.status.phase === 'Succeeded' ? 'routedMs' : 'rollbackMs';
    log.info({ [key]: Date.now() - checkedAt, reason: decision.status.message }, 'routes to the primary rewritten');
  }
  const written = await writeFinalizerAndStatus(deps, read, decision);
  if (written === Conflict) {
    log.debug('status changed meanwhile: tick dropped');
    return { kind: 'conflict' };
  }
  if ('refused' in written) {
    log.warn({ reason: written.refused }, 'the API server refused the status');
    return { kind: 'refused-status', rollout: written.rollout, message: written.refused };
  }
  let failure: unknown;
  try {
    await applyActions(deps, written, decision.actions, observation);
  } catch (err) {
    failure = err;
  }
  const settled = failure === undefined && decision.settled ? await writeStatus(deps, written, decision.settled) : written;
  await tell(deps, read, written, decision, input);
  logDecision(log, input, decision);
  if (failure instanceof OwnershipError) return { kind: 'refused', rollout: written, message: failure.message };
  if (failure !== undefined) return { kind: 'failed', rollout: written, err: failure };
  // A settled write lost to a newer one: that one's tick ends the error.
  return { kind: 'done', rollout: settled === Conflict || 'refused' in settled ? written : settled };
}

async function writeFinalizerAndStatus(deps: CommitDeps, rollout: Rollout, decision: Decision): Promise<Written> {
  let current = rollout;
  if (decision.finalizer) {
    const finalizers = rollout.metadata.finalizers ?? [];
    const next = decision.finalizer === 'add' ? [...finalizers, FINALIZER] : finalizers.filter((f) => f !== FINALIZER);
    const patched = await deps.rollouts.setFinalizers(rollout, next);
    if (patched === Conflict) return Conflict;
    current = patched;
  }
  return writeStatus(deps, current, decision.status);
}

/** A status write: the Rollout written, lost to a newer one, or refused for good (422) with the API server's reason. */
type Written = Rollout | typeof Conflict | { readonly refused: string; readonly rollout: Rollout };

async function writeStatus(deps: CommitDeps, rollout: Rollout, status: RolloutStatus): Promise<Written> {
  if (sameJson(status, rollout.status ?? {})) return rollout;
  try {
    return await deps.rollouts.writeStatus(rollout, status);
  } catch (err) {
    if (statusCode(err) !== UNPROCESSABLE) throw err;
    return { refused: apiMessage(err), rollout };
  }
}

/** What the API server answers a status its validation refuses; the same write would be refused again. */
const UNPROCESSABLE = 422;

/** The Events, the post-rollout webhooks' answers (as Events) and the observers, for the status written. */
async function tell(deps: CommitDeps, read: Rollout, written: Rollout, decision: Decision, input: TickInput): Promise<void> {
  for (const e of decision.events) await deps.events.record(written, e);
  // Told, not waited for: each answer becomes an Event when it comes.
  if (decision.hooks?.length) {
    deps.gates.tell(written, decision.hooks, { revision: written.status?.lastAppliedSpec ?? '' }, (r) =>
      deps.events.record(written, event('PostRollout', describeGate(r), r.open ? EventType.Normal : EventType.Warning)),
    );
  }
  await deps.transitions?.(read, written, decision.events, input.alerts);
}

function logDecision(log: Logger, input: TickInput, decision: Decision): void {
  const from = input.status.phase;
  const to = decision.status.phase;
  const fields = { phase: to, canaryWeight: decision.status.canaryWeight, actions: decision.actions.map((a) => a.type) };
  if (from !== to || decision.actions.length || decision.events.length) log.info(fields, decision.status.message ?? '');
  else log.debug(fields, 'no change');
}
