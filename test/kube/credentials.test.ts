import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_LOG, CLIENT_CA } from '../../devenv/env/apiserver.js';
import { waitFor } from '../../devenv/env/processes.js';
import { KubeClients, USER_AGENT } from '../../src/kube/client.js';
import { loadKubeConfig } from '../../src/kube/kubeconfig.js';
import { FLOWSHIFT_VERSION } from '../../src/version.js';
import { createNamespace, env, kubeConfig } from '../support/env/context.js';
import { connectProxy, kubeconfigJson, type ConnectProxy } from './stand-ins.js';

/** Every credential form a kubeconfig can hold, each against the real API server, which says whom it took the caller for. */
describe('the cluster connection with every kind of credential', () => {
  let dir: string;
  let server: string;
  let ca: string;
  let adminToken: string;
  let namespace: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'flowshift-credentials-'));
    const cluster = kubeConfig().getCurrentCluster();
    server = cluster?.server ?? '';
    ca = cluster?.caData ?? '';
    adminToken = kubeConfig().getCurrentUser()?.token ?? '';
    namespace = await createNamespace('credentials');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Writes a kubeconfig for the test API server and returns the connection it gives. */
  function clientsWith(name: string, user: Record<string, unknown>, cluster: Record<string, unknown> = {}, tokenFileRereadMs?: number): KubeClients {
    const file = join(dir, `${name}.yaml`);
    writeFileSync(file, kubeconfigJson(server, { 'certificate-authority-data': ca, ...cluster }, user));
    return new KubeClients(loadKubeConfig({ kubeconfig: file }), tokenFileRereadMs === undefined ? {} : { tokenFileRereadMs });
  }

  async function whoami(clients: KubeClients): Promise<{ username: string; groups: string[] }> {
    const review = await clients.authentication.createSelfSubjectReview({ body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } });
    return { username: review.status?.userInfo?.username ?? '', groups: review.status?.userInfo?.groups ?? [] };
  }

  /** A token of a new ServiceAccount (TokenRequest). */
  async function serviceAccountToken(name: string): Promise<string> {
    const core = kubeConfig().makeApiClient(CoreV1Api);
    await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
    const request = await core.createNamespacedServiceAccountToken({ namespace, name, body: { spec: { audiences: [], expirationSeconds: 3600 } } });
    return request.status?.token ?? '';
  }

  /** A client certificate for `user`, signed by the test API server's client CA (openssl). */
  function clientCertificate(user: string): { cert: string; key: string } {
    const base = join(dir, user);
    execFileSync('openssl', ['req', '-batch', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${user}`, '-keyout', `${base}.key`, '-out', `${base}.csr`], { stdio: 'ignore' });
    execFileSync('openssl', ['x509', '-req', '-in', `${base}.csr`, '-CA', join(env().dir, CLIENT_CA.cert), '-CAkey', join(env().dir, CLIENT_CA.key), '-CAcreateserial', '-days', '1', '-out', `${base}.crt`], { stdio: 'ignore' });
    return { cert: readFileSync(`${base}.crt`, 'utf8'), key: readFileSync(`${base}.key`, 'utf8') };
  }

  /** The audit records of SelfSubjectReviews (the test API server logs them all). */
  function auditedReviews(): { user: { username: string }; impersonatedUser?: { username: string; groups?: string[] }; userAgent: string }[] {
    return readFileSync(join(env().dir, AUDIT_LOG), 'utf8')
      .split('\n')
      .filter((line) => line.includes('"selfsubjectreviews"'))
      .map((line) => JSON.parse(line) as { user: { username: string }; impersonatedUser?: { username: string; groups?: string[] }; userAgent: string });
  }

  it('a token', async () => {
    expect((await whoami(clientsWith('token', { token: adminToken }))).username).toBe('flowshift-test-admin');
  });

  it('a token file, read again after it is rotated', async () => {
    const [first, second] = [await serviceAccountToken('first'), await serviceAccountToken('second')];
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, `${first}\n`);
    const clients = clientsWith('token-file', { tokenFile }, {}, 200);
    expect((await whoami(clients)).username).toBe(`system:serviceaccount:${namespace}:first`);
    writeFileSync(tokenFile, `${second}\n`);
    // Within the re-read period the token read before is still used, as kubectl and client-go do.
    await sleep(300);
    expect((await whoami(clients)).username).toBe(`system:serviceaccount:${namespace}:second`);
  });

  it('a client certificate, and the new one once its files are rotated', async () => {
    const alice = clientCertificate('alice');
    writeFileSync(join(dir, 'client.crt'), alice.cert);
    writeFileSync(join(dir, 'client.key'), alice.key);
    const clients = clientsWith('cert', { 'client-certificate': join(dir, 'client.crt'), 'client-key': join(dir, 'client.key') });
    expect((await whoami(clients)).username).toBe('alice');
    const bob = clientCertificate('bob');
    writeFileSync(join(dir, 'client.crt'), bob.cert);
    writeFileSync(join(dir, 'client.key'), bob.key);
    expect((await whoami(clients)).username).toBe('bob');
    await clients.close();
  });

  it('an exec credential plugin', async () => {
    const credential = JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token: adminToken } });
    const clients = clientsWith('exec', { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'sh', args: ['-c', `echo '${credential}'`], interactiveMode: 'Never' } });
    expect((await whoami(clients)).username).toBe('flowshift-test-admin');
  });

  it('impersonation of a user and a group, which the audit log names, with flowshift as the user agent', async () => {
    const clients = clientsWith('impersonate', { token: adminToken, as: 'someone', 'as-groups': ['release-team'] });
    const seen = await whoami(clients);
    expect(seen.username).toBe('someone');
    expect(seen.groups).toContain('release-team');
    await waitFor('the audit record', () => Promise.resolve(auditedReviews().some((r) => r.impersonatedUser?.username === 'someone')), { timeoutMs: 10_000 });
    const record = auditedReviews().find((r) => r.impersonatedUser?.username === 'someone');
    expect(record?.user.username).toBe('flowshift-test-admin');
    expect(record?.impersonatedUser?.groups).toContain('release-team');
    expect(record?.userAgent).toBe(USER_AGENT);
    expect(USER_AGENT).toBe(`flowshift/${FLOWSHIFT_VERSION}`);
  });

  it('refuses impersonation of several groups, which it could not send, naming the field', () => {
    const file = join(dir, 'groups.yaml');
    writeFileSync(file, kubeconfigJson(server, { 'certificate-authority-data': ca }, { token: adminToken, as: 'someone', 'as-groups': ['a', 'b'] }));
    expect(() => loadKubeConfig({ kubeconfig: file })).toThrow(/as-groups/);
  });

  it('insecure-skip-tls-verify, without the CA', async () => {
    const file = join(dir, 'insecure.yaml');
    writeFileSync(file, kubeconfigJson(server, { 'insecure-skip-tls-verify': true }, { token: adminToken }));
    expect((await whoami(new KubeClients(loadKubeConfig({ kubeconfig: file })))).username).toBe('flowshift-test-admin');
  });

  it('tls-server-name: the certificate is checked against the name given, not the address', async () => {
    // The serving certificate (kube-apiserver's self-signed one) names 127.0.0.1 and "kubernetes", never "elsewhere.example".
    const wrong = clientsWith('server-name-wrong', { token: adminToken }, { 'tls-server-name': 'elsewhere.example' });
    await expect(whoami(wrong)).rejects.toThrow();
    const right = clientsWith('server-name', { token: adminToken }, { 'tls-server-name': 'kubernetes' });
    expect((await whoami(right)).username).toBe('flowshift-test-admin');
  });

  describe('through a proxy', () => {
    let proxy: ConnectProxy;
    const names = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy'] as const;
    const saved = new Map(names.map((name) => [name, process.env[name]]));
    beforeAll(async () => {
      proxy = await connectProxy();
    });
    afterEach(() => {
      for (const [name, value] of saved) {
        if (value === undefined) Reflect.deleteProperty(process.env, name);
        else process.env[name] = value;
      }
    });
    afterAll(() => proxy.close());

    it("the kubeconfig's proxy-url: the proxy opens the tunnel to the API server", async () => {
      proxy.tunnels.length = 0;
      const clients = clientsWith('proxy-url', { token: adminToken }, { 'proxy-url': proxy.url });
      expect((await whoami(clients)).username).toBe('flowshift-test-admin');
      expect(proxy.tunnels).toEqual([new URL(server).host]);
      await clients.close();
    });

    it('HTTPS_PROXY, and NO_PROXY to go around it', async () => {
      proxy.tunnels.length = 0;
      process.env['HTTPS_PROXY'] = proxy.url;
      process.env['NO_PROXY'] = '';
      const proxied = clientsWith('env-proxy', { token: adminToken });
      expect((await whoami(proxied)).username).toBe('flowshift-test-admin');
      expect(proxy.tunnels).toEqual([new URL(server).host]);
      await proxied.close();
      process.env['NO_PROXY'] = '127.0.0.1';
      const direct = clientsWith('no-proxy', { token: adminToken });
      expect((await whoami(direct)).username).toBe('flowshift-test-admin');
      expect(proxy.tunnels).toHaveLength(1);
      await direct.close();
    });
  });
});
