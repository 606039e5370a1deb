import { readRollout, type Cli } from './context.js';

/**
 * pause / resume set spec.suspend. They set a state rather than request an
 * action, so asking for the state that already holds is not an error.
 */
export async function setSuspended(cli: Cli, name: string, suspend: boolean): Promise<void> {
  const rollout = await readRollout(cli, name);
  if ((rollout.spec.suspend ?? false) === suspend) {
    cli.write(`${name}: already ${suspend ? 'paused' : 'running'} (spec.suspend is ${suspend})\n`);
    return;
  }
  await cli.rollouts.patch(cli.namespace, name, { spec: { suspend } });
  cli.write(suspend ? `${name}: paused; ticks change nothing until resume\n` : `${name}: resumed\n`);
}
