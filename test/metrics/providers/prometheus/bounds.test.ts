import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { AnalysisVerdict } from '../../../../src/domain/model.js';
import type { Rollout } from '../../../../src/api/types.gen.js';
import { DeadlineAnalyzer } from '../../../../src/controller/tick/analysis-deadline.js';
import { MAX_RESPONSE_BYTES, PrometheusProvider } from '../../../../src/metrics/providers/prometheus/provider.js';
import { freePort } from '../../../../devenv/env/ports.js';

const servers: Server[] = [];

/** A local HTTP server answering every request with `handle`; returns its address. */
async function serve(handle: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handle);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}

afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise((resolve) => {
          s.closeAllConnections();
          s.close(resolve);
        }),
    ),
  );
});

const oneSeries = JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [0, '1'] }] } });

describe('PrometheusProvider: bounded calls', () => {
  it('never follows a redirect, and says so', async () => {
    let followed = 0;
    const elsewhere = await serve((_req, res) => {
      followed++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(oneSeries);
    });
    const redirecting = await serve((_req, res) => res.writeHead(302, { location: `${elsewhere}/api/v1/query` }).end());
    const outcome = await new PrometheusProvider({ address: redirecting, auth: { kind: 'bearer', token: 't' } }).instantQuery('vector(1)');
    expect(outcome).toMatchObject({ kind: 'query-error', errorType: 'redirect', httpStatus: 302 });
    expect(outcome.kind === 'query-error' && outcome.message).toContain('redirects are not followed');
    expect(followed).toBe(0);
  });

  it('stops reading an answer larger than MAX_RESPONSE_BYTES and fails the check', async () => {
    const huge = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = 'x'.repeat(64 * 1024);
      res.write('{"status":"success","data":"');
      for (let sent = 0; sent <= MAX_RESPONSE_BYTES; sent += chunk.length) res.write(chunk);
      res.end('"}');
    });
    const outcome = await new PrometheusProvider({ address: huge }).instantQuery('vector(1)');
    expect(outcome).toMatchObject({ kind: 'query-error', errorType: 'response_too_large' });
  });

  it('reads a larger answer when its options allow it (a backtest\'s weeks of points), and still stops past that', async () => {
    // A valid vector answer padded past 1 MiB with whitespace.
    const padded = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`${oneSeries.slice(0, -1)}${' '.repeat(MAX_RESPONSE_BYTES + 1024)}}`);
    });
    const roomy = await new PrometheusProvider({ address: padded, maxResponseBytes: 2 * MAX_RESPONSE_BYTES }).instantQuery('vector(1)');
    expect(roomy).toEqual({ kind: 'value', value: 1 });
    const tight = await new PrometheusProvider({ address: padded, maxResponseBytes: MAX_RESPONSE_BYTES / 2 }).instantQuery('vector(1)');
    expect(tight).toMatchObject({ kind: 'query-error', errorType: 'response_too_large', message: expect.stringContaining(`larger than ${MAX_RESPONSE_BYTES / 2} bytes`) as unknown });
  });

  it('ends a query that has not answered by the deadline as a timeout', async () => {
    const silent = await serve(() => undefined);
    const started = Date.now();
    const outcome = await new PrometheusProvider({ address: silent, timeoutMs: 120_000 }).instantQuery('vector(1)', AbortSignal.timeout(200));
    expect(outcome).toEqual({ kind: 'timeout', message: `no answer from ${silent} before the tick's deadline` });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('ends an answer that trickles in at the query timeout (a byte now and then does not keep it alive)', async () => {
    const trickling = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const drip = setInterval(() => res.write(' '), 100);
      res.on('close', () => {
        clearInterval(drip);
      });
    });
    const started = Date.now();
    const outcome = await new PrometheusProvider({ address: trickling, timeoutMs: 500 }).instantQuery('vector(1)');
    expect(outcome).toEqual({ kind: 'timeout', message: `no answer from ${trickling} within 500 ms` });
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('never puts the credentials of an address into a message', async () => {
    const closed = await freePort();
    const outcome = await new PrometheusProvider({ address: `http://admin:hunter2@127.0.0.1:${closed}` }).instantQuery('vector(1)');
    expect(outcome.kind).toBe('unreachable');
    expect(JSON.stringify(outcome)).not.toContain('hunter2');
    expect(JSON.stringify(outcome)).toContain(`http://***@127.0.0.1:${closed}`);
  });
});

describe('DeadlineAnalyzer', () => {
  it('hands the analysis a signal that aborts at the deadline, as a timeout', async () => {
    const analyzer = new DeadlineAnalyzer(
      {
        analyze: (_rollout, _context, signal) =>
          new Promise<AnalysisVerdict>((resolve) => {
            signal?.addEventListener('abort', () => resolve({ passed: false, results: [], reason: (signal.reason as Error).name }));
          }),
      },
      100,
    );
    const verdict = await analyzer.analyze({} as Rollout, { namespace: 'n', canary: 'c', primary: 'c-primary', service: 'c' });
    expect(verdict.reason).toBe('TimeoutError');
  });
});
