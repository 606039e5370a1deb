import { createServer as createHttpServer, request as httpRequest } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrometheusProvider } from '../../../../src/metrics/providers/prometheus/provider.js';
import { env } from '../../../support/env/context.js';

/** A TCP port nothing listens on: bound, read, closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('PrometheusProvider against the real Prometheus', () => {
  const provider = (): PrometheusProvider => new PrometheusProvider({ address: env().prometheusUrl });

  it('returns a value for a one-series vector and for a scalar', async () => {
    expect(await provider().instantQuery('vector(42)')).toEqual({ kind: 'value', value: 42 });
    expect(await provider().instantQuery('2.5')).toEqual({ kind: 'value', value: 2.5 });
  });

  it('accepts an address with a trailing slash', async () => {
    const p = new PrometheusProvider({ address: `${env().prometheusUrl}/` });
    expect(await p.instantQuery('vector(1)')).toEqual({ kind: 'value', value: 1 });
  });

  it('gives each of a provider\'s parallel queries its own answer', async () => {
    const p = provider();
    const values = [1, 2, 3, 4, 5, 6, 7, 8];
    const outcomes = await Promise.all(values.map((n) => p.instantQuery(`vector(${n})`)));
    expect(outcomes).toEqual(values.map((value) => ({ kind: 'value', value })));
  });

  it('returns no-data when no series matches', async () => {
    expect(await provider().instantQuery(`flowshift_no_such_metric{run="${process.pid}"}`)).toEqual({ kind: 'no-data' });
  });

  it('returns not-finite for NaN (0/0), as a scalar and as a vector', async () => {
    const scalar = await provider().instantQuery('0/0');
    expect(scalar.kind).toBe('not-finite');
    expect(scalar.kind === 'not-finite' && scalar.value).toBeNaN();
    const vector = await provider().instantQuery('vector(0)/0');
    expect(vector.kind === 'not-finite' && vector.value).toBeNaN();
  });

  it('returns not-finite with the sign of infinity (parseFloat would read "+Inf" as NaN)', async () => {
    expect(await provider().instantQuery('1/0')).toEqual({ kind: 'not-finite', value: Infinity });
    expect(await provider().instantQuery('vector(-1)/0')).toEqual({ kind: 'not-finite', value: -Infinity });
  });

  it('returns multiple-series with the labels of the series', async () => {
    const outcome = await provider().instantQuery(
      'label_replace(vector(1), "pod", "a", "", "") or label_replace(vector(2), "pod", "b", "", "")',
    );
    expect(outcome).toMatchObject({ kind: 'multiple-series', count: 2 });
    expect(outcome.kind === 'multiple-series' && outcome.series).toEqual(expect.arrayContaining([{ pod: 'a' }, { pod: 'b' }]));
  });

  it('returns the query error Prometheus gives for an invalid query (bad_data, HTTP 400)', async () => {
    const outcome = await provider().instantQuery('sum(rate(up[1m])');
    expect(outcome).toMatchObject({ kind: 'query-error', errorType: 'bad_data', httpStatus: 400 });
    expect(outcome.kind === 'query-error' && outcome.message).toMatch(/parse error/);
  });

  it('reports a range-vector result as a query error rather than a value', async () => {
    const outcome = await provider().instantQuery('vector(1)[1m:1s]');
    expect(outcome).toMatchObject({ kind: 'query-error', errorType: 'unexpected_response' });
  });

  it('answers a range query with every series and its samples at each step, +Inf and NaN kept as numbers', async () => {
    const end = new Date();
    const window = { start: new Date(end.getTime() - 10_000), end, stepSeconds: 5 };
    const outcome = await provider().rangeQuery('label_replace(vector(1), "count", "requests", "", "") or label_replace(vector(1/0), "count", "errors", "", "")', window);
    expect(outcome.kind).toBe('series');
    const series = outcome.kind === 'series' ? outcome.series : [];
    expect(series.map((s) => s.labels).sort((a, b) => String(a['count']).localeCompare(String(b['count'])))).toEqual([{ count: 'errors' }, { count: 'requests' }]);
    for (const s of series) {
      expect(s.points.map(([t]) => t)).toEqual([0, 5, 10].map((d) => window.start.getTime() / 1000 + d));
      expect(s.points.every(([, v]) => v === (s.labels['count'] === 'requests' ? 1 : Infinity))).toBe(true);
    }
    const empty = await provider().rangeQuery('absent_series_flowshift_test', window);
    expect(empty).toEqual({ kind: 'series', series: [] });
  });

  it('returns the query error of a bad range query, as for an instant one', async () => {
    const end = new Date();
    const outcome = await provider().rangeQuery('sum(rate(up[1m])', { start: new Date(end.getTime() - 5_000), end, stepSeconds: 1 });
    expect(outcome).toMatchObject({ kind: 'query-error', errorType: 'bad_data', httpStatus: 400 });
  });

  it('sends a query again when the server closed the kept-alive connection it reused, and only then', async () => {
    // In front of the real Prometheus: the second request on any connection finds it closed, as when a proxy drops idle connections.
    let resets = 0;
    const servedOn = new WeakMap<Socket, number>();
    const upstream = new URL(env().prometheusUrl);
    const server = createHttpServer((req, res) => {
      const served = (servedOn.get(req.socket) ?? 0) + 1;
      servedOn.set(req.socket, served);
      if (served > 1) {
        resets++;
        req.socket.destroy();
        return;
      }
      const forwarded = httpRequest({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      req.pipe(forwarded);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const info = server.address();
    const p = new PrometheusProvider({ address: `http://127.0.0.1:${typeof info === 'object' && info ? info.port : 0}` });
    try {
      expect(await p.instantQuery('vector(1)')).toEqual({ kind: 'value', value: 1 });
      expect(await p.instantQuery('vector(2)')).toEqual({ kind: 'value', value: 2 });
      expect(resets).toBe(1);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('returns unreachable for a closed port, naming the address', async () => {
    const address = `http://127.0.0.1:${await closedPort()}`;
    const outcome = await new PrometheusProvider({ address }).instantQuery('vector(1)');
    expect(outcome.kind).toBe('unreachable');
    expect(outcome.kind === 'unreachable' && outcome.message).toContain(address);
    expect(outcome.kind === 'unreachable' && outcome.message).toMatch(/ECONNREFUSED/);
  });

  it('returns unreachable ("query aborted") when the signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    expect(await provider().instantQuery('vector(1)', controller.signal)).toEqual({ kind: 'unreachable', message: 'query aborted' });
  });

  describe('a server that accepts connections but never answers', () => {
    let server: Server;
    const sockets = new Set<Socket>();
    let address = '';
    beforeAll(async () => {
      server = createServer((socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const info = server.address();
      address = `http://127.0.0.1:${typeof info === 'object' && info ? info.port : 0}`;
    });
    afterAll(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    });

    it('returns timeout after the provider timeout', async () => {
      const outcome = await new PrometheusProvider({ address, timeoutMs: 300 }).instantQuery('vector(1)');
      expect(outcome).toEqual({ kind: 'timeout', message: `no answer from ${address} within 300 ms` });
    });

    it('returns unreachable ("query aborted") when aborted while waiting', async () => {
      const controller = new AbortController();
      const started = Date.now();
      const pending = new PrometheusProvider({ address, timeoutMs: 30_000 }).instantQuery('vector(1)', controller.signal);
      setTimeout(() => {
        controller.abort();
      }, 50);
      expect(await pending).toEqual({ kind: 'unreachable', message: 'query aborted' });
      expect(Date.now() - started).toBeLessThan(5_000);
    });

    it('aborts only the query whose signal aborted, not the others of the same provider', async () => {
      const p = new PrometheusProvider({ address, timeoutMs: 3_000 });
      const controller = new AbortController();
      const started = Date.now();
      const aborted = p.instantQuery('vector(1)', controller.signal);
      const waiting = p.instantQuery('vector(2)', new AbortController().signal);
      setTimeout(() => {
        controller.abort();
      }, 50);
      expect(await aborted).toEqual({ kind: 'unreachable', message: 'query aborted' });
      expect(Date.now() - started).toBeLessThan(1_500);
      expect(await waiting).toEqual({ kind: 'timeout', message: `no answer from ${address} within 3000 ms` });
      expect(Date.now() - started).toBeGreaterThanOrEqual(2_900);
    });
  });
});
