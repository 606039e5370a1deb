import type { Rollout } from '../api/types.gen.js';
import { readRollout, type Cli } from './context.js';
import { CliError } from './errors.js';
import { followRollout } from './follow.js';
import { render, renderNext, type OutputFormat } from './output.js';
import { statusObject } from './status-object.js';
import { renderStatus } from './status-view.js';

/** Home the cursor and clear the screen, so a terminal shows one view at a time. */
const CLEAR = '\x1b[H\x1b[2J';

export async function showStatus(cli: Cli, name: string, watch: boolean, format?: OutputFormat): Promise<void> {
  if (!watch) {
    const rollout = await readRollout(cli, name);
    cli.write(format ? render(statusObject(rollout), format) : `${renderStatus(rollout).join('\n')}\n`);
    return;
  }
  const print = format ? documentPrinter(cli, format) : viewPrinter(cli);
  const end = await followRollout({ clients: cli.clients, namespace: cli.namespace, name, get: () => cli.rollouts.get(cli.namespace, name) }, print);
  if (end === 'not-found') throw new CliError(`rollout ${name} not found in namespace ${cli.namespace}`);
  // A machine-readable stream ends with the exit status alone: a sentence would not parse.
  if (!format) cli.write(`\nrollout ${name} was deleted\n`);
}

/**
 * Prints a view only when it differs from the last one (a watch also reports
 * changes the view does not show): redrawn in place on a terminal, else
 * appended after a blank line so a log or a pipe keeps every view.
 */
export function viewPrinter(cli: Pick<Cli, 'isTTY' | 'write'>): (rollout: Rollout) => void {
  let last: string | undefined;
  return (rollout) => {
    const view = renderStatus(rollout).join('\n');
    if (view === last) return;
    const separator = last === undefined ? '' : '\n';
    last = view;
    cli.write(cli.isTTY ? `${CLEAR}${view}\n` : `${separator}${view}\n`);
  };
}

/** status -w -o json|yaml: one document per change of the status object, never cleared. */
function documentPrinter(cli: Pick<Cli, 'write'>, format: OutputFormat): (rollout: Rollout) => void {
  let last: string | undefined;
  return (rollout) => {
    const object = statusObject(rollout);
    const key = JSON.stringify(object);
    if (key === last) return;
    cli.write(renderNext(object, format, last === undefined));
    last = key;
  };
}
