import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { resolveHelm } from '../../devenv/env/binaries.js';
import { env } from '../support/env/context.js';
import { ROOT, type Manifest } from './manifests.js';

export const CHART = join(ROOT, 'charts/flowshift');

/** The outcome of a helm command: a failure is returned, not thrown, so a test can read its message. */
export interface HelmResult {
  readonly ok: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs helm against the test API server, with its config, cache and data in
 * the environment's folder (never the user's ~/.config/helm).
 */
export async function helm(...args: string[]): Promise<HelmResult> {
  const home = join(env().dir, 'helm');
  mkdirSync(home, { recursive: true });
  const helmEnv = {
    ...process.env,
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_DATA_HOME: join(home, 'data'),
    KUBECONFIG: env().kubeconfigPath,
  };
  try {
    const { stdout, stderr } = await promisify(execFile)(await resolveHelm(), args, { env: helmEnv, maxBuffer: 16 * 1024 * 1024 });
    return { ok: true, stdout, stderr };
  } catch (err) {
    const failed = err as { stdout?: string; stderr?: string };
    return { ok: false, stdout: failed.stdout ?? '', stderr: failed.stderr ?? String(err) };
  }
}

/** helm's output, or an error carrying its stderr. */
export async function helmOk(...args: string[]): Promise<string> {
  const result = await helm(...args);
  if (!result.ok) throw new Error(`helm ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

export function parseManifests(yaml: string): Manifest[] {
  return parseAllDocuments(yaml).map((doc) => doc.toJS() as Manifest | null).filter((m): m is Manifest => m !== null);
}
