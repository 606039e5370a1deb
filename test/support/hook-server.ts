import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the server received, body as text. */
export interface ReceivedCall {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export type HookHandler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

/**
 * A real node:http server standing in for a user's webhook receiver: each
 * path answers as its handler says (switchable while a test runs), every call
 * is recorded, and unknown paths answer 404.
 */
export class HookServer {
  readonly calls: ReceivedCall[] = [];
  private readonly handlers = new Map<string, HookHandler>();
  private server: Server | undefined;
  private base = '';

  static async start(): Promise<HookServer> {
    const hooks = new HookServer();
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '';
        const body = Buffer.concat(chunks).toString('utf8');
        hooks.calls.push({ path, headers: req.headers, body });
        const handler = hooks.handlers.get(path);
        if (handler) handler(req, body, res);
        else res.writeHead(404).end('no such hook');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    hooks.server = server;
    hooks.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return hooks;
  }

  url(path: string): string {
    return `${this.base}${path}`;
  }

  on(path: string, handler: HookHandler): void {
    this.handlers.set(path, handler);
  }

  /** The path answers `status` with `body` until told otherwise. */
  answer(path: string, status: number, body = ''): void {
    this.on(path, (_req, _body, res) => res.writeHead(status, { 'content-type': 'text/plain' }).end(body));
  }

  callsTo(path: string): ReceivedCall[] {
    return this.calls.filter((c) => c.path === path);
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}
