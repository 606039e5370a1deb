import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboundPolicy } from '../../src/http/outbound-policy.js';
import { postJson } from '../../src/http/safe-post.js';
import { PrometheusProvider } from '../../src/metrics/providers/prometheus/provider.js';
import { QueryOutcomeKind } from '../../src/metrics/provider.js';

/**
 * The policy enforced where sockets open, against real listeners: one on
 * 127.0.0.2 (denied) and one on 127.0.0.1 (reached through the name
 * "localhost"). A refused call must open no connection at all: each
 * listener counts the connections it accepts.
 */
class CountingServer {
  connections = 0;
  private constructor(private readonly server: Server, readonly port: number) {
    server.on('connection', () => {
      this.connections += 1;
    });
  }

  static async start(host: string): Promise<CountingServer> {
    const server = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [0, '1'] }] } }));
    });
    await new Promise<void>((resolve) => server.listen(0, host, resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    return new CountingServer(server, address.port);
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Loopback allowed (as tests run it), but 127.0.0.2 and the addresses "localhost" resolves to denied. */
const POLICY = new OutboundPolicy({ allowCidrs: ['127.0.0.0/8', '::1/128'], denyCidrs: ['127.0.0.2/32'], denyHosts: [], allowHosts: [] });
const NAMES_DENIED = new OutboundPolicy({ allowCidrs: ['127.0.0.0/8'], denyCidrs: ['127.0.0.1/32', '::1/128'], denyHosts: [], allowHosts: [] });
const ALLOWED = new OutboundPolicy({ allowCidrs: ['127.0.0.0/8', '::1/128'], denyCidrs: [], denyHosts: [], allowHosts: [] });

describe('outbound calls under the policy', () => {
  let denied: CountingServer;
  let named: CountingServer;

  beforeAll(async () => {
    [denied, named] = await Promise.all([CountingServer.start('127.0.0.2'), CountingServer.start('127.0.0.1')]);
  });

  afterAll(async () => {
    await Promise.all([denied.stop(), named.stop()]);
  });

  it('a webhook to a denied address is refused before any connection, naming the policy', async () => {
    const outcome = await postJson(`http://127.0.0.2:${denied.port}/hook`, { a: 1 }, { policy: POLICY, timeoutMs: 2_000 });
    expect(outcome).toEqual({ kind: 'refused', reason: 'refused by the outbound policy: 127.0.0.2 is in --outbound-deny-cidrs' });
    expect(denied.connections).toBe(0);
  });

  it('a webhook to a name resolving to a denied address is refused after DNS, before any connection', async () => {
    const outcome = await postJson(`http://localhost:${named.port}/hook`, {}, { policy: NAMES_DENIED, timeoutMs: 2_000 });
    expect(outcome.kind).toBe('refused');
    expect(outcome.kind === 'refused' && outcome.reason).toMatch(/^refused by the outbound policy: localhost \((127\.0\.0\.1|::1)\) is in --outbound-deny-cidrs$/);
    expect(named.connections).toBe(0);
  });

  it("a MetricTemplate's Prometheus at a denied address is an unreachable query naming the policy, with no connection", async () => {
    const viaLiteral = await new PrometheusProvider({ address: `http://127.0.0.2:${denied.port}`, outbound: POLICY, timeoutMs: 2_000 }).instantQuery('vector(1)');
    expect(viaLiteral).toEqual({ kind: QueryOutcomeKind.Unreachable, message: `http://127.0.0.2:${denied.port}: refused by the outbound policy: 127.0.0.2 is in --outbound-deny-cidrs` });
    const viaName = await new PrometheusProvider({ address: `http://localhost:${named.port}`, outbound: NAMES_DENIED, timeoutMs: 2_000 }).instantQuery('vector(1)');
    expect(viaName.kind).toBe(QueryOutcomeKind.Unreachable);
    expect('message' in viaName && viaName.message).toContain('refused by the outbound policy: localhost');
    expect(denied.connections + named.connections).toBe(0);
  });

  it('the same listeners answer where the policy allows them (the counters count)', async () => {
    expect(await postJson(`http://127.0.0.2:${denied.port}/hook`, {}, { policy: ALLOWED, timeoutMs: 2_000 })).toMatchObject({ kind: 'answered', ok: true });
    const answer = await new PrometheusProvider({ address: `http://localhost:${named.port}`, outbound: ALLOWED, timeoutMs: 2_000 }).instantQuery('vector(1)');
    expect(answer).toMatchObject({ kind: QueryOutcomeKind.Value, value: 1 });
    expect(denied.connections).toBe(1);
    expect(named.connections).toBe(1);
  });
});
