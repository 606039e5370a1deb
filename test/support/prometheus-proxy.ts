import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface PrometheusProxy {
  readonly url: string;
  /** Requests forwarded, by path (/api/v1/query_range, /api/v1/query …). */
  readonly counts: Map<string, number>;
  /**
   * Unix seconds every instant query is evaluated at instead of the moment
   * it is sent (the `time` parameter rewritten): the controller's own
   * analysis, asked "as of" a past check. Undefined: passed through.
   */
  pinnedTime: number | undefined;
  readonly stop: () => Promise<void>;
}

/** A small reverse proxy in front of a real Prometheus that counts the requests it forwards. */
export async function startPrometheusProxy(upstream: string): Promise<PrometheusProxy> {
  const proxy = { counts: new Map<string, number>(), pinnedTime: undefined as number | undefined };
  const server = createServer((req, res) => {
    void forward(req, res);
  });
  async function forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', upstream);
    proxy.counts.set(url.pathname, (proxy.counts.get(url.pathname) ?? 0) + 1);
    if (url.pathname === '/api/v1/query' && proxy.pinnedTime !== undefined) url.searchParams.set('time', String(proxy.pinnedTime));
    try {
      const response = await fetch(url, { method: req.method ?? 'GET' });
      res.writeHead(response.status, { 'content-type': response.headers.get('content-type') ?? 'application/json' });
      res.end(await response.text());
    } catch (err: unknown) {
      res.writeHead(502, { 'content-type': 'text/plain' }).end(String(err));
    }
  }
  // Prometheus keeps idle connections for minutes; Node's default of 5 s races the client's kept-alive sockets (ECONNRESET on reuse).
  server.keepAliveTimeout = 120_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(proxy, { url: urlOf(server), stop: () => close(server) });
}

/** The loopback URL a server listens on. */
export function urlOf(server: Server): string {
  const info = server.address();
  if (info === null || typeof info === 'string') throw new Error('proxy is not listening');
  return `http://127.0.0.1:${info.port}`;
}

/** Closes a server and its open connections. */
export function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => {
      resolve();
    });
    server.closeAllConnections();
  });
}
