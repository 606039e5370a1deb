import type { V1Container, V1Deployment } from '@kubernetes/client-node';
import { readRollout, type Cli } from './context.js';
import { CliError } from './errors.js';
import { changeTarget } from './target.js';

/** One `container=image` argument. */
export interface ImageAssignment {
  readonly container: string;
  readonly image: string;
}

/** `container=image` arguments as typed; a malformed one is refused by itself, before anything is read. */
export function parseAssignments(args: readonly string[]): ImageAssignment[] {
  if (args.length === 0) throw new CliError('name at least one container=image', 2);
  return args.map((arg) => {
    const at = arg.indexOf('=');
    const container = arg.slice(0, at);
    const image = arg.slice(at + 1);
    if (at <= 0 || !image) throw new CliError(`"${arg}" is not container=image (e.g. podinfo=ghcr.io/stefanprodan/podinfo:6.7.0)`, 2);
    return { container, image };
  });
}

/**
 * Sets the images of containers (and init containers) of the target's pod
 * template. The target is the canary: the change starts a release, exactly
 * as `kubectl set image deployment/<target>` would. An unknown container
 * name is refused by name, with the names there are, and nothing is written.
 * Returns whether any image changed.
 */
export function applyImages(target: V1Deployment, assignments: readonly ImageAssignment[]): boolean {
  const spec = target.spec?.template.spec;
  const containers: V1Container[] = [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])];
  const unknown = assignments.filter((a) => !containers.some((c) => c.name === a.container)).map((a) => a.container);
  if (unknown.length) {
    const known = containers.map((c) => c.name).join(', ');
    throw new CliError(`Deployment ${target.metadata?.name ?? ''} has no container named ${unknown.join(', ')} (its containers: ${known})`);
  }
  let changed = false;
  for (const { container, image } of assignments) {
    for (const c of containers.filter((c) => c.name === container && c.image !== image)) {
      c.image = image;
      changed = true;
    }
  }
  return changed;
}

export async function setImage(cli: Cli, name: string, args: readonly string[]): Promise<void> {
  const assignments = parseAssignments(args);
  const rollout = await readRollout(cli, name);
  const target = await changeTarget(cli, rollout, (t) => applyImages(t, assignments));
  const set = assignments.map((a) => `${a.container}=${a.image}`).join(', ');
  const deployment = `Deployment ${rollout.spec.targetRef.name}`;
  // Setting an image that is already there is a state that holds, as with pause: said, not refused.
  if (!target) cli.write(`${name}: ${deployment} already runs ${set}; nothing changed\n`);
  else cli.write(`${name}: ${deployment} image updated (${set}); flowshift releases it as a new revision\n`);
}
