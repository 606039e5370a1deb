import type { RolloutStatus } from '../../api/types.gen.js';
import { primaryNamed } from '../statefulset-pods.js';
import { abortOf } from '../controls.js';
import { ROUTE_SETTLE_MS, progressDeadline, secondsInState } from '../timing.js';
import { analysisSkipped, checkDue, recordPromote, skippedAnalysis } from './promote.js';
import { convergeActions, driftEvents, receivingTraffic, routesFirst } from '../routes.js';
import { judge } from './judge.js';
import { event, observedCanary, type Action, type Decision, type RolloutEvent, type TickInput } from '../model.js';
import { nextStatus, shortRevision, waitMessage } from '../status.js';
import { advance, failedCheck, promoteGated, rollback, waitForCanary } from './step.js';
import { ask, askFor, checkGates, hooksOf, mergeGates, recordAnswers, recordApproval } from '../gates.js';
import { nextPromotionWeight } from '../steps.js';
import { NO_CANARY_TRAFFIC } from '../strategies/index.js';
import { sameMessage } from '../fit.js';
import { checkEvidence } from '../evidence.js';
import { earlyPromotion } from '../judged.js';

export { rollback } from './step.js';

/**
 * A blue/green release without a mirror analyses its canary on its own host
 * (load and smoke tests) before any live traffic; a mirrored one once the
 * mirror runs.
 */
function analysedWithoutTraffic(spec: TickInput['spec']): boolean {
  return spec.strategy.blueGreen !== undefined && spec.strategy.blueGreen.mirror === undefined;
}

/**
 * Starts releasing the revision just observed, behind its confirm-rollout
 * gates: open, the canary scales up from weight 0 with fresh counters;
 * closed, the Rollout is Waiting with nothing scaled and no failed check.
 */
export function startRelease(input: TickInput, message: string, reason: string, extra: Partial<RolloutStatus> = {}): Decision {
  const gate = checkGates(input, 'confirm-rollout');
  if (gate.kind === 'ask') return ask(input, gate.names);
  const revision = input.observed.revision;
  const fresh: Partial<RolloutStatus> = {
    ...NO_CANARY_TRAFFIC,
    failedChecks: 0,
    iterations: 0,
    lastAppliedSpec: revision,
    analysis: [],
    releaseStartTime: input.observed.now.toISOString(),
    gates: mergeGates(input.spec, [], gate.results),
    ...extra,
  };
  if (!gate.open) {
    const waiting = `revision ${shortRevision(revision)} waits for confirm-rollout: ${gate.reason}`;
    const status = recordApproval(input, nextStatus(input, { ...fresh, phase: 'Waiting' }, waiting));
    const news = input.status.phase !== 'Waiting' || !sameMessage(input.status.message, waiting);
    return { status, actions: convergeActions(input, status, 'zero'), events: news ? [event('Waiting', waiting)] : [] };
  }
  const status = recordApproval(input, nextStatus(input, { ...fresh, phase: 'Progressing' }, message));
  return { status, actions: convergeActions(input, status, 'up'), events: [event(reason, message)] };
}

/** Progressing, Waiting or WaitingPromotion: every webhook answer asked for lands in status.gates. */
export function decideRelease(input: TickInput): Decision {
  return recordAnswers(input, recordPromote(input, releaseStep(input)));
}

/** Wait for the canary, judge the analysis, then step, mirror or promote, each behind its gates. */
function releaseStep(input: TickInput): Decision {
  const { status: prev, observed } = input;
  if (observed.revision !== prev.lastAppliedSpec) {
    return startRelease(input, `newer revision ${shortRevision(observed.revision)} arrived mid-release: restarting from weight 0`, 'RevisionChanged');
  }
  const drift = driftEvents(input);
  const stop = stopRequested(input, drift);
  if (stop) return stop;
  const canary = observedCanary(input);
  if (prev.phase === 'Waiting') return startRelease(input, `revision ${shortRevision(observed.revision)} confirmed: starting the release`, 'Confirmed');
  if (!canary.ready || canary.replicas === 0) return waitForCanary(input, drift);
  if (!receivingTraffic(prev)) {
    const before = beforeTraffic(input);
    if (before) return withDrift(before, drift);
  }
  const skipped = skippedAnalysis(input);
  if (skipped) return withDrift(skipped, drift);

  if (!checkDue(input)) {
    // An early tick (an informer event, a resync). An approval may have opened confirm-promotion meanwhile.
    if (prev.phase === 'WaitingPromotion') return withDrift(promoteGated(input, `confirm-promotion opened at canary weight ${prev.canaryWeight ?? 0}: promoting`, {}), drift);
    return hold(input, drift);
  }
  if (drift.length) return restoreRoutesFirst(input, drift);
  return check(input, drift);
}

