import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Pinned versions of the control-plane binaries the tests run. */
export const KUBERNETES_VERSION = 'v1.34.4';
/** Helm v3 for the chart's tests (test/install/helm*.test.ts); v3.22.0 is not used. */
export const HELM_VERSION = 'v3.21.4';
/** Built only when Debian's etcd is missing or too old for the API server. */
export const ETCD_VERSION = 'v3.6.4';
/**
 * Oldest etcd used from PATH. Kubernetes documents 3.5+ for v1.34, but
 * Debian 12's 3.4.23 serves the pinned API server for everything the tests do
 * (checked: readiness, CRDs, watches, status patches).
 */
const MIN_ETCD = [3, 4] as const;

const BUILD_SCRIPT = fileURLToPath(new URL('./build-kube-binaries.sh', import.meta.url));

export interface KubeBinaries {
  readonly kubeApiserver: string;
  readonly etcd: string;
}

/** Where built binaries live: outside the repo, so a fresh clone reuses them. */
export function cacheRoot(): string {
  const base = process.env['FLOWSHIFT_CACHE_DIR'] ?? join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'flowshift');
  return join(base, 'envtest');
}

export async function resolveKubeBinaries(): Promise<KubeBinaries> {
  const assets = process.env['KUBEBUILDER_ASSETS'];
  if (assets) {
    const found = { kubeApiserver: join(assets, 'kube-apiserver'), etcd: join(assets, 'etcd') };
    for (const file of Object.values(found)) {
      if (!existsSync(file)) throw new Error(`KUBEBUILDER_ASSETS=${assets} has no ${file}: point it at a folder holding kube-apiserver and etcd`);
    }
    return found;
  }
  const dir = join(cacheRoot(), `k8s-${KUBERNETES_VERSION}`);
  const kubeApiserver = join(dir, 'kube-apiserver');
  const builtEtcd = join(dir, `etcd-${ETCD_VERSION}`, 'etcd');
  // Debian's etcd is found on PATH by name: it needs no build.
  const etcd = findSystemEtcd() ?? builtEtcd;
  const needApiserver = !existsSync(kubeApiserver);
  const needEtcd = etcd === builtEtcd && !existsSync(builtEtcd);
  if (!needApiserver && !needEtcd) return { kubeApiserver, etcd };

  if (spawnSync('go', ['version'], { stdio: 'ignore' }).status !== 0) {
    throw new Error(
      `kube-apiserver ${KUBERNETES_VERSION} is not in ${dir} and Go is not on PATH. Either install Go (the test ` +
        'environment then builds kube-apiserver and etcd once into that cache), or set KUBEBUILDER_ASSETS to a ' +
        'folder holding kube-apiserver and etcd binaries.',
    );
  }
  if (needApiserver) await runBuild({ what: `kube-apiserver ${KUBERNETES_VERSION}`, minutes: 4, dest: dir }, ['bash', BUILD_SCRIPT, dir, KUBERNETES_VERSION]);
  if (needEtcd) await runBuild({ what: `etcd ${ETCD_VERSION}`, minutes: 2, dest: dirname(builtEtcd) }, ['bash', BUILD_SCRIPT, dirname(builtEtcd), '', ETCD_VERSION]);
  return { kubeApiserver, etcd };
}

/**
 * The helm binary ($HELM, or HELM_VERSION built once from its Go module into
 * the cache, like kube-apiserver): `go install` of helm.sh/helm/v3/cmd/helm.
 */
