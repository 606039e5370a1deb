import { canaryReplicas, convergeActions, driftEvents, routesOf, sameRoutes } from '../routes.js';
import { event, observedCanary, type Action, type Decision, type TickInput } from '../model.js';
import { nextStatus, shortRevision, waitMessage } from '../status.js';
import { retryOf } from '../controls.js';
import { decideFinalising, decidePromoting, decideRelease, startRelease } from './release.js';
import { decidePreflight } from './preflight.js';
import { decideBlocked, decideDependencyError, decideStatusRefused } from './safety.js';
import { finish, fitted, withHooks } from './finish.js';
import { NO_CANARY_TRAFFIC } from '../strategies/index.js';
import { primaryReplicas, withAutoscalerSync } from '../autoscaling.js';
import { canaryAtRest, podsFollowWeight, primaryNamed, withStrandedPods } from '../statefulset-pods.js';

export { preflightDue } from './preflight.js';

/**
 * The state machine of a Rollout: pure, no I/O. Given the spec, the last
 * status and what this tick observed, it returns everything the tick does:
 * the next status, the finalizer, the actions that make the world match it,
 * the Events and the webhooks to tell, or what it must know first (asks).
 */
export function decide(input: TickInput): Decision {
  return finish(input, decidePhase(input));
}

/**
 * The API server refused to carry out `input`'s decision (`problem` says
 * why): the status to write instead. Retried every tick; past the progress
 * deadline of a release, rolled back from.
 */
export function decideApplyFailure(input: TickInput, problem: string): Decision {
  return fitted(input, withHooks(input, decideDependencyError(input, problem)));
}

/** The API server refused the decided status for good (422, `problem` says why): the status to write instead. */
export function decideRefusedStatus(input: TickInput, problem: string): Decision {
  return fitted(input, decideStatusRefused(input, problem));
}

function decidePhase(input: TickInput): Decision {
  const held = decideHeld(input);
  if (held) return held;
  return withStrandedPods(input, withAutoscalerSync(input, decideActing(input)));
}

/** A Rollout that can be acted on, by its phase. */
function decideActing(input: TickInput): Decision {
  const withSpecChange = (d: Decision): Decision => ensureObjectsWhenNeeded(input, d);
  const phase = input.status.phase;
  switch (phase) {
    case undefined:
    case 'Initializing':
      return decideInitializing(input);
    case 'Initialized':
    case 'Succeeded':
    case 'Failed':
      return withSpecChange(decideEnded(input));
    case 'Waiting':
    case 'Progressing':
    case 'WaitingPromotion':
      return withSpecChange(decideRelease(input));
    case 'Promoting':
      return withSpecChange(decidePromoting(input));
    case 'Finalising':
      return withSpecChange(decideFinalising(input));
    case 'Terminating':
    case 'Terminated':
      // The deletion was cancelled (the finalizer is gone or never set): start over.
      return decideInitializing(input);
    default:
      return unknownPhase(phase);
  }
}

/** Deletion, a Rollout that cannot be acted on, and suspension come before any phase. */
function decideHeld(input: TickInput): Decision | undefined {
  if (input.deleting) return decideDeletion(input);
  // Safety before suspend: a suspended Rollout still never leaves traffic on a canary it cannot steer.
  const problems = [...input.problems, ...input.observed.foreign];
  if (problems.length) return decideBlocked(input, problems);
  if (input.spec.suspend) {
    return { status: nextStatus(input, {}, 'suspended: spec.suspend is true, no changes are made'), actions: [], events: [] };
  }
  return decidePreflight(input);
}

function unknownPhase(phase: never): never {
  throw new Error(`unknown phase ${String(phase)}`);
}

/**
 * Creates the primary and waits for it to be ready; only then the services,
 * DestinationRules and VirtualService, so clients are never sent to a
 * primary that cannot serve yet. Initialized once the route exists.
 */
function decideInitializing(input: TickInput): Decision {
  const { observed, spec } = input;
  const primaryDeployment = primaryNamed(spec);
  const primary = observed.primary;
  if (!primary || !primary.ready || primary.revision !== observed.revision) {
    const why = primary ? primary.message || 'its template is being updated' : 'it is being created';
    const status = nextStatus(input, { phase: 'Initializing', canaryWeight: 0, mirrorWeight: 0 }, waitMessage(input, 'Initializing', `waiting for ${primaryDeployment} to be ready: ${why}`, primary));
    // The primary is created as large as the target (primaryReplicas); one that exists takes the target's template while initializing.
    const actions: Action[] = !primary
      ? [{ type: 'ensurePrimary', replicas: primaryReplicas(input) }]
      : primary.revision === observed.revision
        ? []
        : [{ type: 'promotePrimary', revision: observed.revision }];
    return { status, actions, events: input.status.phase === 'Initializing' ? [] : [event('Initializing', `creating ${primaryDeployment}`)] };
  }
  const ensure: Action = { type: 'ensureObjects', routes: { primary: 100, canary: 0, mirror: 0 } };
  // Initialized once the route sends everything to the primary (an adopted route may still point elsewhere).
  if (!observed.routes || !sameRoutes(observed.routes, ensure.routes)) {
    const status = nextStatus(input, { phase: 'Initializing', canaryWeight: 0, mirrorWeight: 0 }, `${primaryDeployment} is ready: creating its services and routes`);
    return { status, actions: [ensure], events: [] };
  }
  const message = `initialized: ${primaryDeployment} serves 100% of traffic, ${canaryAtRest(spec)}`;
  const status = nextStatus(
    input,
    { phase: 'Initialized', ...NO_CANARY_TRAFFIC, failedChecks: 0, iterations: 0, lastAppliedSpec: observed.revision, lastPromotedSpec: observed.revision },
    message,
  );
  return { status, actions: [ensure, ...convergeActions(input, status, 'zero')], events: [event('Initialized', message)] };
}

