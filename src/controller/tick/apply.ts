import type { Rollout } from '../../api/types.gen.js';
import type { Action } from '../../domain/model.js';
import { FINALIZER } from '../../api/names.js';
import { Conflict, type RolloutClient } from '../../kube/rollouts.js';
import { routerFor, type Routers } from '../../router/router.js';
import type { ServiceRouter } from '../../router/services.js';
import type { Target, TargetObservation } from '../../workload/target.js';

export interface ApplyDeps {
  readonly rollouts: RolloutClient;
  readonly target: Target;
  readonly routers: Routers;
  readonly services: ServiceRouter;
}

/** Carries out a decision's actions in order; each one is idempotent. */
export async function applyActions(deps: ApplyDeps, rollout: Rollout, actions: readonly Action[], observation: TargetObservation | undefined): Promise<void> {
  for (const action of actions) await applyAction(deps, rollout, action, observation);
}

async function applyAction(deps: ApplyDeps, rollout: Rollout, action: Action, observation: TargetObservation | undefined): Promise<void> {
  switch (action.type) {
    case 'ensurePrimary':
      await deps.target.ensurePrimary(rollout, observed(observation).revision, action.replicas);
      return;
    case 'ensureObjects':
      await deps.services.ensure(rollout, observed(observation).selectors);
      await routerFor(deps.routers, rollout).ensure(rollout, action.routes);
      return;
    case 'setRoutes':
      await routerFor(deps.routers, rollout).setRoutes(rollout, action.routes);
      return;
    case 'scaleCanary':
      await deps.target.scaleCanary(rollout, action.replicas);
      return;
    case 'syncAutoscaler':
      await deps.target.syncAutoscaler(rollout);
      return;
    case 'promotePrimary':
      await deps.target.promote(rollout, action.revision);
      return;
    case 'revert':
      await deps.services.revert(rollout, observed(observation).label);
      await routerFor(deps.routers, rollout).release(rollout);
      return;
    case 'keepStable':
      await routerFor(deps.routers, rollout).release(rollout);
      await deps.target.releasePrimary(rollout);
      await deps.services.releasePrimary(rollout);
      return;
    case 'recreateCanaryPod':
      await deps.target.recreateCanaryPod(rollout);
      return;
    case 'removeFinalizer': {
      const finalizers = rollout.metadata.finalizers ?? [];
      if (!finalizers.includes(FINALIZER)) return;
      const result = await deps.rollouts.setFinalizers(rollout, finalizers.filter((f) => f !== FINALIZER));
      if (result === Conflict) throw new Error('the Rollout changed while its finalizer was being removed; retrying');
      return;
    }
  }
}

/** The target as observed; decide() asks for actions on it only when it was observed. */
function observed(observation: TargetObservation | undefined): TargetObservation {
  if (!observation) throw new Error('internal: an action needs the target, which was not observed');
  return observation;
}