export async function resolveHelm(): Promise<string> {
  const given = process.env['HELM'];
  if (given) {
    if (!existsSync(given)) throw new Error(`HELM=${given} does not exist: point it at a helm ${HELM_VERSION} binary, or unset it`);
    return given;
  }
  const dir = join(cacheRoot(), `helm-${HELM_VERSION}`);
  const helm = join(dir, 'helm');
  if (existsSync(helm)) return helm;
  if (spawnSync('go', ['version'], { stdio: 'ignore' }).status !== 0) {
    throw new Error(`helm ${HELM_VERSION} is not in ${dir} and Go is not on PATH: install Go (the tests then build helm once into that cache), or set HELM to a helm binary`);
  }
  await runBuild({ what: `helm ${HELM_VERSION}`, minutes: 6, dest: dir }, ['go', 'install', '-trimpath', `-ldflags=${HELM_LDFLAGS.join(' ')}`, `helm.sh/helm/v3/cmd/helm@${HELM_VERSION}`], {
    GOBIN: dir,
    CGO_ENABLED: '0',
  });
  return helm;
}

/**
 * What helm's Makefile links in. Without them `helm version` says v3.21 and
 * `helm template` and `helm lint` assume Kubernetes 1.20, which a chart's
 * kubeVersion refuses; v3.21.4 builds against client-go v0.36, so 1.36.
 */
const HELM_LDFLAGS = [
  '-s',
  '-w',
  `-X helm.sh/helm/v3/internal/version.version=${HELM_VERSION}`,
  ...['pkg/lint/rules', 'pkg/chartutil'].flatMap((pkg) => [`-X helm.sh/helm/v3/${pkg}.k8sVersionMajor=1`, `-X helm.sh/helm/v3/${pkg}.k8sVersionMinor=36`]),
];

/** Debian's etcd-server, when it is new enough for the pinned API server. */
function findSystemEtcd(): string | undefined {
  const out = spawnSync('etcd', ['--version'], { encoding: 'utf8' });
  if (out.status !== 0) return undefined;
  const match = /etcd Version: (\d+)\.(\d+)/.exec(out.stdout);
  if (!match) return undefined;
  const [major, minor] = [Number(match[1]), Number(match[2])];
  const newEnough = major > MIN_ETCD[0] || (major === MIN_ETCD[0] && minor >= MIN_ETCD[1]);
  if (!newEnough) {
    process.stderr.write(`[envtest] system etcd ${major}.${minor} is older than ${MIN_ETCD.join('.')}; using a built etcd ${ETCD_VERSION}\n`);
    return undefined;
  }
  return 'etcd';
}

/** What a build makes, for its progress lines. */
interface BuildLabel {
  readonly what: string;
  /** A cold build's duration on a 2-core machine, as measured. */
  readonly minutes: number;
  readonly dest: string;
}

const PROGRESS_EVERY_MS = 30_000;

/**
 * Runs a build command under the cache lock. A first start spends minutes
 * here, so it says how long to expect and then prints the elapsed time every
 * 30 s: never a silent wait.
 */
async function runBuild(label: BuildLabel, command: readonly [string, ...string[]], env: Record<string, string> = {}): Promise<void> {
  const lock = join(cacheRoot(), '.build-lock');
  mkdirSync(cacheRoot(), { recursive: true });
  try {
    mkdirSync(lock);
  } catch {
    throw new Error(`another build holds ${lock}; wait for it, or remove the folder if no build is running`);
  }
  const t0 = Date.now();
  process.stderr.write(`[envtest] building ${label.what} with Go (first run only, about ${label.minutes} minutes; cached in ${label.dest})\n`);
  const ticker = setInterval(() => {
    process.stderr.write(`[envtest] still building ${label.what}: ${elapsed(Date.now() - t0)} elapsed of about ${label.minutes} minutes\n`);
  }, PROGRESS_EVERY_MS);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      const [file, ...args] = command;
      const child = spawn(file, args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...env } });
      child.once('error', reject);
      child.once('exit', resolve);
    });
    if (code !== 0) throw new Error(`building ${label.what} failed (exit ${String(code)}); see the output above`);
    process.stderr.write(`[envtest] built ${label.what} in ${elapsed(Date.now() - t0)}\n`);
  } finally {
    clearInterval(ticker);
    rmSync(lock, { recursive: true, force: true });
  }
}

function elapsed(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}
