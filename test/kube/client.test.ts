import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiException, type V1ConfigMap } from '@kubernetes/client-node';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { configMaps } from '../../src/kube/collections.js';
import { ResilientInformer } from '../../src/kube/informer.js';
import { KubeClients } from '../../src/kube/client.js';
import { apiMessage, isNotFound } from '../../src/kube/errors.js';
import { loadKubeConfig } from '../../src/kube/kubeconfig.js';
import { waitFor } from '../../devenv/env/processes.js';
import { createNamespace, env, kubeClients } from '../support/env/context.js';

const silent = pino({ level: 'silent' });

/** A connection from a kubeconfig file, loaded as the controller loads it. */
const clientsOf = (file?: string): KubeClients => new KubeClients(loadKubeConfig(file ? { kubeconfig: file } : {}));

describe("flowshift's cluster connection (client-node) against the test API server", () => {
  let dir: string;
  let clients: KubeClients;
  let namespace: string;
  const requests: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'flowshift-kubeconfig-'));
    clients = await kubeClients((method, code) => requests.push(`${method} ${code}`));
    namespace = await createNamespace('client');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** The test environment's kubeconfig as parts: server, CA and token. */
  function parts(): { server: string; ca: string; token: string } {
    const config = JSON.parse(readFileSync(env().kubeconfigPath, 'utf8')) as {
      clusters: [{ cluster: { server: string; 'certificate-authority-data': string } }];
      users: [{ user: { token: string } }];
    };
    return { server: config.clusters[0].cluster.server, ca: config.clusters[0].cluster['certificate-authority-data'], token: config.users[0].user.token };
  }

  it('creates, reads, replaces and merge-patches objects, counting each request with its answer', async () => {
    requests.length = 0;
    await clients.core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'a' }, data: { k: '1' } } });
    const read = await clients.core.readNamespacedConfigMap({ name: 'a', namespace });
    expect(read.data).toEqual({ k: '1' });
    await clients.core.replaceNamespacedConfigMap({ name: 'a', namespace, body: { ...read, data: { k: '2' } } });
    const missing = await clients.core.patchNamespacedService({ name: 'missing', namespace, body: {} }).catch((err: unknown) => err);
    expect(isNotFound(missing)).toBe(true);
    // Every PATCH is a merge patch: null removes a key, other keys stay.
    await clients.core.patchNamespacedConfigMap({ name: 'a', namespace, body: { data: { k: null, j: '3' } } });
    expect((await clients.core.readNamespacedConfigMap({ name: 'a', namespace })).data).toEqual({ j: '3' });
    const listed = await clients.core.listNamespacedConfigMap({ namespace, fieldSelector: 'metadata.name=a' });
    expect(listed.items.map((c) => c.metadata?.name)).toEqual(['a']);
    expect(requests).toEqual(['POST 201', 'GET 200', 'PUT 200', 'PATCH 404', 'PATCH 200', 'GET 200', 'GET 200']);
  });

  it('names flowshift as the manager of the fields it writes', async () => {
    await clients.core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'managed' }, data: { k: '1' } } });
    await clients.core.patchNamespacedConfigMap({ name: 'managed', namespace, body: { data: { k: '2' } } });
    const managers = (await clients.core.readNamespacedConfigMap({ name: 'managed', namespace })).metadata?.managedFields?.map((f) => `${f.manager ?? ''}/${f.operation ?? ''}`);
    expect(managers).toEqual(['flowshift/Update']);
  });

  it('an error answer is client-node\'s ApiException, with the status code and the server message', async () => {
    const err = await clients.apps.readNamespacedDeployment({ name: 'nothing-here', namespace }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiException);
    expect(isNotFound(err)).toBe(true);
    expect(apiMessage(err)).toBe('deployments.apps "nothing-here" not found');
  });

  it('reads a kubeconfig whose CA and token are files next to it, as kubectl does', async () => {
    const { server, ca, token } = parts();
    writeFileSync(join(dir, 'ca.crt'), Buffer.from(ca, 'base64'));
    writeFileSync(join(dir, 'token'), `${token}\n`);
    const file = join(dir, 'relative.yaml');
    writeFileSync(
      file,
      JSON.stringify({
        clusters: [{ name: 'c', cluster: { server, 'certificate-authority': 'ca.crt' } }],
        users: [{ name: 'u', user: { tokenFile: 'token' } }],
        contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
        'current-context': 'x',
      }),
    );
    const version = await clientsOf(file).version.getCode();
    expect(version.major).toBe('1');
  });

  describe('KUBECONFIG', () => {
    const saved = process.env['KUBECONFIG'];
    afterEach(() => {
      if (saved === undefined) delete process.env['KUBECONFIG'];
      else process.env['KUBECONFIG'] = saved;
    });

    it('merges several files: the first to set the current context or an entry wins', async () => {
      const { server, ca, token } = parts();
      writeFileSync(join(dir, 'first.yaml'), JSON.stringify({ 'current-context': 'x', users: [{ name: 'u', user: { token } }] }));
      writeFileSync(
        join(dir, 'second.yaml'),
        JSON.stringify({
          'current-context': 'ignored',
          clusters: [{ name: 'c', cluster: { server, 'certificate-authority-data': ca } }],
          users: [{ name: 'u', user: { token: 'not-this-one' } }],
          contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
        }),
      );
      process.env['KUBECONFIG'] = [join(dir, 'first.yaml'), join(dir, 'missing.yaml'), join(dir, 'second.yaml')].join(':');
      const groups = await clientsOf().apis.getAPIVersions();
      expect(groups.groups.map((g) => g.name)).toContain('flowshift.io');
    });

    it('names the missing context when the current one is not defined', () => {
      writeFileSync(join(dir, 'nocontext.yaml'), JSON.stringify({ 'current-context': 'gone' }));
      process.env['KUBECONFIG'] = join(dir, 'nocontext.yaml');
      expect(() => loadKubeConfig()).toThrow(/has no context "gone"/);
    });
  });

  it('an informer resumes each ended watch from the last version it saw: it misses no change and relists nothing', async () => {
    const seen: string[] = [];
    requests.length = 0;
    const note = (what: string) => (c: V1ConfigMap): void => {
      seen.push(`${what} ${c.metadata?.name ?? ''}=${c.data?.['v'] ?? ''}`);
    };
    // The API server ends each watch after 2 s.
    const informer = new ResilientInformer(clients, configMaps(clients, namespace), { add: note('add'), update: note('update'), delete: note('delete') }, silent, {
      labelSelector: 'informer=test',
      watchSeconds: [2, 2],
    });
    await clients.core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'listed', labels: { informer: 'test' } }, data: { v: '0' } } });
    await informer.start();
    try {
      expect(informer.synced()).toBe(true);
      for (let v = 1; v <= 5; v++) {
        await clients.core.patchNamespacedConfigMap({ name: 'listed', namespace, body: { data: { v: String(v) } } });
        await new Promise((r) => setTimeout(r, 1_000));
      }
      await clients.core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'added', labels: { informer: 'test' } }, data: { v: 'x' } } });
      await clients.core.deleteNamespacedConfigMap({ name: 'listed', namespace });
      await waitFor('the delete seen', () => Promise.resolve(seen.includes('delete listed=5')), { timeoutMs: 10_000 });
      expect(seen).toEqual(['add listed=0', 'update listed=1', 'update listed=2', 'update listed=3', 'update listed=4', 'update listed=5', 'add added=x', 'delete listed=5']);
      expect(informer.list().map((c) => c.metadata?.name)).toEqual(['added']);
      // One list (GET by the informer) at the start; the watch was renewed at least twice, each from where it ended.
      const reads = requests.filter((r) => r.startsWith('GET'));
      expect(reads).toEqual(['GET 200']);
      expect(requests.filter((r) => r === 'WATCH 200').length).toBeGreaterThanOrEqual(3);
    } finally {
      await informer.stop();
    }
  });

  it('an informer lists in pages, and holds every object of every page', async () => {
    const labels = { informer: 'pages' };
    for (const name of ['p1', 'p2', 'p3', 'p4', 'p5']) await clients.core.createNamespacedConfigMap({ namespace, body: { metadata: { name, labels }, data: { v: name } } });
    const added: string[] = [];
    requests.length = 0;
    const informer = new ResilientInformer(clients, configMaps(clients, namespace), { add: (c) => added.push(c.metadata?.name ?? '') }, silent, {
      labelSelector: 'informer=pages',
      pageSize: 2,
    });
    await informer.start();
    try {
      expect(requests.filter((r) => r.startsWith('GET'))).toEqual(['GET 200', 'GET 200', 'GET 200']);
      expect(added.sort()).toEqual(['p1', 'p2', 'p3', 'p4', 'p5']);
      expect(informer.list().map((c) => c.data?.['v']).sort()).toEqual(['p1', 'p2', 'p3', 'p4', 'p5']);
      // The watch starts at the list's version: a change after the list is seen once, as an update.
      await clients.core.patchNamespacedConfigMap({ name: 'p3', namespace, body: { data: { v: 'changed' } } });
      await waitFor('the change seen', () => Promise.resolve(informer.get('p3', namespace)?.data?.['v'] === 'changed'), { timeoutMs: 10_000 });
      expect(added).toHaveLength(5);
    } finally {
      await informer.stop();
    }
  });

  it('an informer keeps of each object what its keep option returns, listed and watched alike', async () => {
    const labels = { informer: 'keep' };
    await clients.core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'keep-listed', labels }, data: { big: 'x'.repeat(1000) } } });
    const updates: V1ConfigMap[] = [];
    const informer = new ResilientInformer(clients, configMaps(clients, namespace), { update: (c) => updates.push(c) }, silent, {
      labelSelector: 'informer=keep',
      keep: ({ data: _dropped, ...rest }) => rest,
    });
    await informer.start();
    try {
      const listed = informer.get('keep-listed', namespace);
      expect(listed?.metadata?.name).toBe('keep-listed');
      expect(listed && 'data' in listed).toBe(false);
      await clients.core.patchNamespacedConfigMap({ name: 'keep-listed', namespace, body: { metadata: { annotations: { seen: 'yes' } } } });
      await waitFor('the update seen', () => Promise.resolve(updates.length > 0), { timeoutMs: 10_000 });
      const held = informer.get('keep-listed', namespace);
      expect(held?.metadata?.annotations).toEqual({ seen: 'yes' });
      expect(held && 'data' in held).toBe(false);
      expect(updates.every((c) => !('data' in c))).toBe(true);
    } finally {
      await informer.stop();
    }
  });

  it('sends a burst of requests over at most 32 connections, and never makes a watch wait behind it', async () => {
    const own = await kubeClients();
    const sockets = (): number => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'TLSWrap').length;
    const before = sockets();
    const path = `/api/v1/namespaces/${namespace}/configmaps`;
    const watch = await own.watch(path, { timeoutSeconds: 60 }, 120_000, () => undefined, () => undefined);
    let most = 0;
    const sample = setInterval(() => (most = Math.max(most, sockets() - before)), 1);
    try {
      const burst = Promise.all(Array.from({ length: 200 }, () => own.version.getCode()));
      // A watch opened while requests queue gets its own connection at once.
      const second = await own.watch(`/api/v1/namespaces/${namespace}/secrets`, { timeoutSeconds: 60 }, 120_000, () => undefined, () => undefined);
      second.abort();
      await burst;
    } finally {
      clearInterval(sample);
      watch.abort();
      await own.close();
    }
    expect(most).toBeGreaterThan(8);
    expect(most).toBeLessThanOrEqual(32 + 2);
  });
});
