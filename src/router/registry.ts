import { MeshProvider, type Rollout } from '../api/types.gen.js';
import type { KubeClients } from '../kube/client.js';
import { gatewayApi } from './gateway-api/plugin.js';
import { istio } from './istio/plugin.js';
import type { RouterPlugin } from './plugin.js';
import type { RouteCache } from './route-cache.js';
import { providerOf, type Routers } from './router.js';

/**
 * Every router, under the spec.provider value that picks it. `satisfies`
 * refuses a missing value of the API's MeshProvider and a key it does not
 * have: a new mesh is its folder, this line and the enum value.
 */
export const ROUTERS = {
  [MeshProvider.Istio]: istio,
  [MeshProvider.GatewayApi]: gatewayApi,
} as const satisfies Readonly<Record<MeshProvider, RouterPlugin>>;

/** The providers in the registry, in its order: exactly the MeshProvider values (see `satisfies` above). */
export const MESH_PROVIDERS = Object.keys(ROUTERS) as readonly MeshProvider[];

/** The router a Rollout's spec.provider names. */
export function routerPluginFor(rollout: Rollout): RouterPlugin {
  return ROUTERS[providerOf(rollout)];
}

/** One Router per provider, each reading its route objects through `cache`. */
export function createRouters(clients: KubeClients, cache?: RouteCache): Routers {
  // One entry per key of ROUTERS, which are exactly the MeshProvider values.
  return Object.fromEntries(MESH_PROVIDERS.map((provider) => [provider, ROUTERS[provider].create(clients, cache)])) as Routers;
}
