import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { isRecord } from '../json.js';

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** Where the cluster connection comes from: the command line's --kubeconfig and --context, else kubectl's defaults. */
export interface KubeConfigSource {
  readonly kubeconfig?: string | undefined;
  readonly context?: string | undefined;
}

/**
 * What the current kubeconfig user asks for that client-node 2.0 does not
 * apply, so flowshift's connection applies it (src/kube/connection.ts):
 * kubectl's `tokenFile` (client-node reads only `token-file`, and once), and
 * impersonation beyond `as` (`as-uid`, `as-groups`, `as-user-extra`).
 */
export interface UserExtras {
  readonly tokenFile?: string;
  readonly impersonateUid?: string;
  readonly impersonateGroups: readonly string[];
  readonly impersonateExtra: Readonly<Record<string, readonly string[]>>;
}

export const NO_EXTRAS: UserExtras = Object.freeze({ impersonateGroups: [], impersonateExtra: {} });

export interface LoadedKubeConfig {
  readonly kubeConfig: KubeConfig;
  readonly extras: UserExtras;
}

export class KubeConfigError extends Error {
  readonly code = 'FLOWSHIFT_KUBECONFIG';
  override readonly name = 'KubeConfigError';
}

/**
 * Loads the cluster connection as kubectl finds it, through client-node:
 * `--kubeconfig`, else KUBECONFIG (files merged), else ~/.kube/config, else
 * the pod's ServiceAccount; then `--context`. Refuses to fall back to
 * client-node's http://localhost:8080 when none of them exists.
 */
export function loadKubeConfig(source: KubeConfigSource = {}): LoadedKubeConfig {
  const files = source.kubeconfig ? [source.kubeconfig] : defaultFiles();
  const kubeConfig = load(files);
  if (source.context) {
    if (!kubeConfig.getContextObject(source.context)) throw new KubeConfigError(`context "${source.context}" does not exist in the kubeconfig`);
    kubeConfig.setCurrentContext(source.context);
  }
  if (!kubeConfig.getContextObject(kubeConfig.getCurrentContext())) {
    throw new KubeConfigError(`the kubeconfig (${files.join(', ')}) has no context "${kubeConfig.getCurrentContext()}", its current-context: set current-context or pass --context`);
  }
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster?.server) throw new KubeConfigError(`the kubeconfig's current context "${kubeConfig.getCurrentContext()}" names no cluster with a server: set current-context or pass --context`);
  return { kubeConfig, extras: userExtras(files, kubeConfig.getCurrentUser()?.name) };
}

function load(files: readonly string[]): KubeConfig {
  const kubeConfig = new KubeConfig();
  try {
    if (files.length) loadMerged(kubeConfig, files);
    else if (existsSync(SERVICE_ACCOUNT_TOKEN) && process.env['KUBERNETES_SERVICE_HOST']) kubeConfig.loadFromCluster();
    else throw new KubeConfigError('no kubeconfig found: pass --kubeconfig, set KUBECONFIG, create ~/.kube/config, or run in a pod with a ServiceAccount');
  } catch (err) {
    if (err instanceof KubeConfigError) throw err;
    throw new KubeConfigError(`cannot load the kubeconfig ${files.join(', ') || '(in-cluster)'}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  return kubeConfig;
}

/**
 * Several kubeconfig files merge as kubectl merges them: the first file to
 * name an entry or set the current context wins. client-node's
 * loadFromDefault merges too, but throws on an entry two files name.
 */
function loadMerged(kubeConfig: KubeConfig, files: readonly string[]): void {
  const [first = '', ...rest] = files;
  kubeConfig.loadFromFile(first);
  for (const file of rest) {
    const next = new KubeConfig();
    next.loadFromFile(file);
    for (const c of next.getClusters()) if (!kubeConfig.getCluster(c.name)) kubeConfig.addCluster(c);
    for (const u of next.getUsers()) if (!kubeConfig.getUser(u.name)) kubeConfig.addUser(u);
    for (const c of next.getContexts()) if (!kubeConfig.getContextObject(c.name)) kubeConfig.addContext(c);
    if (!kubeConfig.getCurrentContext()) kubeConfig.setCurrentContext(next.getCurrentContext());
  }
}

function defaultFiles(): string[] {
  const fromEnv = process.env['KUBECONFIG'];
  if (fromEnv) return fromEnv.split(delimiter).filter((f) => f && existsSync(f));
  const home = join(homedir(), '.kube', 'config');
  return existsSync(home) ? [home] : [];
}

interface RawUser {
  readonly tokenFile?: unknown;
  readonly 'as-uid'?: unknown;
  readonly 'as-groups'?: unknown;
  readonly 'as-user-extra'?: unknown;
}

/** The current user's fields client-node drops, from the first file that names the user (kubectl's merge rule). */
function userExtras(files: readonly string[], userName: string | undefined): UserExtras {
  if (!userName) return NO_EXTRAS;
  for (const file of files) {
    const doc = parse(readFileSync(file, 'utf8')) as { users?: { name?: unknown; user?: RawUser }[] } | null;
    const entry = doc?.users?.find((u) => u.name === userName);
    if (!entry) continue;
    const user = entry.user ?? {};
    const groups = strings(user['as-groups']);
    const extra = Object.entries(isRecord(user['as-user-extra']) ? user['as-user-extra'] : {}).map(([k, v]) => [k, strings(v)] as const);
    // fetch joins a repeated header into one "a, b" value, which the API server reads as one group: refuse rather than impersonate the wrong one.
    if (groups.length > 1 || extra.some(([, v]) => v.length > 1)) {
      throw new KubeConfigError(`kubeconfig user "${userName}" (${file}) impersonates several groups or extra values (as-groups, as-user-extra): flowshift can send one of each; keep one, or bind the roles to the impersonated user`);
    }
    const tokenFile = typeof user.tokenFile === 'string' && user.tokenFile ? absolute(user.tokenFile, file) : undefined;
    return {
      ...(tokenFile ? { tokenFile } : {}),
      ...(typeof user['as-uid'] === 'string' ? { impersonateUid: user['as-uid'] } : {}),
      impersonateGroups: groups,
      impersonateExtra: Object.fromEntries(extra),
    };
  }
  return NO_EXTRAS;
}

/** Relative paths in a kubeconfig are relative to its file, as kubectl reads them. */
function absolute(path: string, file: string): string {
  return path.startsWith('/') ? path : join(file, '..', path);
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

