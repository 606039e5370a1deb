import type { V1ObjectMeta } from '@kubernetes/client-node';

/** A route object (VirtualService, HTTPRoute) as the API server or an informer holds it: only what routers read. */
export interface CustomObject {
  metadata?: V1ObjectMeta;
  spec?: Record<string, unknown>;
}
