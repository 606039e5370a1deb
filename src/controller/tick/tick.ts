import type { Logger } from 'pino';
import type { Analyzer } from '../../analysis/analyzer.js';
import { FINALIZER, ownedNames, rolloutKey } from '../../api/names.js';
import type { Rollout } from '../../api/types.gen.js';
import { unresolvedReferences, type ReferenceSources } from '../../checks/references.js';
import { claimProblems, validationProblems, type ReadTemplate } from '../../checks/spec.js';
import { decideApplyFailure, decideRefusedStatus, preflightDue } from '../../domain/decide/decide.js';
import { idleUntilChange } from '../../domain/decide/idle.js';
import type { Controls, Decision, TickInput } from '../../domain/model.js';
import { analysisIntervalMs } from '../../domain/timing.js';
import { apiMessage } from '../../kube/errors.js';
import { checkAlerts, type AlertSources } from '../../notifier/alerts.js';
import { routerFor } from '../../router/router.js';
import { TargetError, type TargetObservation } from '../../workload/target.js';
import { decideAnswering, type AskDeps } from './answer-asks.js';
import { GATE_WAIT_MS } from '../../gates/calls.js';
import { commit, type CommitDeps } from './commit.js';
import { controlsKey, readControls } from './control-annotations.js';

export interface TickDeps extends CommitDeps {
  /** The tick's read of its Rollout: the informer's copy when it has one (see RolloutReads). */
  readonly readRollout: (namespace: string, name: string, uid?: string) => Promise<Rollout | undefined>;
  readonly analyzer: Analyzer;
  /** Where the alerts' AlertProviders and Secrets are read, for the AlertsReady condition. */
  readonly alerts: AlertSources;
  readonly readTemplate: ReadTemplate;
  /** Where the preflight resolves a Rollout's references before anything moves. */
  readonly references: ReferenceSources;
  /** The Rollouts of its namespace claiming the same Deployment or service name, as the informer holds them. */
  readonly rivals: (rollout: Rollout) => readonly Rollout[];
  readonly clock: () => Date;
  readonly log: Logger;
  /** The wall-clock budget of one tick's calls (analysisDeadlineMs of the tick lock). */
  readonly tickBudgetMs: number;
}

/** What a tick did, for the scheduler and for logs. */
export type TickOutcome =
  | { readonly kind: 'gone' }
  | { readonly kind: 'retry'; readonly retryMs: number }
  | {
      readonly kind: 'done';
      readonly nextMs: number;
      readonly generation: number;
      readonly targetGeneration: number;
      /** The target's and primary's progress as this tick saw it (progressKey). */
      readonly targetProgress: string;
      /** The control annotations the tick acted on (controlsKey). */
      readonly controls?: string;
      /** Nothing to do until a watched object changes or the resync (idleUntilChange): no timed tick. */
      readonly rests?: boolean;
    };

/**
 * One reconcile of one Rollout: read it (from the informer), observe, ask
 * decide() (answering what it asks), then commit what it returns. A tick
 * that loses the status write changes nothing.
 */
export async function tick(deps: TickDeps, namespace: string, name: string, uid?: string): Promise<TickOutcome> {
  const deadline = Date.now() + deps.tickBudgetMs;
  const rollout = await deps.readRollout(namespace, name, uid);
  if (!rollout || (uid && rollout.metadata.uid !== uid)) return { kind: 'gone' };
  const log = deps.log.child({ rollout: rolloutKey(rollout) });
  const asks = askDeps(deps, deadline);
  const { input: gathered, observation } = await gather(deps, rollout, log);
  const { input, decision } = await decideChecked(deps, asks, rollout, gathered);
  const outcome = await commitOrRecover(deps, asks, rollout, input, decision, observation, log);
  if (outcome.kind !== 'done') return outcome;
  if (input.deleting && input.problems.length) return { kind: 'gone' };
  const idle = !outcome.wrote && !decision.actions.length && !decision.safeRoutes?.length && !decision.events.length;
  return { ...done(rollout, outcome.decision, observation), rests: idle && idleUntilChange(input, decision) };
}

