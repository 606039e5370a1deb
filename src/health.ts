import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

/** /healthz: the process runs; /readyz: it watches and takes ticks; /metrics: Prometheus. */
export function startHealthServer(host: string, port: number, ready: () => boolean, registry: Registry): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url === '/metrics') {
      registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': registry.contentType });
          res.end(text);
        },
        () => {
          res.writeHead(500);
          res.end();
        },
      );
      return;
    }
    const known = req.url === '/healthz' || req.url === '/readyz';
    const ok = req.url === '/healthz' || (req.url === '/readyz' && ready());
    res.writeHead(known ? (ok ? 200 : 503) : 404, { 'content-type': 'text/plain' });
    res.end(known ? (ok ? 'ok\n' : 'not ready\n') : 'not found\n');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