/**
 * A due check that finds the routes elsewhere than the status says (the
 * controller stopped between its status write and the routes', or someone
 * edited them): the check would judge an interval the weight never had. The
 * routes are restored and the check waits a whole interval of them, so no
 * step is passed without its traffic. (Failing metrics still roll back
 * first: stopRequested() runs before this.)
 */
function restoreRoutesFirst(input: TickInput, drift: RolloutEvent[]): Decision {
  const message = `routes restored to canary weight ${input.status.canaryWeight ?? 0}: its check waits an interval of them`;
  const status = nextStatus(input, { lastAnalysisTime: input.observed.now.toISOString() }, message);
  return { status, actions: convergeActions(input, status, 'up'), events: drift };
}

/** A due check: failed, counted; passed, the next step; a webhook not answered yet, held. */
function check(input: TickInput, drift: RolloutEvent[]): Decision {
  const judged = judge(input);
  if (judged.kind === 'asks') return judged.decision;
  if (judged.kind === 'pending') return holdFor(input, `check waits for its webhooks: ${judged.reason}`, drift);
  const { verdict } = judged;
  const evidence = checkEvidence(input, verdict.results);
  if (!verdict.passed) return failedCheck(input, verdict.reason, evidence, drift);
  const early = earlyPromotion(input.spec, verdict.results);
  if (early) return withDrift(promoteGated(input, early, evidence), drift);
  return withDrift(advance(input, evidence), drift);
}

/**
 * What stops a release before anything else, in this order, each without
 * waiting for a webhook it does not need: an abort annotation; a due check
 * whose metrics fail (rolled back from at the threshold); a rollback webhook
 * answering 2xx.
 */
function stopRequested(input: TickInput, drift: RolloutEvent[]): Decision | undefined {
  const abort = abortOf(input);
  if (abort) return rollback(input, `aborted by ${abort.by} at ${abort.at}`, { abort });
  return urgentCheck(input, drift) ?? rollbackRequested(input);
}

function withDrift(decision: Decision, drift: RolloutEvent[]): Decision {
  return decision.asks || drift.length === 0 ? decision : { ...decision, events: [...drift, ...decision.events] };
}

/** No change, but drifted routes are repaired. */
function hold(input: TickInput, drift: RolloutEvent[]): Decision {
  return holdFor(input, input.status.message ?? '', drift);
}

/** No change but the message (an Event when it is news); drifted routes are repaired. */
function holdFor(input: TickInput, message: string, drift: RolloutEvent[]): Decision {
  const status = nextStatus(input, {}, message);
  const news = !sameMessage(input.status.message ?? '', message);
  return { status, actions: convergeActions(input, status, 'up'), events: news ? [...drift, event('WaitingForWebhooks', message)] : drift };
}

/**
 * A due check of a canary under live traffic whose metrics fail: counted
 * (and rolled back from at the threshold) before any webhook is asked, so
 * that rollback never waits for one. Undefined otherwise; the check then
 * runs in order, with its webhooks.
 */
function urgentCheck(input: TickInput, drift: RolloutEvent[]): Decision | undefined {
  const canary = observedCanary(input);
  if (!receivingTraffic(input.status) || analysisSkipped(input) || !canary.ready || canary.replicas === 0 || !checkDue(input)) return undefined;
  const { verdict } = input;
  if (!verdict) return askFor(input, [{ kind: 'analysis' }]);
  if (verdict.passed) return undefined;
  return failedCheck(input, verdict.reason, checkEvidence(input, verdict.results), drift);
}

/** A rollback webhook answering 2xx rolls back now; one that has not answered yet asks for nothing. */
function rollbackRequested(input: TickInput): Decision | undefined {
  const hooks = checkGates(input, 'rollback');
  if (hooks.kind === 'ask') return ask(input, hooks.names);
  return hooks.anyOpen ? rollback(input, hooks.reason) : undefined;
}

/**
 * The canary is ready and gets no traffic yet: pre-rollout webhooks first
 * (until each said yes once), then the first step (a mirror, for blue/green
 * with one). Blue/green without a mirror takes no step without a passed
 * analysis: undefined sends it on to the verdict.
 */
