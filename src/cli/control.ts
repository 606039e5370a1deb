import { readRollout, type Cli } from './context.js';
import { annotationOf, controlTarget, type ControlAction } from './control-rules.js';
import { CliError } from './errors.js';

/** The JSON value of a control annotation (docs/plugin.md, Manual control). */
export interface ControlRequest {
  readonly revision: string;
  readonly by: string;
  readonly at: string;
}

const DONE: Record<ControlAction, string> = {
  approve: 'approved; its manual gates open at the next tick',
  abort: 'abort requested; traffic goes back to the primary at the next tick',
  retry: 'retry requested; the release starts again from weight 0 at the next tick',
  promote: 'promote requested; its next check runs at the next tick, and a pass moves one step',
  promoteFull: 'full promotion requested; its analysis and remaining steps are skipped from the next tick',
};

/**
 * Writes the annotation of `action` for the revision in progress, signed with
 * the caller's name. RBAC decides: whoever may patch the Rollout may act.
 */
export async function requestControl(cli: Cli, action: ControlAction, name: string): Promise<void> {
  const rollout = await readRollout(cli, name);
  const target = controlTarget(action, rollout);
  if ('refusal' in target) throw new CliError(target.refusal);
  const request: ControlRequest = { revision: target.revision, by: await cli.whoami(), at: cli.now().toISOString() };
  await cli.rollouts.patch(cli.namespace, name, { metadata: { annotations: { [annotationOf(action)]: JSON.stringify(request) } } });
  cli.write(`${name}: revision ${request.revision} ${DONE[action]} (by ${request.by})\n`);
}
