import type { KubeConfig } from '@kubernetes/client-node';
import type { Rollout } from '../api/types.gen.js';
import { KubeClients } from '../kube/client.js';
import { KubeConfigError, loadKubeConfig, type LoadedKubeConfig } from '../kube/kubeconfig.js';
import { RolloutClient } from '../kube/rollouts.js';
import { CliError, describeFailure } from './errors.js';

/** The global flags, parsed by the plugin itself: kubectl hands them over only as typed on the command line. */
export interface GlobalOptions {
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly namespace?: string;
}

/** What every command works with; side effects come in here so commands stay small. */
export interface Cli {
  readonly clients: KubeClients;
  readonly namespace: string;
  readonly rollouts: RolloutClient;
  readonly now: () => Date;
  readonly isTTY: boolean;
  write(text: string): void;
  /** The user name the API server knows the caller by (a SelfSubjectReview). */
  whoami(): Promise<string>;
}

/** The cluster connection the way kubectl finds it (src/kube/kubeconfig.ts), its problems as the plugin's errors. */
export function cliClients(options: GlobalOptions): KubeClients {
  let loaded: LoadedKubeConfig;
  try {
    loaded = loadKubeConfig(options);
  } catch (err) {
    if (err instanceof KubeConfigError) throw new CliError(err.message);
    throw err;
  }
  return new KubeClients(loaded);
}

/** -n, else the namespace of the current context, else "default", as kubectl resolves it. */
export function namespaceOf(kubeConfig: KubeConfig, options: GlobalOptions): string {
  return options.namespace ?? kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace ?? 'default';
}

export function cliContext(options: GlobalOptions): Cli {
  const clients = cliClients(options);
  return cliOf(clients, namespaceOf(clients.kubeConfig, options), (text) => process.stdout.write(text), process.stdout.isTTY);
}

/** A command's context on clients made already: the dashboard runs each button's command in the Rollout's namespace, its output captured. */
export function cliOf(clients: KubeClients, namespace: string, write: (text: string) => void, isTTY = false): Cli {
  return { clients, namespace, rollouts: new RolloutClient(clients), now: () => new Date(), isTTY, write, whoami: () => whoami(clients) };
}

export async function readRollout(cli: Cli, name: string): Promise<Rollout> {
  const rollout = await cli.rollouts.get(cli.namespace, name);
  if (!rollout) throw new CliError(`rollout ${name} not found in namespace ${cli.namespace}`);
  return rollout;
}

async function whoami(clients: KubeClients): Promise<string> {
  let username: string | undefined;
  try {
    const review = await clients.authentication.createSelfSubjectReview({ body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } });
    username = review.status?.userInfo?.username;
  } catch (err) {
    throw new CliError(`cannot tell who you are: the SelfSubjectReview (authentication.k8s.io/v1, Kubernetes 1.28+) failed: ${describeFailure(err)}`);
  }
  if (!username) throw new CliError('cannot tell who you are: the SelfSubjectReview answered without a user name');
  return username;
}
