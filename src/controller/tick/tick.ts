import type { Logger } from 'pino';
import type { AnalysisVerdict } from '../../domain/model.js';
import type { Analyzer } from '../../analysis/analyzer.js';
import type { Rollout, RolloutStatus } from '../../api/types.gen.js';
import { decide, decideDependencyError, needsAnalysis, preflightDue } from '../../domain/decide/decide.js';
import { idleUntilChange } from '../../domain/decide/idle.js';
import { DEPENDENCY_ERROR } from '../../domain/status.js';
import { analysisIntervalMs } from '../../domain/timing.js';
import type { Decision, TickInput } from '../../domain/model.js';
import { apiMessage } from '../../kube/errors.js';
import { sameJson } from '../../kube/same-json.js';
import { FINALIZER, ownedNames, rolloutKey } from '../../kube/names.js';
import { OwnershipError } from '../../kube/ownership.js';
import { Conflict, type RolloutClient } from '../../kube/rollouts.js';
import { routerFor, type Routers } from '../../router/router.js';
import type { ServiceRouter } from '../../router/services.js';
import { TargetError, type Target, type TargetObservation } from '../../workload/target.js';
import type { Controls } from '../../domain/controls.js';
import type { GateAsker } from '../../gates/asker.js';
import { applyActions } from './apply.js';
import { controlsKey, readControls } from './control-annotations.js';
import { decideWithGates } from './ask-gates.js';
import { unresolvedReferences, type ReferenceSources } from '../../checks/references.js';
import type { EventRecorder } from '../../notifier/kube-events.js';
import { claimProblems, validationProblems, type ReadTemplate } from '../../checks/spec.js';