/** decide(), with what it asks answered; the objects its decision would write must be this Rollout's, checked before anything is written. */
async function decideChecked(deps: TickDeps, asks: AskDeps, rollout: Rollout, gathered: TickInput): Promise<{ input: TickInput; decision: Decision }> {
  const decided = await decideAnswering(asks, rollout, gathered);
  const foreign = await foreignObjects(deps, rollout, decided.decision);
  return foreign.length ? decideAnswering(asks, rollout, withProblems(decided.input, foreign)) : decided;
}

/**
 * Commits the decision. An action refused because its object belongs to
 * someone else (created since the check) is a problem decide() sees at once;
 * any other refusal a dependency error, retried and, past the progress
 * deadline, rolled back from: both decided again, not here.
 */
async function commitOrRecover(
  deps: TickDeps,
  asks: AskDeps,
  rollout: Rollout,
  input: TickInput,
  decision: Decision,
  observation: TargetObservation | undefined,
  log: Logger,
): Promise<{ readonly kind: 'done'; readonly wrote: boolean; readonly decision: Decision } | Extract<TickOutcome, { kind: 'retry' }>> {
  const outcome = await commit(deps, rollout, decision, input, observation, log);
  switch (outcome.kind) {
    case 'conflict':
      return { kind: 'retry', retryMs: CONFLICT_RETRY_MS };
    case 'done':
      return { kind: 'done', wrote: outcome.rollout !== rollout, decision };
    case 'refused': {
      const refused: TickInput = { ...withProblems(input, [outcome.message]), status: outcome.rollout.status ?? {}, hasFinalizer: hasFinalizer(outcome.rollout) };
      const again = await decideAnswering(asks, outcome.rollout, refused);
      const after = await commit(deps, outcome.rollout, again.decision, again.input, observation, log);
      return after.kind === 'done' ? { kind: 'done', wrote: true, decision: again.decision } : { kind: 'retry', retryMs: after.kind === 'conflict' ? CONFLICT_RETRY_MS : APPLY_RETRY_MS };
    }
    case 'refused-status': {
      // Decided once more, from the status on record: that one is written, or the tick waits an interval, never a tight loop.
      const refused = decideRefusedStatus({ ...input, status: outcome.rollout.status ?? {} }, outcome.message);
      const after = await commit(deps, outcome.rollout, refused, input, observation, log);
      return { kind: 'retry', retryMs: after.kind === 'conflict' ? CONFLICT_RETRY_MS : analysisIntervalMs(rollout.spec) };
    }
    case 'failed': {
      log.warn({ err: outcome.err }, 'apply failed');
      const failed = decideApplyFailure({ ...input, status: outcome.rollout.status ?? {} }, apiMessage(outcome.err));
      const after = await commit(deps, outcome.rollout, failed, input, observation, log);
      return { kind: 'retry', retryMs: after.kind === 'conflict' ? CONFLICT_RETRY_MS : APPLY_RETRY_MS };
    }
  }
}

function done(rollout: Rollout, decision: Decision, observation: TargetObservation | undefined): Extract<TickOutcome, { kind: 'done' }> {
  // Objects created while initializing are observed at once, not an interval later.
  const creating = decision.status.phase === 'Initializing' && decision.actions.some((a) => a.type === 'ensureObjects');
  return {
    kind: 'done',
    nextMs: creating ? 0 : Math.min(decision.nextTickMs ?? Infinity, analysisIntervalMs(rollout.spec)),
    generation: rollout.metadata.generation ?? 0,
    targetGeneration: observation?.generation ?? 0,
    targetProgress: observation?.progress ?? '',
    controls: controlsKey(rollout),
  };
}

const APPLY_RETRY_MS = 5_000;
const CONFLICT_RETRY_MS = 200;

function withProblems(input: TickInput, problems: readonly string[]): TickInput {
  return { ...input, problems: [...input.problems, ...problems] };
}

