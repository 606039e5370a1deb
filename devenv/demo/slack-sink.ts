import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { say } from './say.js';

/** What Slack would have shown for one message, reduced to one line. */
export interface SlackLine {
  readonly channel: string;
  readonly text: string;
}

/**
 * Stands in for Slack's incoming webhook: the AlertProvider's Secret points
 * here, and each message the controller posts is printed as one readable line
 * (the text, the canary weight and any failed check from the blocks).
 */
export class SlackSink {
  readonly received: SlackLine[] = [];

  private constructor(private readonly server: Server) {}

  static async start(): Promise<SlackSink> {
    const server = createServer();
    const sink = new SlackSink(server);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        sink.receive(Buffer.concat(chunks).toString('utf8'));
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return sink;
  }

  /** The webhook URL to put in the AlertProvider's Secret. */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/services/demo`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private receive(body: string): void {
    const line = summarise(body);
    this.received.push(line);
    say(`slack ${line.channel} ▸ ${line.text}`);
  }
}

interface SlackBlock {
  readonly type?: string;
  readonly text?: { readonly text?: string };
  readonly fields?: readonly { readonly text?: string }[];
}

interface SlackMessage {
  readonly text?: string;
  readonly channel?: string;
  readonly blocks?: readonly SlackBlock[];
}

export function summarise(body: string): SlackLine {
  let message: SlackMessage;
  try {
    message = JSON.parse(body) as SlackMessage;
  } catch {
    return { channel: '?', text: `(not JSON) ${body.slice(0, 120)}` };
  }
  const fields = (message.blocks ?? []).flatMap((b) => b.fields ?? []).map((f) => f.text ?? '');
  const weight = fields.find((f) => f.startsWith('*Canary weight*'))?.split('\n')[1];
  // The evidence section is the one whose lines are bullets; only failures are worth a line.
  const failed = (message.blocks ?? [])
    .flatMap((b) => (b.text?.text?.startsWith('• ') ? b.text.text.split('\n') : []))
    .filter((l) => l.includes(': failed'))
    .map((l) => l.slice(2));
  const parts = [message.text ?? '(no text)', ...(weight ? [`weight ${weight}`] : []), ...failed];
  return { channel: message.channel ?? '(webhook default)', text: unescape(parts.join(' · ')) };
}

function unescape(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}
