import type { V1Deployment } from '@kubernetes/client-node';
import type { Rollout } from '../api/types.gen.js';
import { isConflict, isNotFound } from '../kube/errors.js';
import type { Cli } from './context.js';
import { CliError } from './errors.js';

/** Replaces tried before giving up on conflicts (the kubelet, the Deployment controller and flowshift's scaling write it too). */
const CONFLICT_ATTEMPTS = 3;

export async function readTarget(cli: Cli, rollout: Rollout): Promise<V1Deployment> {
  const { name, kind } = rollout.spec.targetRef;
  if (kind !== 'Deployment') {
    throw new CliError(`rollout ${rollout.metadata.name ?? ''} releases ${kind} ${name}: set image and undo change Deployment targets only for now (use kubectl set image ${kind.toLowerCase()}/${name})`);
  }
  try {
    return await cli.clients.apps.readNamespacedDeployment({ name, namespace: cli.namespace });
  } catch (err) {
    if (isNotFound(err)) throw new CliError(`the target of rollout ${rollout.metadata.name ?? ''}, Deployment ${name}, is not found in namespace ${cli.namespace}`);
    throw err;
  }
}

/**
 * Changes the Rollout's target Deployment, the user's own object, with the
 * user's credentials (their RBAC on deployments decides), as `kubectl set
 * image` would. A full replace carrying the resourceVersion it read, so a
 * change made meanwhile is never overwritten: on a conflict the Deployment
 * is read again and `change` applied again. `change` refuses by throwing,
 * and returns false when the target already is as asked: nothing is written
 * then, and undefined returned.
 */
export async function changeTarget(cli: Cli, rollout: Rollout, change: (target: V1Deployment) => boolean): Promise<V1Deployment | undefined> {
  for (let attempt = 1; ; attempt++) {
    const target = await readTarget(cli, rollout);
    if (!change(target)) return undefined;
    try {
      return await cli.clients.apps.replaceNamespacedDeployment({ name: rollout.spec.targetRef.name, namespace: cli.namespace, body: target });
    } catch (err) {
      if (!isConflict(err) || attempt === CONFLICT_ATTEMPTS) throw err;
    }
  }
}
