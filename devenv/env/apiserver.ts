import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, fetch as undiciFetch } from 'undici';
import { freePort } from './ports.js';
import { startProcess, waitFor, type ManagedProcess } from './processes.js';

export interface ApiServer {
  readonly url: string;
  readonly process: ManagedProcess;
  /** Kubeconfig of an admin identity (group system:masters). */
  readonly kubeconfigPath: string;
  readonly adminToken: string;
  /** PEM bundle that verifies the API server's self-signed serving certificate. */
  readonly caData: string;
  /** What a second API server of this cluster needs (PeerApiServer). */
  readonly peer: PeerApiServerSpec;
}

/** File in the environment's folder with the audit records of AUDITED_NAMESPACE's ServiceAccounts, and of every SelfSubjectReview. */
export const AUDIT_LOG = 'audit.log';
export const AUDITED_NAMESPACE = 'flowshift-system';
/**
 * The certificate authority (PEM files in the environment's folder) whose
 * client certificates the API server accepts: the CN is the user name, each
 * O a group. Tests sign client certificates with it (openssl).
 */
export const CLIENT_CA = { cert: 'client-ca.crt', key: 'client-ca.key' } as const;

const AUDIT_POLICY = {
  apiVersion: 'audit.k8s.io/v1',
  kind: 'Policy',
  omitStages: ['RequestReceived'],
  rules: [
    { level: 'Metadata', userGroups: [`system:serviceaccounts:${AUDITED_NAMESPACE}`] },
    // Who a client was taken for, its User-Agent and whom it impersonated (test/kube/credentials.test.ts).
    { level: 'Metadata', resources: [{ group: 'authentication.k8s.io', resources: ['selfsubjectreviews'] }] },
    { level: 'None' },
  ],
};

/**
 * Starts kube-apiserver with secure serving (self-signed certificate), static
 * token authentication, RBAC authorization and freshly generated
 * service-account keys.
 */
