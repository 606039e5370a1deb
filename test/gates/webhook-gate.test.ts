import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalysisVerdict, Analyzer } from '../../src/analysis/analyzer.js';
import { GatedAnalyzer } from '../../src/analysis/gated-analyzer.js';
import type { Rollout, WebhookSpec } from '../../src/api/types.gen.js';
import { freePort } from '../env/ports.js';
import { SIGNATURE_HEADER, callWebhook, signature, type WebhookDeps } from '../../src/gates/webhook.js';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

const rollout: Rollout = {
  apiVersion: 'flowshift.io/v1alpha1',
  kind: 'Rollout',
  metadata: { name: 'podinfo', namespace: 'apps' },
  spec: { targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' }, service: { port: 9898 }, strategy: { canary: { stepWeight: 10 } } },
  status: { phase: 'Progressing', canaryWeight: 20, lastAppliedSpec: 'abc123' },
};
const now = (): Date => new Date('2026-11-22T10:00:00Z');
const secrets: Record<string, Record<string, string>> = { 'apps/hook-key': { key: 's3cret' }, 'apps/empty': {} };
const deps: WebhookDeps = { now, readSecret: (ns, name) => Promise.resolve(secrets[`${ns}/${name}`]) };

describe('rollout webhooks against a real HTTP server', () => {
  let server: Server;
  let base = '';
  const routes = new Map<string, Handler>();
  const calls = new Map<string, number>();

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const path = req.url ?? '';
        calls.set(path, (calls.get(path) ?? 0) + 1);
        const handler = routes.get(path);
        if (handler) handler(req, body, res);
        else res.writeHead(404).end('no such hook');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const hook = (path: string, extra: Partial<WebhookSpec> = {}): WebhookSpec => ({ name: path.slice(1), type: 'rollout', url: `${base}${path}`, ...extra });

  it('passes on a 2xx answer and sends the Rollout and the metadata', async () => {
    let received: unknown;
    routes.set('/ok', (_req, body, res) => {
      received = JSON.parse(body);
      res.writeHead(200).end();
    });
    const result = await callWebhook(rollout, hook('/ok', { metadata: { team: 'web' } }), deps);
    expect(result).toMatchObject({ name: 'ok', passed: true, message: 'webhook ok: answered 200' });
    expect(received).toEqual({ name: 'podinfo', namespace: 'apps', phase: 'Progressing', type: 'rollout', revision: 'abc123', canaryWeight: 20, metadata: { team: 'web' } });
  });

  it('fails on another status, quoting the answer', async () => {
    routes.set('/no', (_req, _body, res) => res.writeHead(503).end('load test still running'));
    expect(await callWebhook(rollout, hook('/no'), deps)).toMatchObject({ passed: false, message: 'webhook no: answered 503: load test still running' });
  });

  it('fails when no answer comes within the timeout', async () => {
    routes.set('/slow', (_req, _body, res) => setTimeout(() => res.writeHead(200).end(), 2000));
    expect(await callWebhook(rollout, hook('/slow', { timeout: '200ms' }), deps)).toMatchObject({ passed: false, message: 'webhook slow: no answer within 200 ms' });
  });

  it('fails when nothing listens', async () => {
    const closed = await freePort();
    const result = await callWebhook(rollout, { name: 'gone', url: `http://127.0.0.1:${closed}/hook` }, deps);
    expect(result.passed).toBe(false);
    expect(result.message).toMatch(/^webhook gone: unreachable \(.*ECONNREFUSED/);
  });

  it('retries before failing', async () => {
    routes.set('/flaky', (_req, _body, res) => res.writeHead((calls.get('/flaky') ?? 0) < 3 ? 500 : 200).end());
    expect((await callWebhook(rollout, hook('/flaky', { retries: 2 }), deps)).passed).toBe(true);
    expect(calls.get('/flaky')).toBe(3);
  });

  it('signs the body with the Secret key so the receiver can verify it', async () => {
    routes.set('/signed', (req, body, res) => res.writeHead(req.headers[SIGNATURE_HEADER.toLowerCase()] === signature('s3cret', body) ? 200 : 401).end());
    expect((await callWebhook(rollout, hook('/signed', { secretRef: { name: 'hook-key' } }), deps)).passed).toBe(true);
    expect(await callWebhook(rollout, hook('/signed', { secretRef: { name: 'empty' } }), deps)).toMatchObject({ passed: false, message: 'webhook signed: Secret empty has no "key" to sign with' });
  });

  it('runs rollout webhooks before the metrics and skips the metrics when one fails', async () => {
    let metricRuns = 0;
    const metrics: Analyzer = {
      analyze: () => {
        metricRuns += 1;
        return Promise.resolve<AnalysisVerdict>({ passed: true, reason: '', results: [{ name: 'm', passed: true, message: 'm ok', time: now().toISOString() }] });
      },
    };
    const gated = new GatedAnalyzer(metrics, deps);
    const context = { namespace: 'apps', canary: 'podinfo', primary: 'podinfo-primary', service: 'podinfo' };
    const failing = { ...rollout, spec: { ...rollout.spec, analysis: { webhooks: [hook('/no')] } } };
    const failed = await gated.analyze(failing, context);
    expect(failed).toMatchObject({ passed: false, reason: 'webhook no: answered 503: load test still running' });
    expect(metricRuns).toBe(0);
    const passing = { ...rollout, spec: { ...rollout.spec, analysis: { webhooks: [hook('/ok')] } } };
    const passed = await gated.analyze(passing, context);
    expect(passed.passed).toBe(true);
    expect(passed.results.map((r) => r.name)).toEqual(['ok', 'm']);
    expect(metricRuns).toBe(1);
  });
});
