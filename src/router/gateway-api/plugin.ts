import type { RouterPlugin } from '../plugin.js';
import { gatewayApiProblems } from './problems.js';
import { GatewayApiRouter } from './router.js';
import { GATEWAY_GROUP, GATEWAY_VERSION } from './routes.js';

/** The Gateway API: one HTTPRoute of gateway.networking.k8s.io/v1. */
export const gatewayApi: RouterPlugin = {
  api: {
    group: GATEWAY_GROUP,
    version: GATEWAY_VERSION,
    fix: 'install the Gateway API CRDs v1.0 or later (standard channel), which serve gateway.networking.k8s.io/v1',
  },
  plural: 'httproutes',
  problems: gatewayApiProblems,
  create: (clients, cache) => new GatewayApiRouter(clients, cache),
};
