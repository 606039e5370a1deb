import { createServer, type Server } from 'node:http';
import { freePort } from '../../devenv/env/ports.js';

export interface Received {
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Record<string, unknown>;
  readonly status: number;
}

/**
 * A real HTTP endpoint standing in for Slack, Teams, Discord and a webhook
 * receiver: records every POST, and answers 500 on the paths told to fail.
 */
export class HttpSink {
  readonly received: Received[] = [];
  private readonly failing = new Set<string>();

  private readonly server: Server;

  private constructor(readonly url: string) {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '';
        const status = this.failing.has(path) ? 500 : 200;
        this.received.push({ path, headers: req.headers, body: parse(Buffer.concat(chunks).toString('utf8')), status });
        res.writeHead(status, { 'content-type': 'text/plain' });
        res.end(status === 200 ? 'ok' : 'unavailable');
      });
    });
  }

  static async start(): Promise<HttpSink> {
    const port = await freePort();
    const sink = new HttpSink(`http://127.0.0.1:${port}`);
    await new Promise<void>((resolve) => sink.server.listen(port, '127.0.0.1', resolve));
    return sink;
  }

  fail(path: string, failing: boolean): void {
    if (failing) this.failing.add(path);
    else this.failing.delete(path);
  }

  /** Messages accepted (answered 200) on `path`. */
  delivered(path: string): Record<string, unknown>[] {
    return this.received.filter((r) => r.path === path && r.status === 200).map((r) => r.body);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function parse(text: string): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { unparsable: text };
  }
}
