import type { MeshProvider } from '../api/types.gen.js';
import type { KubeClients } from '../kube/client.js';
import type { RouteApi } from './plugin.js';
import { MESH_PROVIDERS, ROUTERS } from './registry.js';
import { servedGroupVersions } from '../kube/served-apis.js';

export type { RouteApi } from './plugin.js';

/** The group/versions of `apis` the API server does not serve, by discovery. Throws when discovery fails. */
export async function unservedApis(clients: KubeClients, apis: readonly RouteApi[]): Promise<RouteApi[]> {
  const served = await servedGroupVersions(clients);
  return apis.filter((api) => !served.has(`${api.group}/${api.version}`));
}

export function describeUnserved(provider: MeshProvider, api: RouteApi): string {
  return `the ${provider} router needs ${api.group}/${api.version}, which the API server does not serve: ${api.fix}`;
}

/** Per router of the registry whose route API is not served: why, and the fix. */
export async function unservedRouters(clients: KubeClients): Promise<{ provider: MeshProvider; message: string }[]> {
  const missing = await unservedApis(clients, MESH_PROVIDERS.map((p) => ROUTERS[p].api));
  return MESH_PROVIDERS.filter((p) => missing.includes(ROUTERS[p].api)).map((provider) => ({ provider, message: describeUnserved(provider, ROUTERS[provider].api) }));
}
