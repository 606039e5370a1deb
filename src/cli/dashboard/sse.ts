import type { ServerResponse } from 'node:http';

/** Proxies and browsers drop a silent stream; a comment line now and then keeps it open. */
const KEEPALIVE_MS = 20_000;

/**
 * Server-sent events to every open page: one stream per browser tab, all
 * fed from the same watch. EventSource reconnects on its own when the
 * dashboard restarts.
 */
export class EventStreams {
  private readonly open = new Set<ServerResponse>();
  private readonly timer = setInterval(() => this.comment('keepalive'), KEEPALIVE_MS).unref();

  /** Starts a stream on `res` with `first` (the state so far), then every broadcast. */
  add(res: ServerResponse, first: readonly (readonly [string, unknown])[]): void {
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    for (const [event, data] of first) res.write(frame(event, data));
    this.open.add(res);
    res.on('close', () => this.open.delete(res));
  }

  broadcast(event: string, data: unknown): void {
    const text = frame(event, data);
    for (const res of this.open) res.write(text);
  }

  get size(): number {
    return this.open.size;
  }

  close(): void {
    clearInterval(this.timer);
    for (const res of this.open) res.end();
    this.open.clear();
  }

  private comment(text: string): void {
    for (const res of this.open) res.write(`: ${text}\n\n`);
  }
}

function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
