import { createServer, type ServerResponse, type Server } from 'node:http';
import type { Registry } from 'prom-client';

/**
 * /healthz: the process runs; /readyz: it watches and takes ticks (the
 * informers have synced and Redis answers now); /metrics: Prometheus.
 */
export function startHealthServer(host: string, port: number, ready: () => Promise<boolean>, registry: Registry): Promise<Server> {
  const server = createServer((req, res) => {
    switch (req.url) {
      case '/metrics':
        registry.metrics().then(
          (text) => {
            res.writeHead(200, { 'content-type': registry.contentType });
            res.end(text);
          },
          () => answer(res, 500, 'metrics failed'),
        );
        return;
      case '/healthz':
        answer(res, 200, 'ok');
        return;
      case '/readyz':
        ready().then(
          (ok) => answer(res, ok ? 200 : 503, ok ? 'ok' : 'not ready'),
          () => answer(res, 503, 'not ready'),
        );
        return;
      case undefined:
      default:
        answer(res, 404, 'not found');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

function answer(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain' });
  res.end(`${text}\n`);
}