/**
 * Initialized, Succeeded or Failed: a retry releases the failed revision
 * again; otherwise the Rollout waits for a new revision, routes at the primary.
 * (A release's post-rollout webhooks were told as it ended: see finish.ts.)
 */
function decideEnded(input: TickInput): Decision {
  const retry = retryOf(input);
  if (!retry) return decideIdle(input);
  return startRelease(input, `retry of revision ${shortRevision(retry.revision)} asked by ${retry.by} at ${retry.at}: releasing it again from weight 0`, 'Retry', { retry });
}

/** No retry: waits for a new revision, keeps routes at the primary. */
function decideIdle(input: TickInput): Decision {
  const { observed, status: prev } = input;
  if (observed.revision !== prev.lastAppliedSpec) {
    if (observed.revision === prev.lastPromotedSpec) {
      const message = `revision ${shortRevision(observed.revision)} is the promoted one: nothing to release`;
      const status = nextStatus(input, { lastAppliedSpec: observed.revision }, message);
      return { status, actions: convergeActions(input, status, 'zero'), events: [event('RevisionReverted', message)] };
    }
    return startRelease(input, `new revision ${shortRevision(observed.revision)} detected: starting the release`, 'NewRevision');
  }
  const status = nextStatus(input, NO_CANARY_TRAFFIC, prev.message ?? '');
  return { status, actions: convergeActions(input, status, 'zero'), events: driftEvents(input) };
}

/** On deletion: hand traffic back to the user's Deployment (revertOnDeletion), or leave an adopted route on the stable version. */
function decideDeletion(input: TickInput): Decision {
  const { spec } = input;
  const target = spec.targetRef.name;
  // Never hold a deletion hostage to a spec problem: there is nothing safe to hand traffic back to.
  if (input.problems.length) return { status: input.status, actions: [{ type: 'removeFinalizer' }], events: [] };
  if (!spec.revertOnDeletion) {
    if (!spec.service.virtualServiceRef) return { status: input.status, actions: [{ type: 'removeFinalizer' }], events: [] };
    // An adopted route outlives the Rollout: it keeps the stable version, which the Rollout lets go of.
    const message = `released: VirtualService ${spec.service.virtualServiceRef.name} routes 100% to ${primaryNamed(spec)}, which now outlives the Rollout`;
    const status = nextStatus(input, { phase: 'Terminated', ...NO_CANARY_TRAFFIC }, message);
    return { status, actions: [{ type: 'keepStable' }, { type: 'removeFinalizer' }], events: [event('Terminated', message)] };
  }
  const canary = observedCanary(input);
  const terminating = nextStatus(input, { phase: 'Terminating' }, `waiting for ${target} to be ready before handing traffic back to it`);
  // A StatefulSet is handed back with its partition at 0, all its pods on the revision its template says.
  const wake = podsFollowWeight(spec) ? canary.replicas < canaryReplicas(input, terminating) : canary.replicas === 0;
  if (wake || !canary.ready) {
    const status = terminating;
    const actions: Action[] = wake ? [{ type: 'scaleCanary', replicas: canaryReplicas(input, status) }] : [];
    return { status, actions, events: input.status.phase === 'Terminating' ? [] : [event('Terminating', status.message ?? '')] };
  }
  const message = `reverted: service ${spec.service.name ?? target} selects ${target} again and the routes are released`;
  const status = nextStatus(input, { phase: 'Terminated', canaryWeight: 0, mirrorWeight: 0 }, message);
  return { status, actions: [{ type: 'revert' }, { type: 'removeFinalizer' }], events: [event('Terminated', message)] };
}

/**
 * A spec change (hosts, match, timeout, …) is carried to the generated
 * objects, and a route that is missing (deleted, or never created because a
 * name was taken) is created again.
 */
function ensureObjectsWhenNeeded(input: TickInput, decision: Decision): Decision {
  if (input.status.observedGeneration === input.generation && input.observed.routes) return decision;
  const ensure: Action = { type: 'ensureObjects', routes: routesOf(decision.status) };
  return { ...decision, actions: [ensure, ...decision.actions.filter((a) => a.type !== 'setRoutes')] };
}
