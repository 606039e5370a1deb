import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import type { Credentials, KubeEndpoint, TlsSettings } from './http.js';

const SERVICE_ACCOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';
/** Bound ServiceAccount tokens rotate (kubelet renews them at 80% of an hour): read the file again this often. */
const TOKEN_REREAD_MS = 60_000;

/**
 * The API server and credentials, found as kubectl finds them: `path`, else
 * KUBECONFIG, else ~/.kube/config, else the pod's ServiceAccount. Client
 * certificates and tokens (inline or in files) are read here; a user with an
 * exec plugin, an auth provider or a password is handed to client-node's
 * KubeConfig, loaded only then.
 */
export async function loadEndpoint(path?: string): Promise<KubeEndpoint> {
  const files = path ? [path] : kubeconfigFiles();
  if (files.length === 0) {
    if (existsSync(join(SERVICE_ACCOUNT, 'token')) && process.env['KUBERNETES_SERVICE_HOST']) return inCluster();
    throw new Error('no kubeconfig found: pass --kubeconfig, set KUBECONFIG, create ~/.kube/config, or run in a pod with a ServiceAccount');
  }
  const config = mergedKubeconfig(files);
  const context = config.contexts.get(config.currentContext);
  if (!context) throw new Error(`the kubeconfig (${files.join(', ')}) has no current context "${config.currentContext}": set current-context`);
  const cluster = config.clusters.get(context.cluster);
  if (!cluster?.server) throw new Error(`the kubeconfig's context "${config.currentContext}" names cluster "${context.cluster}", which has no server`);
  const user = config.users.get(context.user) ?? {};
  if (user.exec || user['auth-provider'] || user.username) return await viaClientNode(files, config.currentContext);
  const tls = defined({
    ca: pem(cluster['certificate-authority-data'], cluster['certificate-authority']),
    cert: pem(user['client-certificate-data'], user['client-certificate']),
    key: pem(user['client-key-data'], user['client-key']),
    rejectUnauthorized: cluster['insecure-skip-tls-verify'] ? false : undefined,
    servername: cluster['tls-server-name'],
  });
  const token = user.token ? (): string => user.token ?? '' : user.tokenFile ? rereadEvery(user.tokenFile) : undefined;
  return { server: cluster.server, credentials: credentialsOf(tls, token) };
}

/** The endpoint of a KubeConfig already loaded (the kubectl plugin's, with its --context): client-node applies its credentials. */
export function endpointOf(kubeConfig: KubeConfig): KubeEndpoint {
  const server = kubeConfig.getCurrentCluster()?.server;
  if (!server) throw new Error('the kubeconfig has no current cluster: set a context, or pass --kubeconfig');
  let tls: TlsSettings | undefined;
  return {
    server,
    credentials: async () => {
      const options: { headers?: Record<string, string>; ca?: Buffer; cert?: Buffer; key?: Buffer; rejectUnauthorized?: boolean; auth?: string } = {};
      await kubeConfig.applyToHTTPSOptions(options);
      const next = defined({ ca: options.ca, cert: options.cert, key: options.key, rejectUnauthorized: options.rejectUnauthorized });
      // The same settings keep the same object, so the connection pool is kept.
      if (!tls || !sameTls(tls, next)) tls = next;
      const headers = { ...options.headers };
      if (options.auth) headers['Authorization'] = `Basic ${Buffer.from(options.auth).toString('base64')}`;
      return { headers, tls };
    },
  };
}

function inCluster(): KubeEndpoint {
  const host = process.env['KUBERNETES_SERVICE_HOST'] ?? '';
  const port = process.env['KUBERNETES_SERVICE_PORT'] ?? '443';
  const server = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return { server, credentials: credentialsOf({ ca: readFileSync(join(SERVICE_ACCOUNT, 'ca.crt')) }, rereadEvery(join(SERVICE_ACCOUNT, 'token'))) };
}

function credentialsOf(tls: TlsSettings, token: (() => string) | undefined): () => Promise<Credentials> {
  return () => Promise.resolve({ headers: token ? { Authorization: `Bearer ${token()}` } : {}, tls });
}

function rereadEvery(file: string): () => string {
  let read = { token: '', at: -Infinity };
  return () => {
    if (Date.now() - read.at > TOKEN_REREAD_MS) read = { token: readFileSync(file, 'utf8').trim(), at: Date.now() };
    return read.token;
  };
}

