import { statusCode } from '../../kube/errors.js';
import type { KubeClients } from '../../kube/client.js';
import { cliOf } from '../context.js';
import { requestControl } from '../control.js';
import { CliError, describeFailure } from '../errors.js';
import { setSuspended } from '../pause.js';

/** The buttons of the Rollout page: each runs the plugin command of its name. */
export const DashboardAction = {
  approve: 'approve',
  abort: 'abort',
  retry: 'retry',
  pause: 'pause',
  resume: 'resume',
} as const;
export type DashboardAction = (typeof DashboardAction)[keyof typeof DashboardAction];

export function isDashboardAction(value: string): value is DashboardAction {
  return Object.hasOwn(DashboardAction, value);
}

/** What the page shows after a button: the command's own output, or why it was refused, by whom (the plugin, or the API server with its status code). */
export interface ActionOutcome {
  readonly ok: boolean;
  /** The HTTP status the dashboard answers with: 200, 409 (nothing to act on), the API server's code, or 502 (unreachable). */
  readonly httpStatus: number;
  readonly message: string;
  readonly refusedBy?: 'plugin' | 'api-server';
}

/**
 * Runs the button's command exactly as `kubectl flowshift <action>` runs it
 * (control.ts, pause.ts: the same reads, checks and patches, signed with
 * the caller's SelfSubjectReview name), with the user's own clients.
 */
export async function runAction(clients: KubeClients, namespace: string, name: string, action: DashboardAction): Promise<ActionOutcome> {
  const output: string[] = [];
  const cli = cliOf(clients, namespace, (text) => output.push(text));
  try {
    await perform(cli, name, action);
    return { ok: true, httpStatus: 200, message: output.join('').trim() };
  } catch (err) {
    return refusal(err);
  }
}

function perform(cli: ReturnType<typeof cliOf>, name: string, action: DashboardAction): Promise<void> {
  switch (action) {
    case 'pause':
      return setSuspended(cli, name, true);
    case 'resume':
      return setSuspended(cli, name, false);
    case 'approve':
    case 'abort':
    case 'retry':
      return requestControl(cli, action, name);
  }
}

function refusal(err: unknown): ActionOutcome {
  if (err instanceof CliError) return { ok: false, httpStatus: 409, message: err.message, refusedBy: 'plugin' };
  const code = statusCode(err);
  if (code !== undefined) return { ok: false, httpStatus: code, message: describeFailure(err), refusedBy: 'api-server' };
  return { ok: false, httpStatus: 502, message: `the API server did not answer: ${describeFailure(err)}` };
}
