import type { Logger } from 'pino';
import type { AnalysisVerdict, Analyzer } from '../analysis/analyzer.js';
import type { Rollout, RolloutStatus } from '../api/types.gen.js';
import { decide, needsAnalysis } from '../domain/decide.js';
import { EventType, analysisIntervalMs, nextStatus, type Action, type Decision, type TickInput } from '../domain/decision.js';
import { apiMessage } from '../kube/errors.js';
import { FINALIZER, ownedNames, rolloutKey } from '../kube/names.js';
import { Conflict, type RolloutClient } from '../kube/rollouts.js';
import type { Router } from '../router/router.js';
import type { ServiceRouter } from '../router/services.js';
import { stableJson } from '../target/revision.js';
import { TargetError, type Target, type TargetObservation } from '../target/target.js';
import { applyActions } from './apply.js';
import type { EventRecorder } from './events.js';
import { validationProblems, type ReadTemplate } from './validation.js';

export interface TickDeps {
  readonly rollouts: RolloutClient;
  readonly target: Target;
  readonly router: Router;
  readonly services: ServiceRouter;
  readonly analyzer: Analyzer;
  readonly readTemplate: ReadTemplate;
  readonly events: EventRecorder;
  /** Told of every won status write, after its Events: notifications and per-Rollout metrics. */
  readonly transitions?: TransitionObserver;
  readonly clock: () => Date;
  readonly log: Logger;
}

/** Sees the Rollout a tick read, the one its status write returned, and the decision's events. Never throws. */
export type TransitionObserver = (before: Rollout, after: Rollout, events: Decision['events']) => Promise<void>;

/** What a tick did, for the scheduler and for logs. */
export type TickOutcome =
  | { readonly kind: 'gone' }
  | { readonly kind: 'retry'; readonly retryMs: number }
  | { readonly kind: 'done'; readonly nextMs: number; readonly generation: number; readonly targetGeneration: number };

/**
 * One reconcile of one Rollout: read it fresh, observe, analyse when due,
 * decide, write the status (guarded by resourceVersion), then carry out the
 * actions. A tick that loses the status write changes nothing.
 */
export async function tick(deps: TickDeps, namespace: string, name: string, uid?: string): Promise<TickOutcome> {
  let rollout = await deps.rollouts.get(namespace, name);
  if (!rollout || (uid && rollout.metadata.uid !== uid)) return { kind: 'gone' };
  const log = deps.log.child({ rollout: rolloutKey(rollout) });
  const synced = await syncFinalizer(deps, rollout);
  if (synced === Conflict) return { kind: 'retry', retryMs: 200 };
  rollout = synced;
  const nextMs = analysisIntervalMs(rollout.spec);

  const problems = await validationProblems(rollout, deps.readTemplate);
  if (problems.length) return reportInvalid(deps, rollout, problems.join('; '), nextMs);

  let observation: TargetObservation | undefined;
  try {
    observation = await deps.target.observe(rollout);
  } catch (err) {
    if (err instanceof TargetError) return reportInvalid(deps, rollout, err.message, nextMs);
    throw err;
  }
  if (!observation) {
    const { namespace: ns, target } = ownedNames(rollout);
    return reportInvalid(deps, rollout, `target Deployment ${ns}/${target} not found: create it or fix spec.targetRef.name`, nextMs);
  }
  return act(deps, rollout, observation, nextMs, log);
}

/** Decide, write the status (guarded), carry out the actions, record the events. */
async function act(deps: TickDeps, rollout: Rollout, observation: TargetObservation, nextMs: number, log: Logger): Promise<TickOutcome> {
  const input = await gather(deps, rollout, observation);
  const checkedAt = Date.now();
  const decision = decide(input);
  const rollingBack = decision.status.phase === 'Failed' && input.status.phase !== 'Failed';
  // A rollback routes everything to the primary, the safe state, so it does
  // not wait for the status write: users stop reaching a bad canary sooner.
  // Should the write lose a conflict, the next tick repairs the routes.
  const early: readonly Action[] = rollingBack ? decision.actions.filter((a) => a.type === 'setRoutes') : [];
  const [written, routedAt] = await Promise.all([
    writeStatus(deps, rollout, decision.status),
    applyActions(deps, rollout, early, observation.label, observation.revision).then(() => Date.now()),
  ]);
  if (written === Conflict) {
    log.debug('status changed meanwhile: tick dropped');
    return { kind: 'retry', retryMs: 200 };
  }
  try {
    const rest = decision.actions.filter((a) => !early.includes(a));
    await applyActions(deps, written, rest, observation.label, observation.revision);
  } catch (err) {
    return reportApplyError(deps, written, err, Math.min(nextMs, APPLY_RETRY_MS));
  }
  if (rollingBack) log.info({ rollbackMs: routedAt - checkedAt, reason: decision.status.message }, 'rolled back: routes rewritten');
  for (const event of decision.events) await deps.events.record(written, event);
  await deps.transitions?.(rollout, written, decision.events);
  logDecision(log, input, decision);
  return { kind: 'done', nextMs, generation: rollout.metadata.generation ?? 0, targetGeneration: observation.generation };
}

