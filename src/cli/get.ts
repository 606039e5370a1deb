import type { Cli } from './context.js';
import { renderRolloutTable } from './get-view.js';

export async function listRollouts(cli: Cli, allNamespaces: boolean): Promise<void> {
  const rollouts = await cli.rollouts.list(allNamespaces ? undefined : cli.namespace);
  if (rollouts.length === 0) {
    cli.write(allNamespaces ? 'No resources found\n' : `No resources found in ${cli.namespace} namespace.\n`);
    return;
  }
  cli.write(`${renderRolloutTable(rollouts, { allNamespaces, now: cli.now() }).join('\n')}\n`);
}
