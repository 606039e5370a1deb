import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import type { Rollout } from '../../src/api/types.gen.js';
import type { LiveView } from './live-view.js';
import { NAMESPACE, TARGET } from './objects.js';
import { block, say } from './say.js';
import type { Stack } from './stack.js';

const run = promisify(execFile);

/** Runs the plugin's `approve` as a user would, and shows what it printed. */
export async function approveWithPlugin(stack: Stack): Promise<void> {
  const args = ['approve', TARGET, '-n', NAMESPACE, '--kubeconfig', stack.env.info.kubeconfigPath];
  say(`$ kubectl flowshift ${args.slice(0, 4).join(' ')}`);
  const { stdout, stderr } = await run(join(stack.binDir, 'kubectl-flowshift'), args);
  block([...stdout.trimEnd().split('\n'), ...(stderr ? stderr.trimEnd().split('\n') : [])], '  ');
}

const pastTheGate = (r: Rollout): boolean => r.status?.phase !== 'WaitingPromotion';

/**
 * Waits for the user: `kubectl flowshift approve` in another terminal opens
 * the gate; Enter here runs that same command.
 */
export async function approveInteractively(stack: Stack, view: LiveView): Promise<void> {
  const { kubeconfigPath } = stack.env.info;
  say('the release waits for a person. In another terminal run:');
  block([`export KUBECONFIG=${kubeconfigPath} PATH=${stack.binDir}:$PATH`, `kubectl flowshift approve ${TARGET} -n ${NAMESPACE}`], '      ');
  say('or press Enter here to approve with that same command.');
  const rl = createInterface({ input: process.stdin });
  try {
    const enter = new Promise<'enter'>((resolve) => rl.once('line', () => resolve('enter')));
    // Settles either way: once Enter wins nobody awaits it, and a stopping demo must not leave a rejection behind.
    const elsewhere = view.until(pastTheGate).then(() => 'elsewhere' as const, () => 'elsewhere' as const);
    if ((await Promise.race([enter, elsewhere])) === 'enter') await approveWithPlugin(stack);
    else say('approved from another terminal');
  } finally {
    rl.close();
  }
}
