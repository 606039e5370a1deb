import { OutboundPolicy } from '../../src/http/outbound-policy.js';

/**
 * The outbound policy of tests and the demo: everything of the default
 * policy, with loopback allowed, since every test server listens there.
 */
export const LOOPBACK_ALLOWED = new OutboundPolicy({ denyCidrs: [], allowCidrs: ['127.0.0.0/8', '::1/128'], denyHosts: [], allowHosts: [] });

/** The controller flag that allows the same. */
export const LOOPBACK_ALLOWED_ARGS: readonly string[] = ['--outbound-allow-cidrs', '127.0.0.0/8,::1/128'];
