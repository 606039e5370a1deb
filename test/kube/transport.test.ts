import { setTimeout as sleep } from 'node:timers/promises';
import type { V1ConfigMap } from '@kubernetes/client-node';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { configMaps } from '../../src/kube/collections.js';
import { ResilientInformer, watchIdleMs } from '../../src/kube/informer.js';
import { KubeClients } from '../../src/kube/client.js';
import { statusCode } from '../../src/kube/errors.js';
import { loadKubeConfig } from '../../src/kube/kubeconfig.js';
import { MAX_RETRY_AFTER_MS, retryAfterMs } from '../../src/kube/transport.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiStandIn, kubeconfigJson, type ApiStandIn } from './stand-ins.js';

const silent = pino({ level: 'silent' });
const VERSION = JSON.stringify({ major: '1', minor: '34', gitVersion: 'v1.34.4', gitCommit: '', gitTreeState: '', buildDate: '', goVersion: '', compiler: '', platform: '' });

/**
 * What the API server answers in ways the test API server cannot be made to
 * on cue (429, 410 Gone, a watch that only sends bookmarks), from a
 * plain-HTTP stand-in on loopback, through the real client.
 */
describe('the cluster connection against a stand-in API server', () => {
  const standIns: ApiStandIn[] = [];
  afterEach(async () => {
    await Promise.all(standIns.splice(0).map((s) => s.close()));
  });

  function connect(standIn: ApiStandIn, requests?: string[]): KubeClients {
    standIns.push(standIn);
    const file = join(mkdtempSync(join(tmpdir(), 'flowshift-standin-')), 'kubeconfig');
    // Plain HTTP: client-node asks that TLS verification be skipped explicitly.
    writeFileSync(file, kubeconfigJson(standIn.server, { 'insecure-skip-tls-verify': true }, { token: 't' }));
    return new KubeClients(loadKubeConfig({ kubeconfig: file }), requests ? { onRequest: (method, code) => requests.push(`${method} ${code}`) } : {});
  }

  it('waits out a 429 for its Retry-After and sends the request again, each answer counted', async () => {
    let refused = 0;
    const standIn = await apiStandIn((_req, res) => {
      if (refused++ < 1) res.writeHead(429, { 'Retry-After': '1', 'Content-Type': 'application/json' }).end('{"kind":"Status","code":429,"message":"too many requests"}');
      else res.writeHead(200, { 'Content-Type': 'application/json' }).end(VERSION);
    });
    const counted: string[] = [];
    const clients = connect(standIn, counted);
    const started = Date.now();
    const version = await clients.version.getCode();
    expect(version.gitVersion).toBe('v1.34.4');
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(counted).toEqual(['GET 429', 'GET 200']);
    await clients.close();
  });

  it('gives up on a 429 without Retry-After, and after a few refusals, with the 429', async () => {
    const standIn = await apiStandIn((req, res) => {
      const headers = req.url?.startsWith('/version') ? { 'Retry-After': '0' } : {};
      res.writeHead(429, { ...headers, 'Content-Type': 'application/json' }).end('{"kind":"Status","code":429}');
    });
    const clients = connect(standIn);
    expect(statusCode(await clients.version.getCode().catch((e: unknown) => e))).toBe(429);
    // The first try and four more.
    expect(standIn.requests).toHaveLength(5);
    expect(statusCode(await clients.apis.getAPIVersions().catch((e: unknown) => e))).toBe(429);
    expect(standIn.requests).toHaveLength(6);
    await clients.close();
  });

  it('bounds Retry-After', () => {
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs('3600')).toBe(MAX_RETRY_AFTER_MS);
    expect(retryAfterMs(undefined)).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(new Date(Date.now() + 60_000).toUTCString())).toBe(MAX_RETRY_AFTER_MS);
  });

  /** A collection of ConfigMaps whose list answers resourceVersion 10, and whose watches the test scripts. */
  async function configMapsStandIn(watch: (res: import('node:http').ServerResponse, nth: number) => void): Promise<ApiStandIn> {
    let watches = 0;
    return apiStandIn((req, res) => {
      if (new URL(req.url ?? '', 'http://x').searchParams.get('watch') === 'true') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.flushHeaders();
        watch(res, watches++);
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ kind: 'ConfigMapList', apiVersion: 'v1', metadata: { resourceVersion: '10' }, items: [{ metadata: { name: 'a', namespace: 'ns', resourceVersion: '5' } }] }));
    });
  }

  it('after 410 Gone on a watch, lists once more (consistent reads in pages, as every list), then watches from that list', async () => {
    const standIn = await configMapsStandIn((res, nth) => {
      if (nth === 0) res.end(`${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' } })}\n`);
    });
    const clients = connect(standIn);
    const informer = new ResilientInformer<V1ConfigMap>(clients, configMaps(clients, 'ns'), {}, silent);
    await informer.start();
    try {
      await waitForRequests(standIn, 4);
      const paths = standIn.requests.map((r) => decodeURIComponent(r.replace(/&timeoutSeconds=\d+/, '')));
      expect(paths).toEqual([
        'GET /api/v1/namespaces/ns/configmaps?limit=500',
        'GET /api/v1/namespaces/ns/configmaps?watch=true&resourceVersion=10&allowWatchBookmarks=true',
        'GET /api/v1/namespaces/ns/configmaps?limit=500',
        'GET /api/v1/namespaces/ns/configmaps?watch=true&resourceVersion=10&allowWatchBookmarks=true',
      ]);
      await sleep(500);
      expect(standIn.requests).toHaveLength(4);
    } finally {
      await informer.stop();
      await clients.close();
    }
  });

  it('keeps a watch the server keeps alive with bookmarks past its inactivity timeout, and reopens a silent one', async () => {
    const timers: NodeJS.Timeout[] = [];
    const standIn = await configMapsStandIn((res, nth) => {
      // The first watch: a bookmark every 300 ms; the next ones say nothing.
      if (nth === 0) timers.push(setInterval(() => res.write(`${JSON.stringify({ type: 'BOOKMARK', object: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: '11' } } })}\n`), 300));
    });
    const clients = connect(standIn);
    const informer = new ResilientInformer<V1ConfigMap>(clients, configMaps(clients, 'ns'), {}, silent, { idleMs: 1000 });
    await informer.start();
    try {
      await sleep(3_500);
      // Three and a half inactivity timeouts, still the first watch.
      expect(standIn.requests.filter((r) => r.includes('watch=true'))).toHaveLength(1);
      timers.forEach(clearInterval);
      await waitForRequests(standIn, 3);
      // The silent one is given up after its timeout and reopened from the bookmark's version.
      expect(standIn.requests[2]).toContain('resourceVersion=11');
    } finally {
      timers.forEach(clearInterval);
      await informer.stop();
      await clients.close();
    }
    // In production the inactivity timeout is above the server's longest watch (10 minutes), far above client-node's 30 s.
    expect(watchIdleMs(600)).toBeGreaterThan(600_000);
  });
});

async function waitForRequests(standIn: ApiStandIn, count: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (standIn.requests.length < count) {
    if (Date.now() > deadline) throw new Error(`${count} requests expected, saw: ${standIn.requests.join('\n')}`);
    await sleep(50);
  }
}
