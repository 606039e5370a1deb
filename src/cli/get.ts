import type { Cli } from './context.js';
import { renderRolloutTable } from './get-view.js';
import { render, type OutputFormat } from './output.js';

export async function listRollouts(cli: Cli, allNamespaces: boolean, format?: OutputFormat): Promise<void> {
  const rollouts = await cli.rollouts.list(allNamespaces ? undefined : cli.namespace);
  if (format) {
    // The shape of `kubectl get rollouts -o json`: a v1 List of the objects as the API server returns them.
    cli.write(render({ apiVersion: 'v1', kind: 'List', items: rollouts, metadata: { resourceVersion: '' } }, format));
    return;
  }
  if (rollouts.length === 0) {
    cli.write(allNamespaces ? 'No resources found\n' : `No resources found in ${cli.namespace} namespace.\n`);
    return;
  }
  cli.write(`${renderRolloutTable(rollouts, { allNamespaces, now: cli.now() }).join('\n')}\n`);
}