export async function startApiServer(binary: string, etcdUrl: string, dir: string, extraArgs: readonly string[] = []): Promise<ApiServer> {
  const port = await freePort();
  const certDir = join(dir, 'apiserver-certs');
  mkdirSync(certDir, { recursive: true });
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(join(dir, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(join(dir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
  const adminToken = randomBytes(24).toString('hex');
  writeFileSync(join(dir, 'tokens.csv'), `${adminToken},flowshift-test-admin,1,"system:masters"\n`);
  writeFileSync(join(dir, 'audit-policy.json'), JSON.stringify(AUDIT_POLICY));
  // openssl -batch: no prompt; a day is longer than any test run.
  execFileSync('openssl', ['req', '-batch', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=flowshift-test-client-ca', '-keyout', join(dir, CLIENT_CA.key), '-out', join(dir, CLIENT_CA.cert)], { stdio: 'ignore' });

  const peer: PeerApiServerSpec = { binary, etcdUrl, etcdPrefix: `/flowshift-${randomBytes(4).toString('hex')}`, dir, adminToken };
  const proc = startProcess(
    'kube-apiserver',
    binary,
    [
      ...clusterArgs(peer),
      `--secure-port=${port}`,
      `--cert-dir=${certDir}`,
      // Every request of the installed controller's ServiceAccount (test/install/rbac.test.ts).
      `--audit-policy-file=${join(dir, 'audit-policy.json')}`,
      `--audit-log-path=${join(dir, AUDIT_LOG)}`,
      '--audit-log-format=json',
      ...extraArgs,
    ],
    { logFile: join(dir, 'kube-apiserver.log') },
  );
  const url = `https://127.0.0.1:${port}`;
  const caData = await ready(url, certDir, adminToken, proc);
  const kubeconfigPath = join(dir, 'kubeconfig');
  writeFileSync(kubeconfigPath, kubeconfigYaml(url, caData, adminToken));
  return { url, process: proc, kubeconfigPath, adminToken, caData, peer };
}

/** Waits for /readyz; returns the CA that verifies the server's self-signed certificate. */
async function ready(url: string, certDir: string, adminToken: string, proc: ManagedProcess): Promise<string> {
  let caData = '';
  await waitFor(
    'kube-apiserver /readyz',
    async () => {
      caData = readFileSync(join(certDir, 'apiserver.crt'), 'utf8');
      const dispatcher = new Agent({ connect: { ca: caData } });
      try {
        // undici's own fetch: a dispatcher of undici 8 does not fit the older undici inside Node's global fetch.
        const res = await undiciFetch(`${url}/readyz`, { headers: { authorization: `Bearer ${adminToken}` }, dispatcher });
        return res.ok;
      } finally {
        await dispatcher.close();
      }
    },
    { timeoutMs: 90_000, process: proc, intervalMs: 250 },
  );
  return caData;
}

/** What another API server of the same cluster needs: the binary, and the storage and identity files of the first. */
export interface PeerApiServerSpec {
  readonly binary: string;
  readonly etcdUrl: string;
  readonly etcdPrefix: string;
  /** The environment's folder: tokens, client CA and service-account keys. */
  readonly dir: string;
  /** The admin's token, for the readiness probe and the kubeconfig written. */
  readonly adminToken: string;
}

/** The flags every API server of the test cluster shares: the same storage, users, CAs and service-account keys. */
function clusterArgs(spec: PeerApiServerSpec): string[] {
  const { etcdUrl, etcdPrefix, dir } = spec;
  return [
    `--etcd-servers=${etcdUrl}`,
    `--etcd-prefix=${etcdPrefix}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--token-auth-file=${join(dir, 'tokens.csv')}`,
    `--client-ca-file=${join(dir, CLIENT_CA.cert)}`,
    '--authorization-mode=RBAC',
    `--service-account-key-file=${join(dir, 'sa.pub')}`,
    `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    '--service-cluster-ip-range=10.96.0.0/16',
    '--allow-privileged=true',
    // As in hardened clusters: setting blockOwnerDeletion needs update on the owner's finalizers.
    '--enable-admission-plugins=OwnerReferencesPermissionEnforcement',
    // The "kubernetes" Service cannot have a loopback endpoint; nothing here needs it.
    '--endpoint-reconciler-type=none',
    '--v=1',
  ];
}

/**
 * A second kube-apiserver of the test cluster (the same etcd prefix, so
 * the same objects; the same tokens and CAs), on a port of its own, that a
 * test may stop and start again as an API server restarts: the shared one
 * serves every other test file and must stay up. It starts again on the
 * same port with the same certificate (kept in its --cert-dir), so a
 * client's kubeconfig stays valid across the restart.
 */
export class PeerApiServer {
  private proc: ManagedProcess;

  private constructor(
    private readonly spec: PeerApiServerSpec,
    private readonly name: string,
    readonly port: number,
    readonly kubeconfigPath: string,
    proc: ManagedProcess,
  ) {
    this.proc = proc;
  }

  static async start(spec: PeerApiServerSpec, name: string): Promise<PeerApiServer> {
    const { adminToken } = spec;
    const port = await freePort();
    const proc = launchPeer(spec, name, port);
    const caData = await ready(`https://127.0.0.1:${port}`, peerCertDir(spec, name), adminToken, proc);
    const kubeconfigPath = join(spec.dir, `kubeconfig-${name}`);
    writeFileSync(kubeconfigPath, kubeconfigYaml(`https://127.0.0.1:${port}`, caData, adminToken));
    return new PeerApiServer(spec, name, port, kubeconfigPath, proc);
  }

  /** SIGTERM, as a rolling restart stops an API server; resolves once it has exited. */
  stop(): Promise<void> {
    return this.proc.stop();
  }

  /** Starts it again after stop(), on the same port with the same certificate. */
  async start(): Promise<void> {
    if (this.proc.isRunning()) return;
    this.proc = launchPeer(this.spec, this.name, this.port);
    await ready(`https://127.0.0.1:${this.port}`, peerCertDir(this.spec, this.name), this.spec.adminToken, this.proc);
  }
}

const peerCertDir = (spec: PeerApiServerSpec, name: string): string => join(spec.dir, `apiserver-certs-${name}`);

function launchPeer(spec: PeerApiServerSpec, name: string, port: number): ManagedProcess {
  mkdirSync(peerCertDir(spec, name), { recursive: true });
  const args = [...clusterArgs(spec), `--secure-port=${port}`, `--cert-dir=${peerCertDir(spec, name)}`];
  return startProcess(`kube-apiserver-${name}`, spec.binary, args, { logFile: join(spec.dir, `kube-apiserver-${name}.log`) });
}

function kubeconfigYaml(server: string, caPem: string, token: string): string {
  const ca = Buffer.from(caPem).toString('base64');
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'flowshift-test', cluster: { server, 'certificate-authority-data': ca } }],
    users: [{ name: 'admin', user: { token } }],
    contexts: [{ name: 'flowshift-test', context: { cluster: 'flowshift-test', user: 'admin' } }],
    'current-context': 'flowshift-test',
  }, null, 2);
}
