import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, createServer as createTcpServer, type Socket } from 'node:net';
import { once } from 'node:events';

/** The network between a client and a server, as tests need it: cut (connections reset, new ones refused) and restored on the same port. */
export interface TcpProxy {
  readonly port: number;
  /** Resets every open connection and refuses new ones, as a stopped API server does. */
  cut(): Promise<void>;
  /** Listens again on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A TCP pass-through to `target` on a loopback port. TLS runs end to end
 * through it, so a client of it talks to the real server (whose certificate
 * names 127.0.0.1, whatever the port).
 */
export async function tcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const listen = async (port: number): Promise<ReturnType<typeof createTcpServer>> => {
    const server = createTcpServer((client) => {
      const upstream = connect(target.port, target.host);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    return server;
  };
  let server = await listen(0);
  const port = (server.address() as { port: number }).port;
  const stop = async (): Promise<void> => {
    const closed = new Promise((resolve) => server.close(resolve));
    for (const s of sockets) s.resetAndDestroy();
    await closed;
  };
  return {
    port,
    cut: stop,
    restore: async () => {
      server = await listen(port);
    },
    close: stop,
  };
}

/** An HTTP CONNECT proxy (what `proxy-url` and HTTPS_PROXY point at) that records each tunnel it opens. */
export interface ConnectProxy {
  readonly url: string;
  readonly tunnels: string[];
  close(): Promise<void>;
}

export async function connectProxy(): Promise<ConnectProxy> {
  const tunnels: string[] = [];
  const sockets = new Set<Socket>();
  const server = createHttpServer((_req, res) => {
    res.writeHead(405).end('CONNECT only');
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    tunnels.push(req.url ?? '');
    const [host = '', port = ''] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      client.pipe(upstream).pipe(client);
    });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
  });
  return {
    url: await listenOnLoopback(server),
    tunnels,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A plain-HTTP stand-in for the API server, answering what a test scripts; it records each request's method, path and query. */
export interface ApiStandIn {
  readonly server: string;
  readonly requests: string[];
  close(): Promise<void>;
}

export async function apiStandIn(answer: (req: IncomingMessage, res: ServerResponse) => void): Promise<ApiStandIn> {
  const requests: string[] = [];
  const server: Server = createHttpServer((req, res) => {
    requests.push(`${req.method ?? ''} ${req.url ?? ''}`);
    answer(req, res);
  });
  return {
    server: await listenOnLoopback(server),
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A kubeconfig (as JSON, which is YAML) for `server`, with these cluster and user fields. */
export function kubeconfigJson(server: string, cluster: Record<string, unknown>, user: Record<string, unknown>): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster: { server, ...cluster } }],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
    'current-context': 'x',
  });
}

/** Listens on a free loopback port; the server's base URL. */
async function listenOnLoopback(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}