export interface TickDeps {
  readonly rollouts: RolloutClient;
  /** The tick's read of its Rollout: the informer's copy when it has one (see RolloutReads). */
  readonly readRollout: (namespace: string, name: string, uid?: string) => Promise<Rollout | undefined>;
  readonly target: Target;
  readonly routers: Routers;
  readonly services: ServiceRouter;
  readonly analyzer: Analyzer;
  readonly gates: GateAsker;
  readonly readTemplate: ReadTemplate;
  /** Where the preflight resolves a Rollout's references before anything moves. */
  readonly references: ReferenceSources;
  readonly events: EventRecorder;
  /** The Rollouts of its namespace claiming the same Deployment or service name, as the informer holds them. */
  readonly rivals: (rollout: Rollout) => readonly Rollout[];
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
 * One reconcile of one Rollout: read it (from the informer), observe, analyse
 * when due, decide, write the status (guarded by resourceVersion), then carry
 * out the actions. A tick that loses the status write changes nothing.
 */
export async function tick(deps: TickDeps, namespace: string, name: string, uid?: string): Promise<TickOutcome> {
  const fresh = await deps.readRollout(namespace, name, uid);
  if (!fresh || (uid && fresh.metadata.uid !== uid)) return { kind: 'gone' };
  const log = deps.log.child({ rollout: rolloutKey(fresh) });
  const rollout = await syncFinalizer(deps, fresh);
  if (rollout === Conflict) return { kind: 'retry', retryMs: 200 };
  const nextMs = analysisIntervalMs(rollout.spec);
  const gathered = await gather(deps, rollout, log);
  const { observation } = gathered;
  // The webhooks decide() names are asked before anything is written.
  let { input, decision } = await decideWithGates(deps.gates, rollout, gathered.input);
  // Objects the decision would write must be this Rollout's: checked before anything is written.
  const foreign = await foreignObjects(deps, rollout, decision);
  if (foreign.length) {
    input = { ...input, problems: [...input.problems, ...foreign] };
    ({ input, decision } = await decideWithGates(deps.gates, rollout, input));
  }
  const outcome = await commit(deps, rollout, input, decision, observation, log);
  if (outcome.kind !== 'done') return outcome;
  if (input.deleting && input.problems.length) return { kind: 'gone' };
  const idle = !outcome.wrote && !decision.actions.length && !decision.safeRoutes?.length && !decision.events.length && rollout === fresh;
  return { ...done(rollout, decision, observation, nextMs), rests: idle && idleUntilChange(input, decision) };
}

function done(rollout: Rollout, decision: Decision, observation: TargetObservation | undefined, nextMs: number): Extract<TickOutcome, { kind: 'done' }> {
  // Objects created while initializing are observed at once, not an interval later.
  const creating = decision.status.phase === 'Initializing' && decision.actions.some((a) => a.type === 'ensureObjects');
  return {
    kind: 'done',
    nextMs: creating ? 0 : nextMs,
    generation: rollout.metadata.generation ?? 0,
    targetGeneration: observation?.generation ?? 0,
    targetProgress: observation?.progress ?? '',
    controls: controlsKey(rollout),
  };
}

/** `wrote`: the status changed (a write won). */
type Committed = { readonly kind: 'done'; readonly wrote: boolean } | Exclude<TickOutcome, { kind: 'done' }>;

/**
 * Writes the decision's status (guarded), carries out its actions, records
 * its events. An action refused because the object belongs to someone else
 * becomes a problem decide() sees at once; any other refusal is a dependency
 * error, retried and, past the progress deadline, rolled back from.
 */
async function commit(deps: TickDeps, rollout: Rollout, input: TickInput, decision: Decision, observation: TargetObservation | undefined, log: Logger): Promise<Committed> {
  const checkedAt = Date.now();
  const first = decision.safeRoutes ?? [];
  const [written, routedAt] = await Promise.all([
    writeStatus(deps, rollout, decision.status),
    applyActions(deps, rollout, first, observation).then(() => Date.now()),
  ]);
  if (written === Conflict) {
    log.debug('status changed meanwhile: tick dropped');
    return { kind: 'retry', retryMs: 200 };
  }
  try {
    await applyActions(deps, written, decision.actions, observation);
  } catch (err) {
    const next: TickInput = { ...input, status: written.status ?? {} };
    if (err instanceof OwnershipError) {
      // Someone created the object since the check: the same answer as the check's.
      const blocked = { ...next, problems: [...input.problems, err.message] };
      const again = await commit(deps, written, blocked, decide(blocked), observation, log);
      return again.kind === 'done' ? { kind: 'done', wrote: again.wrote || written !== rollout } : again;
    }
    log.warn({ err }, 'apply failed');
    const failed = await commit(deps, written, next, decideDependencyError(next, apiMessage(err)), observation, log);
    return failed.kind === 'done' ? { kind: 'retry', retryMs: APPLY_RETRY_MS } : failed;
  }
  if (first.length) log.info({ rollbackMs: routedAt - checkedAt, reason: decision.status.message }, 'routes to the primary rewritten');
  for (const event of decision.events) await deps.events.record(written, event);
  await deps.transitions?.(rollout, written, decision.events);
  logDecision(log, input, decision);
  const cleared = await clearDependencyError(deps, written);
  return cleared.kind === 'done' ? { kind: 'done', wrote: written !== rollout || cleared.wrote } : cleared;
}

const APPLY_RETRY_MS = 5_000;

/** The objects `decision` would create or update that exist and belong to someone else, each with the fix. */
async function foreignObjects(deps: TickDeps, rollout: Rollout, decision: Decision): Promise<string[]> {
  const types = new Set([...(decision.safeRoutes ?? []), ...decision.actions].map((a) => a.type));
  const checks: Promise<string[]>[] = [];
  if (types.has('ensureObjects')) checks.push(deps.services.foreign(rollout), routerFor(deps.routers, rollout).foreign(rollout));
  if (types.has('ensurePrimary') || types.has('promotePrimary')) checks.push(deps.target.foreign(rollout));
  return (await Promise.all(checks)).flat();
}

/** A tick whose actions all went through ends a dependency error on record. */
async function clearDependencyError(deps: TickDeps, rollout: Rollout): Promise<Committed> {
  const conditions = rollout.status?.conditions ?? [];
  if (!conditions.some((c) => c.type === DEPENDENCY_ERROR)) return { kind: 'done', wrote: false };
  const written = await deps.rollouts.writeStatus(rollout, { ...rollout.status, conditions: conditions.filter((c) => c.type !== DEPENDENCY_ERROR) });
  return written === Conflict ? { kind: 'retry', retryMs: 200 } : { kind: 'done', wrote: true };
}

/**
 * Everything decide() needs: the spec's problems, the target and the route
 * as they are, and an analysis verdict when one is due. A Rollout with
 * problems is still observed, so its traffic can be put on the primary.
 */
async function gather(deps: TickDeps, rollout: Rollout, log: Logger): Promise<{ input: TickInput; observation: TargetObservation | undefined }> {
  const controls = controlsOf(rollout, log);
  const names = ownedNames(rollout);
  const problems = [...(await validationProblems(rollout, deps.readTemplate)), ...claimProblems(rollout, deps.rivals(rollout))];
  let observation: TargetObservation | undefined;
  try {
    observation = await deps.target.observe(rollout);
    if (!observation) problems.push(`spec.targetRef.name: target Deployment ${names.namespace}/${names.target} not found: create it or fix spec.targetRef.name`);
  } catch (err) {
    if (!(err instanceof TargetError)) throw err;
    problems.push(err.message);
  }
  const route = await routerFor(deps.routers, rollout).observe(rollout);
  const status = rollout.status ?? {};
  const base: TickInput = {
    controls,
    spec: rollout.spec,
    status,
    generation: rollout.metadata.generation ?? 0,
    deleting: Boolean(rollout.metadata.deletionTimestamp),
    problems,
    observed: {
      now: deps.clock(),
      revision: observation?.revision ?? status.lastAppliedSpec ?? '',
      canary: observation?.canary ?? { ready: false, stalled: true, message: 'the target Deployment does not exist', replicas: 0 },
      primary: observation?.primary,
      routes: route.routes,
      foreign: [observation?.foreign, route.foreign].filter((f): f is string => f !== undefined),
    },
  };
  return { input: problems.length ? base : await preflightAndVerdict(deps, rollout, base), observation };
}

/** The references resolved before anything moves, then an analysis verdict when one is due. */
async function preflightAndVerdict(deps: TickDeps, rollout: Rollout, base: TickInput): Promise<TickInput> {
  // Resolved only on the ticks that are about to create objects or start traffic.
  const unresolved = preflightDue(base) ? await unresolvedReferences(rollout, deps.references) : [];
  if (unresolved.length) return { ...base, unresolved };
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

/** The manual actions the annotations ask for; an annotation that cannot be read is logged and ignored. */
function controlsOf(rollout: Rollout, log: Logger): Controls {
  const { controls, problems } = readControls(rollout);
  for (const problem of problems) log.warn(problem);
  return controls;
}

async function writeStatus(deps: TickDeps, rollout: Rollout, status: RolloutStatus): Promise<Rollout | typeof Conflict> {
  if (sameJson(status, rollout.status ?? {})) return rollout;
  return deps.rollouts.writeStatus(rollout, status);
}

/** revertOnDeletion and an adopted route need a finalizer, so the Rollout can hand traffic back before it goes. */
async function syncFinalizer(deps: TickDeps, rollout: Rollout): Promise<Rollout | typeof Conflict> {
  if (rollout.metadata.deletionTimestamp) return rollout;
  const finalizers = rollout.metadata.finalizers ?? [];
  const has = finalizers.includes(FINALIZER);
  const wants = rollout.spec.revertOnDeletion === true || rollout.spec.service.virtualServiceRef !== undefined;
  if (has === wants) return rollout;
  return deps.rollouts.setFinalizers(rollout, wants ? [...finalizers, FINALIZER] : finalizers.filter((f) => f !== FINALIZER));
}

function logDecision(log: Logger, input: TickInput, decision: Decision): void {
  const from = input.status.phase;
  const to = decision.status.phase;
  const fields = { phase: to, canaryWeight: decision.status.canaryWeight, actions: decision.actions.map((a) => a.type) };
  if (from !== to || decision.actions.length || decision.events.length) log.info(fields, decision.status.message ?? '');
  else log.debug(fields, 'no change');
}