/** Where this tick's asks are answered; its gates are waited for GATE_WAIT_MS in all, never past the tick's deadline. */
function askDeps(deps: TickDeps, deadline: number): AskDeps {
  const gatesUntil = Math.min(Date.now() + GATE_WAIT_MS, deadline);
  return {
    gates: deps.gates,
    gateWaitMs: () => gatesUntil - Date.now(),
    analyze: (rollout) => {
      const names = ownedNames(rollout);
      return deps.analyzer.analyze(rollout, { namespace: names.namespace, canary: names.target, primary: names.primary, service: names.service });
    },
    checkAlerts: async (rollout) => {
      const { ready, problems } = await checkAlerts(deps.alerts, rollout);
      return { ready: [...ready], problems: problems.map((p) => p.message) };
    },
  };
}

/** The objects `decision` would create or update that exist and belong to someone else, each with the fix. */
async function foreignObjects(deps: TickDeps, rollout: Rollout, decision: Decision): Promise<string[]> {
  const types = new Set([...(decision.safeRoutes ?? []), ...decision.actions].map((a) => a.type));
  const checks: Promise<string[]>[] = [];
  if (types.has('ensureObjects')) checks.push(deps.services.foreign(rollout), routerFor(deps.routers, rollout).foreign(rollout));
  if (types.has('ensurePrimary') || types.has('promotePrimary')) checks.push(deps.target.foreign(rollout));
  return (await Promise.all(checks)).flat();
}

/**
 * What decide() needs to start with: the spec's problems, the target and the
 * route as they are, and the references when they must resolve first. A
 * Rollout with problems is still observed, so its traffic can be put on the
 * primary.
 */
async function gather(deps: TickDeps, rollout: Rollout, log: Logger): Promise<{ input: TickInput; observation: TargetObservation | undefined }> {
  const controls = controlsOf(rollout, log);
  const problems = [...(await validationProblems(rollout, deps.readTemplate)), ...claimProblems(rollout, deps.rivals(rollout))];
  const observation = await observeTarget(deps, rollout, problems);
  const route = await routerFor(deps.routers, rollout).observe(rollout);
  const status = rollout.status ?? {};
  const base: TickInput = {
    controls,
    spec: rollout.spec,
    status,
    generation: rollout.metadata.generation ?? 0,
    deleting: Boolean(rollout.metadata.deletionTimestamp),
    hasFinalizer: hasFinalizer(rollout),
    problems,
    observed: {
      now: deps.clock(),
      revision: observation?.revision ?? status.lastAppliedSpec ?? '',
      canary: observation?.canary,
      primary: observation?.primary,
      ...(observation?.autoscaler ? { autoscaler: observation.autoscaler } : {}),
      routes: route.routes,
      foreign: [observation?.foreign, route.foreign].filter((f): f is string => f !== undefined),
    },
  };
  return { input: problems.length ? base : await withReferences(deps, rollout, base), observation };
}

/** The target as it is; what keeps it from being released goes to `problems`. */
async function observeTarget(deps: TickDeps, rollout: Rollout, problems: string[]): Promise<TargetObservation | undefined> {
  const names = ownedNames(rollout);
  try {
    const observation = await deps.target.observe(rollout);
    if (observation?.invalid) problems.push(observation.invalid);
    if (!observation) problems.push(`spec.targetRef.name: target ${rollout.spec.targetRef.kind} ${names.namespace}/${names.target} not found: create it or fix spec.targetRef`);
    return observation;
  } catch (err) {
    if (!(err instanceof TargetError)) throw err;
    problems.push(err.message);
    return undefined;
  }
}

/** The references resolved before anything moves: only on the ticks about to create objects or start traffic. */
async function withReferences(deps: TickDeps, rollout: Rollout, base: TickInput): Promise<TickInput> {
  if (!preflightDue(base)) return base;
  const unresolved = await unresolvedReferences(rollout, deps.references);
  return unresolved.length ? { ...base, unresolved } : base;
}

/** The manual actions the annotations ask for; an annotation that cannot be read is logged and ignored. */
function controlsOf(rollout: Rollout, log: Logger): Controls {
  const { controls, problems } = readControls(rollout);
  for (const problem of problems) log.warn(problem);
  return controls;
}

function hasFinalizer(rollout: Rollout): boolean {
  return (rollout.metadata.finalizers ?? []).includes(FINALIZER);
}
