import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { close, urlOf } from '../support/prometheus-proxy.js';

export interface AuthProxy {
  readonly url: string;
  /** Requests forwarded to Prometheus / refused with 401. */
  readonly counts: { forwarded: number; refused: number };
  readonly stop: () => Promise<void>;
}

/**
 * A small reverse proxy in front of Prometheus that, like an auth gateway,
 * refuses (401, plain text) any request without one of the accepted
 * Authorization headers and the expected X-Scope-OrgID.
 */
export async function startAuthProxy(upstream: string, accepted: readonly string[], tenant: string): Promise<AuthProxy> {
  const counts = { forwarded: 0, refused: 0 };
  const server = createServer((req, res) => {
    void handle(req, res);
  });
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const authorization = req.headers.authorization ?? '';
    if (!accepted.includes(authorization) || req.headers['x-scope-orgid'] !== tenant) {
      counts.refused += 1;
      res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' }).end('unauthorized\n');
      return;
    }
    counts.forwarded += 1;
    try {
      const response = await fetch(`${upstream}${req.url ?? '/'}`, { method: req.method ?? 'GET' });
      res.writeHead(response.status, { 'content-type': response.headers.get('content-type') ?? 'application/json' });
      res.end(await response.text());
    } catch (err: unknown) {
      res.writeHead(502, { 'content-type': 'text/plain' }).end(String(err));
    }
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: urlOf(server), counts, stop: () => close(server) };
}