const APPLY_RETRY_MS = 5_000;

/**
 * An action the API server refused (e.g. Istio's schema rejecting a route
 * built from spec.service.match): say so in the status and an Event, retry soon.
 */
async function reportApplyError(deps: TickDeps, rollout: Rollout, err: unknown, retryMs: number): Promise<TickOutcome> {
  const message = `could not apply the decision, retrying: ${apiMessage(err)}`;
  deps.log.warn({ rollout: rolloutKey(rollout), err }, 'apply failed');
  if (rollout.status?.message !== message) {
    const written = await deps.rollouts.writeStatus(rollout, { ...rollout.status, message });
    if (written !== Conflict) await deps.events.record(written, { type: EventType.Warning, reason: 'ApplyFailed', message });
  }
  return { kind: 'retry', retryMs };
}

async function gather(deps: TickDeps, rollout: Rollout, observation: TargetObservation): Promise<TickInput> {
  const base: TickInput = {
    spec: rollout.spec,
    status: rollout.status ?? {},
    generation: rollout.metadata.generation ?? 0,
    deleting: Boolean(rollout.metadata.deletionTimestamp),
    observed: {
      now: deps.clock(),
      revision: observation.revision,
      canary: observation.canary,
      primary: observation.primary,
      routes: await deps.router.getRoutes(rollout),
    },
  };
  if (!needsAnalysis(base)) return base;
  const names = ownedNames(rollout);
  const verdict: AnalysisVerdict = await deps.analyzer.analyze(rollout, {
    namespace: names.namespace,
    canary: names.target,
    primary: names.primary,
    service: names.service,
  });
  return { ...base, verdict };
}

async function writeStatus(deps: TickDeps, rollout: Rollout, status: RolloutStatus): Promise<Rollout | typeof Conflict> {
  if (stableJson(status) === stableJson(rollout.status ?? {})) return rollout;
  return deps.rollouts.writeStatus(rollout, status);
}

/** revertOnDeletion needs a finalizer, so the Rollout can hand traffic back before it goes. */
async function syncFinalizer(deps: TickDeps, rollout: Rollout): Promise<Rollout | typeof Conflict> {
  if (rollout.metadata.deletionTimestamp) return rollout;
  const finalizers = rollout.metadata.finalizers ?? [];
  const has = finalizers.includes(FINALIZER);
  const wants = rollout.spec.revertOnDeletion === true;
  if (has === wants) return rollout;
  return deps.rollouts.setFinalizers(rollout, wants ? [...finalizers, FINALIZER] : finalizers.filter((f) => f !== FINALIZER));
}

/** A Rollout that cannot be acted on: say why in the status and an Event, and touch nothing. */
async function reportInvalid(deps: TickDeps, rollout: Rollout, problem: string, nextMs: number): Promise<TickOutcome> {
  const message = `invalid: ${problem}`;
  const input: Pick<TickInput, 'spec' | 'status' | 'generation' | 'observed' | 'deleting'> = {
    spec: rollout.spec,
    status: rollout.status ?? {},
    generation: rollout.metadata.generation ?? 0,
    deleting: false,
    observed: { now: deps.clock(), revision: '', canary: { ready: false, message: '', replicas: 0 }, primary: undefined, routes: undefined },
  };
  const status = nextStatus(input, {}, message);
  status.conditions = [...(status.conditions ?? []), invalidCondition(message, input.observed.now, input.generation)];
  if (rollout.metadata.deletionTimestamp) {
    // Never hold a deletion hostage to a spec problem.
    const finalizers = rollout.metadata.finalizers ?? [];
    if (finalizers.includes(FINALIZER)) await deps.rollouts.setFinalizers(rollout, finalizers.filter((f) => f !== FINALIZER));
    return { kind: 'gone' };
  }
  if (rollout.status?.message !== message) {
    const written = await deps.rollouts.writeStatus(rollout, status);
    if (written === Conflict) return { kind: 'retry', retryMs: 200 };
    const invalid = { type: EventType.Warning, reason: 'InvalidSpec', message };
    await deps.events.record(written, invalid);
    await deps.transitions?.(rollout, written, [invalid]);
    deps.log.warn({ rollout: rolloutKey(rollout), problem }, 'rollout is invalid');
  }
  return { kind: 'done', nextMs, generation: rollout.metadata.generation ?? 0, targetGeneration: 0 };
}

function invalidCondition(message: string, now: Date, generation: number): NonNullable<RolloutStatus['conditions']>[number] {
  return { type: 'Invalid', status: 'True', reason: 'InvalidSpec', message, lastTransitionTime: now.toISOString(), observedGeneration: generation };
}

function logDecision(log: Logger, input: TickInput, decision: Decision): void {
  const from = input.status.phase;
  const to = decision.status.phase;
  const fields = { phase: to, canaryWeight: decision.status.canaryWeight, actions: decision.actions.map((a) => a.type) };
  if (from !== to || decision.actions.length || decision.events.length) log.info(fields, decision.status.message ?? '');
  else log.debug(fields, 'no change');
}
