import { ISTIO_GROUP, ISTIO_VERSION } from './routes.js';
import type { RouterPlugin } from '../plugin.js';
import { istioProblems } from './problems.js';
import { IstioRouter } from './router.js';

/** Istio: VirtualService and DestinationRules of networking.istio.io/v1. */
export const istio: RouterPlugin = {
  api: {
    group: ISTIO_GROUP,
    version: ISTIO_VERSION,
    fix: 'install or upgrade Istio to 1.22 or later, the first to serve networking.istio.io/v1',
  },
  plural: 'virtualservices',
  problems: istioProblems,
  create: (clients, cache) => new IstioRouter(clients, cache),
};
