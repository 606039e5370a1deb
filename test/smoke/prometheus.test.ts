import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrometheusProvider } from '../../src/metrics/providers/prometheus/provider.js';
import { addScrapeTarget, env, removeScrapeTarget } from '../support/env/context.js';
import { waitFor } from '../../devenv/env/processes.js';

describe('Prometheus scraping a test endpoint', () => {
  const target = `smoke-${process.pid}`;
  let server: Server;
  let requests = 0;

  beforeAll(async () => {
    server = createServer((_req, res) => {
      requests += 1;
      res.setHeader('content-type', 'text/plain; version=0.0.4');
      res.end(`# TYPE flowshift_smoke_value gauge\nflowshift_smoke_value{kind="smoke"} 42.5\n`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    addScrapeTarget(env().prometheusTargetsDir, target, `127.0.0.1:${port}`, { smoke: target });
  });
  afterAll(async () => {
    removeScrapeTarget(env().prometheusTargetsDir, target);
    await new Promise((resolve) => server.close(resolve));
  });

  it('answers an instant query with the scraped value', async () => {
    const prom = new PrometheusProvider({ address: env().prometheusUrl });
    let value: number | undefined;
    await waitFor(
      'the scraped sample',
      async () => {
        const outcome = await prom.instantQuery(`flowshift_smoke_value{smoke="${target}"}`);
        value = outcome.kind === 'value' ? outcome.value : undefined;
        return value !== undefined;
      },
      { timeoutMs: 20_000, intervalMs: 250 },
    );
    expect(value).toBe(42.5);
    expect(requests).toBeGreaterThan(0);
  });
});