async function viaClientNode(files: readonly string[], context: string): Promise<KubeEndpoint> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kubeConfig = new KubeConfig();
  if (files.length === 1) kubeConfig.loadFromFile(files[0] ?? '');
  else kubeConfig.loadFromDefault();
  kubeConfig.setCurrentContext(context);
  return endpointOf(kubeConfig);
}

function kubeconfigFiles(): string[] {
  const fromEnv = process.env['KUBECONFIG'];
  if (fromEnv) return fromEnv.split(delimiter).filter((f) => f && existsSync(f));
  const home = join(homedir(), '.kube', 'config');
  return existsSync(home) ? [home] : [];
}

interface Cluster {
  readonly server?: string;
  readonly 'certificate-authority-data'?: string;
  readonly 'certificate-authority'?: string;
  readonly 'insecure-skip-tls-verify'?: boolean;
  readonly 'tls-server-name'?: string;
}
interface User {
  readonly token?: string;
  readonly tokenFile?: string;
  readonly 'client-certificate-data'?: string;
  readonly 'client-certificate'?: string;
  readonly 'client-key-data'?: string;
  readonly 'client-key'?: string;
  readonly exec?: unknown;
  readonly 'auth-provider'?: unknown;
  readonly username?: string;
}
interface Context {
  readonly cluster: string;
  readonly user: string;
}
interface Kubeconfig {
  readonly currentContext: string;
  readonly clusters: Map<string, Cluster>;
  readonly users: Map<string, User>;
  readonly contexts: Map<string, Context>;
}

interface KubeconfigFile {
  readonly 'current-context'?: string;
  readonly clusters?: readonly { name: string; cluster?: Cluster }[];
  readonly users?: readonly { name: string; user?: User }[];
  readonly contexts?: readonly { name: string; context?: Context }[];
}

/** Several kubeconfig files merge as kubectl merges them: the first file to name an entry or the current context wins. */
function mergedKubeconfig(files: readonly string[]): Kubeconfig {
  const merged: Kubeconfig & { currentContext: string } = { currentContext: '', clusters: new Map(), users: new Map(), contexts: new Map() };
  const add = <T>(into: Map<string, T>, name: string, entry: T | undefined): void => {
    if (entry && !into.has(name)) into.set(name, entry);
  };
  for (const file of files) {
    const doc = readKubeconfig(file);
    const dir = dirname(file);
    merged.currentContext ||= doc['current-context'] ?? '';
    for (const { name, cluster } of doc.clusters ?? []) add(merged.clusters, name, { ...cluster, ...absolute(dir, cluster, ['certificate-authority']) });
    for (const { name, user } of doc.users ?? []) add(merged.users, name, { ...user, ...absolute(dir, user, ['client-certificate', 'client-key', 'tokenFile']) });
    for (const { name, context } of doc.contexts ?? []) add(merged.contexts, name, context);
  }
  return merged;
}

function readKubeconfig(file: string): KubeconfigFile {
  try {
    return (parse(readFileSync(file, 'utf8')) as KubeconfigFile | null) ?? {};
  } catch (err) {
    throw new Error(`cannot read the kubeconfig ${file}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

/** File paths in a kubeconfig are relative to the file. */
function absolute<T extends object>(dir: string, entry: T | undefined, keys: readonly (keyof T & string)[]): Partial<T> {
  const out: Partial<T> = {};
  for (const key of keys) {
    const value = entry?.[key];
    if (typeof value === 'string' && !isAbsolute(value)) out[key] = join(dir, value) as T[keyof T & string];
  }
  return out;
}

function pem(data: string | undefined, file: string | undefined): Buffer | undefined {
  if (data) return Buffer.from(data, 'base64');
  return file ? readFileSync(file) : undefined;
}

/** The settings that are set (TLS options distinguish unset from undefined). */
function defined(settings: { [K in keyof TlsSettings]: TlsSettings[K] | undefined }): TlsSettings {
  return Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined));
}

function sameTls(a: TlsSettings, b: TlsSettings): boolean {
  const same = (x: unknown, y: unknown): boolean => (Buffer.isBuffer(x) && Buffer.isBuffer(y) ? x.equals(y) : x === y);
  return same(a.ca, b.ca) && same(a.cert, b.cert) && same(a.key, b.key) && a.rejectUnauthorized === b.rejectUnauthorized;
}
