import { KubeConfig } from '@kubernetes/client-node';
import type { Rollout } from '../api/types.gen.js';
import { KubeClients } from '../kube/client.js';
import { endpointOf } from '../kube/endpoint.js';
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
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  readonly rollouts: RolloutClient;
  readonly now: () => Date;
  readonly isTTY: boolean;
  write(text: string): void;
  /** The user name the API server knows the caller by (a SelfSubjectReview). */
  whoami(): Promise<string>;
}

/** Loads the kubeconfig the way kubectl does: --kubeconfig, else KUBECONFIG, else ~/.kube/config, else in-cluster. */
export function loadKubeConfig(options: GlobalOptions): KubeConfig {
  const kubeConfig = new KubeConfig();
  try {
    if (options.kubeconfig) kubeConfig.loadFromFile(options.kubeconfig);
    else kubeConfig.loadFromDefault();
  } catch (err) {
    throw new CliError(`cannot load the kubeconfig ${options.kubeconfig ?? '(KUBECONFIG or ~/.kube/config)'}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (options.context) {
    if (!kubeConfig.getContextObject(options.context)) throw new CliError(`context "${options.context}" does not exist in the kubeconfig`);
    kubeConfig.setCurrentContext(options.context);
  }
  return kubeConfig;
}

/** -n, else the namespace of the current context, else "default", as kubectl resolves it. */
export function namespaceOf(kubeConfig: KubeConfig, options: GlobalOptions): string {
  return options.namespace ?? kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace ?? 'default';
}

export function cliContext(options: GlobalOptions): Cli {
  const kubeConfig = loadKubeConfig(options);
  const clients = new KubeClients(endpointOf(kubeConfig));
  return {
    kubeConfig,
    namespace: namespaceOf(kubeConfig, options),
    rollouts: new RolloutClient(clients),
    now: () => new Date(),
    isTTY: process.stdout.isTTY,
    write: (text) => process.stdout.write(text),
    whoami: () => whoami(clients),
  };
}

export async function readRollout(cli: Cli, name: string): Promise<Rollout> {
  const rollout = await cli.rollouts.get(cli.namespace, name);
  if (!rollout) throw new CliError(`rollout ${name} not found in namespace ${cli.namespace}`);
  return rollout;
}

async function whoami(clients: KubeClients): Promise<string> {
  let username: string | undefined;
  try {
    const review = await clients.discovery.createSelfSubjectReview();
    username = review.status?.userInfo?.username;
  } catch (err) {
    throw new CliError(`cannot tell who you are: the SelfSubjectReview (authentication.k8s.io/v1, Kubernetes 1.28+) failed: ${describeFailure(err)}`);
  }
  if (!username) throw new CliError('cannot tell who you are: the SelfSubjectReview answered without a user name');
  return username;
}