function beforeTraffic(input: TickInput): Decision | undefined {
  const now = input.observed.now.toISOString();
  const passed = new Set((input.status.gates ?? []).filter((g) => g.type === 'pre-rollout' && g.open).map((g) => g.name));
  const pending = hooksOf(input.spec, 'pre-rollout').some((h) => !passed.has(h.name));
  if (pending) {
    // A failed pre-rollout is retried one interval later, like a failed check.
    if (!checkDue(input)) return hold(input, []);
    const pre = checkGates(input, 'pre-rollout', (h) => !passed.has(h.name));
    if (pre.kind === 'ask') return ask(input, pre.names);
    // Not answered yet is not a no: the canary waits, and the hooks are asked again next tick.
    if (pre.onlyPending) return holdFor(input, `waiting for pre-rollout webhooks: ${pre.reason}`, []);
    if (!pre.open) return failedCheck(input, pre.reason, { lastAnalysisTime: now }, []);
  }
  const skipped = skippedAnalysis(input);
  if (skipped) return skipped;
  if (analysedWithoutTraffic(input.spec)) return undefined;
  return advance(input, { lastAnalysisTime: now });
}

/** Promoting: the primary takes the canary's template; once ready, traffic shifts back to it. */
export function decidePromoting(input: TickInput): Decision {
  const { spec, status: prev, observed } = input;
  if (observed.revision !== prev.lastAppliedSpec) {
    return startRelease(input, `newer revision ${shortRevision(observed.revision)} arrived during promotion: restarting from weight 0`, 'RevisionChanged');
  }
  const revision = prev.lastAppliedSpec ?? observed.revision;
  const primary = observed.primary;
  if (!primary?.ready || primary.revision !== revision) return awaitPrimary(input, revision);
  const canaryWeight = nextPromotionWeight(spec.strategy.canary?.stepWeightPromotion, prev.canaryWeight ?? 0);
  if (canaryWeight === 0) return succeed(input);
  const message = `${primaryNamed(spec)} runs revision ${shortRevision(revision)}: shifting traffic back to it (canary weight ${canaryWeight})`;
  const status = nextStatus(input, { phase: 'Finalising', canaryWeight, mirrorWeight: 0, matchRouting: false }, message);
  return { status, actions: convergeActions(input, status, 'up'), events: [...driftEvents(input), event('Finalising', message)] };
}

/** The primary is rolling out the revision (promoted again if its template is not it yet), until the progress deadline. */
function awaitPrimary(input: TickInput, revision: string): Decision {
  const { spec, observed } = input;
  const primaryDeployment = primaryNamed(spec);
  const primary = observed.primary;
  const deadline = progressDeadline(spec);
  if (secondsInState(input) > deadline) return rollback(input, `${primaryDeployment} not ready within ${deadline}s during promotion (${primary?.message ?? 'missing'})`);
  const promoteAction: Action[] = primary?.revision === revision ? [] : [{ type: 'promotePrimary', revision }];
  const status = nextStatus(input, {}, waitMessage(input, 'Promoting', `waiting for ${primaryDeployment} to roll out revision ${shortRevision(revision)}: ${primary?.message || 'updating'}`, primary));
  return { status, actions: [...convergeActions(input, status, 'up'), ...promoteAction], events: driftEvents(input) };
}

/** Finalising: a gradual shift back (stepWeightPromotion), one step per interval, until the primary serves 100%. */
export function decideFinalising(input: TickInput): Decision {
  const { spec, status: prev } = input;
  const canaryWeight = nextPromotionWeight(spec.strategy.canary?.stepWeightPromotion, prev.canaryWeight ?? 0);
  if (canaryWeight === 0) return succeed(input);
  const status = nextStatus(input, { canaryWeight }, `shifting traffic back to the primary: canary weight ${canaryWeight}`);
  return { status, actions: convergeActions(input, status, 'up'), events: driftEvents(input) };
}

/**
 * The primary serves 100% from this tick on: the release is Succeeded in
 * one write. The canary keeps its replicas until the routes have reached
 * the proxies (ROUTE_SETTLE_MS, not an analysis interval): the next tick,
 * idle, scales it to zero.
 */
function succeed(input: TickInput): Decision {
  const revision = input.status.lastAppliedSpec ?? '';
  const message = `promotion of revision ${shortRevision(revision)} complete: ${primaryNamed(input.spec)} serves 100%`;
  const status = nextStatus(input, { phase: 'Succeeded', ...NO_CANARY_TRAFFIC, lastPromotedSpec: revision }, message);
  return { status, ...routesFirst(convergeActions(input, status, 'up')), events: [...driftEvents(input), event('Succeeded', message)], nextTickMs: ROUTE_SETTLE_MS };
}
