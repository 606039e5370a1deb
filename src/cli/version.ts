import type { V1Deployment } from '@kubernetes/client-node';
import { FLOWSHIFT_VERSION } from '../version.js';
import { statusCode } from '../kube/errors.js';
import type { Cli } from './context.js';
import { describeFailure } from './errors.js';

/** The labels of the controller's Deployment, as deploy/base/deployment.yaml sets them. */
export const CONTROLLER_SELECTOR = 'app.kubernetes.io/name=flowshift,app.kubernetes.io/component=controller';
/** The container the controller runs in (deploy/base/deployment.yaml); else the first. */
const CONTROLLER_CONTAINER = 'controller';

/** One controller Deployment the user can see, and the version its image names. */
export interface ControllerVersion {
  readonly namespace: string;
  readonly name: string;
  readonly image: string;
  readonly version: string;
}

/** The controllers found, or why none could be seen. */
export type ControllerLookup = { readonly found: readonly ControllerVersion[] } | { readonly unknown: string };

/**
 * `version`: the plugin's own version, and the controller's, read from the
 * image tag of every controller Deployment the user may list. A user who may
 * not list Deployments cluster-wide is looked up in the namespace they work
 * in; when nothing can be seen, the controller's version is "unknown" with
 * the reason (no kubeconfig, an API server that does not answer, RBAC),
 * and the command still succeeds: the plugin's version is known.
 */
export async function showVersion(connect: () => Pick<Cli, 'clients' | 'namespace'>, write: (text: string) => void): Promise<void> {
  const lines = [`plugin:     ${FLOWSHIFT_VERSION}`];
  let lookup: ControllerLookup;
  try {
    lookup = await findControllers(connect());
  } catch (err) {
    lookup = { unknown: describeFailure(err) };
  }
  if ('unknown' in lookup) lines.push(`controller: unknown (${lookup.unknown})`);
  else lines.push(...lookup.found.map((c) => `controller: ${c.version} (Deployment ${c.namespace}/${c.name}, image ${c.image})`));
  write(`${lines.join('\n')}\n`);
}

export async function findControllers(cli: Pick<Cli, 'clients' | 'namespace'>): Promise<ControllerLookup> {
  const apps = cli.clients.apps;
  let deployments: V1Deployment[];
  try {
    deployments = (await apps.listDeploymentForAllNamespaces({ labelSelector: CONTROLLER_SELECTOR })).items;
  } catch (err) {
    if (statusCode(err) !== 403) return { unknown: `cannot list Deployments: ${describeFailure(err)}` };
    try {
      deployments = (await apps.listNamespacedDeployment({ namespace: cli.namespace, labelSelector: CONTROLLER_SELECTOR })).items;
    } catch (inNamespace) {
      return { unknown: `you may not list Deployments cluster-wide nor in namespace ${cli.namespace}: ${describeFailure(inNamespace)}` };
    }
  }
  if (deployments.length === 0) return { unknown: `no Deployment labelled ${CONTROLLER_SELECTOR} is visible to you` };
  return { found: deployments.map(controllerVersion) };
}

function controllerVersion(d: V1Deployment): ControllerVersion {
  const containers = d.spec?.template.spec?.containers ?? [];
  const image = (containers.find((c) => c.name === CONTROLLER_CONTAINER) ?? containers[0])?.image ?? '';
  return { namespace: d.metadata?.namespace ?? '', name: d.metadata?.name ?? '', image, version: imageVersion(image) };
}

/**
 * The version an image reference names: its tag; a digest when pinned by
 * one; "latest" (what the runtime pulls) when it names neither.
 */
export function imageVersion(image: string): string {
  const at = image.indexOf('@');
  if (at >= 0) return image.slice(at + 1);
  const lastPart = image.slice(image.lastIndexOf('/') + 1);
  const colon = lastPart.lastIndexOf(':');
  return colon >= 0 ? lastPart.slice(colon + 1) : 'latest (the image names no tag)';
}
