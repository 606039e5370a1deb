import type { ConnectOptions, DispatcherOptions } from '@kubernetes/client-node';
import { Agent, EnvHttpProxyAgent, ProxyAgent, type Dispatcher, type buildConnector } from 'undici';
import { isRecord } from '../json.js';

/**
 * Requests share at most this many connections (HTTP/1.1: one request at a
 * time on each); more wait for a free one. A busy API server answers a burst
 * no sooner over more connections, and each kept TLS connection costs memory
 * on both sides: uncapped, a burst of ticks at 500 Rollouts left 168 open.
 */
export const REQUEST_CONNECTIONS = 32;
/** Kept-alive connections are closed after this long unused, so a quiet controller keeps few. */
const IDLE_MS = 30_000;
/**
 * HTTP/1.1, not the HTTP/2 undici 8 offers by default: on one multiplexed
 * connection the API server decrypts every request on one goroutine, and at
 * 1,000 Rollouts on 2 cores that cost ticks and memory (`npm run bench:targets
 * -- --only 1000`: 67.3 ticks/s and 257 MB peak RSS over HTTP/2, 77.4 and
 * 230 MB over up to 32 HTTP/1.1 connections).
 */
const HTTP2 = false;

/** Requests and watches have pools of their own: a watch holds its connection for minutes and must never wait behind the requests' cap. */
export type Traffic = 'requests' | 'watches';

/**
 * The undici dispatchers (connection pools) of one cluster connection, made
 * from the options client-node derives from the kubeconfig
 * (KubeConfig.createDispatcherOptions: CA, client certificate, tls-server-name,
 * insecure-skip-tls-verify, proxy-url). client-node 2.0 makes a new
 * dispatcher for every request (kubernetes-client/javascript#2893), so every
 * request would pay a TLS handshake on both sides, with no cap on
 * connections. Here a pool lives as long as its options: a rotated client
 * certificate or CA file gives new options, a new pool, and the old one is
 * closed once its requests are done.
 */
export class DispatcherPool {
  private readonly pools = new Map<Traffic, { readonly options: DispatcherOptions; readonly dispatcher: Dispatcher }>();

  /** The dispatcher for these options; `made` is client-node's own for this request, kept only where flowshift cannot build one (SOCKS). */
  dispatcher(traffic: Traffic, options: DispatcherOptions, made: Dispatcher | undefined): Dispatcher | undefined {
    const current = this.pools.get(traffic);
    if (current && sameOptions(current.options, options)) return current.dispatcher;
    const dispatcher = build(options, LIMITS[traffic]) ?? made;
    if (current) void current.dispatcher.close().catch(() => undefined);
    if (dispatcher) this.pools.set(traffic, { options, dispatcher });
    return dispatcher;
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.dispatcher.destroy().catch(() => undefined)));
  }
}

/**
 * Requests are capped; watches are not, and undici's own 5-minute limit on a
 * silent body is off for them: the watch's inactivity timeout, above the
 * server's watch timeout, decides when a quiet watch is given up.
 */
const LIMITS = {
  requests: { keepAliveTimeout: IDLE_MS, allowH2: HTTP2, connections: REQUEST_CONNECTIONS },
  watches: { keepAliveTimeout: IDLE_MS, allowH2: HTTP2, bodyTimeout: 0 },
} as const satisfies Record<Traffic, Agent.Options>;

function build(options: DispatcherOptions, limits: Agent.Options): Dispatcher | undefined {
  switch (options.type) {
    case 'proxy':
      return new ProxyAgent({ uri: options.uri, requestTls: tlsOf(options.requestTls), connect: tlsOf(options.connect), ...limits });
    case 'agent': {
      const connect = tlsOf(options.connect);
      return envProxied() ? new EnvHttpProxyAgent({ connect, requestTls: connect, ...limits }) : new Agent({ connect, ...limits });
    }
    case 'none':
      return envProxied() ? new EnvHttpProxyAgent(limits) : new Agent(limits);
    case 'socks':
      // client-node's SOCKS connector is not exported: its dispatcher is used as made (uncapped).
      return undefined;
  }
}

/**
 * client-node's TLS options as undici's: the same node:tls options, typed
 * without exactOptionalPropertyTypes on one side.
 */
function tlsOf(options: ConnectOptions): buildConnector.BuildOptions {
  return options as buildConnector.BuildOptions;
}

/**
 * HTTPS_PROXY / HTTP_PROXY (and NO_PROXY) apply when the kubeconfig names no
 * proxy-url, as they do for kubectl; undici's EnvHttpProxyAgent reads them
 * and honours NO_PROXY per request.
 */
function envProxied(): boolean {
  const env = process.env;
  return Boolean(env['HTTPS_PROXY'] ?? env['https_proxy'] ?? env['HTTP_PROXY'] ?? env['http_proxy']);
}

/**
 * Whether two sets of options are the same: certificates and keys compared
 * byte for byte. Called on every request, so it allocates nothing (a hash of
 * a JSON text per request was measurable at 1,000 Rollouts).
 */
export function sameOptions(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Buffer.isBuffer(a) || Buffer.isBuffer(b)) return Buffer.isBuffer(a) && Buffer.isBuffer(b) && a.equals(b);
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameOptions(x, b[i]));
  return isRecord(a) && isRecord(b) && sameRecords(a, b);
}

function sameRecords(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => sameOptions(a[k], b[k]));
}

