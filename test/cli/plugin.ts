import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { env } from '../support/env/context.js';
import { startProcess, waitFor, type ManagedProcess } from '../../devenv/env/processes.js';
import { copyAssets } from '../../scripts/copy-assets.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Builds the plugin with the project's build config into a folder of this test
 * run and links it onto a PATH folder as `kubectl-flowshift`, the way
 * `npm install -g` links a package's bin: the file itself, run by its
 * `#!/usr/bin/env node` line, with plain node and no TypeScript loader. The
 * first test file to get here builds; the others wait for it.
 */
export async function installPlugin(): Promise<string> {
  const dir = join(env().dir, 'kubectl-plugin');
  const bin = join(dir, 'bin');
  const built = join(dir, 'built');
  try {
    mkdirSync(dir);
  } catch {
    await waitFor('the plugin build of another test file', () => Promise.resolve(existsSync(built)), { timeoutMs: 110_000, intervalMs: 250 });
    return bin;
  }
  // dist/ of the worktree is left alone: another run may be using it.
  const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
  await run(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(dir, 'dist'), '--sourceMap', 'false'], { cwd: ROOT });
  copyAssets(join(dir, 'dist'));
  // The version is read from it at run time (src/version.ts), as from the package installed.
  const { name, version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version, type: 'module' }));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  mkdirSync(bin);
  const main = join(dir, 'dist/cli/main.js');
  chmodSync(main, 0o755);
  symlinkSync(main, join(bin, 'kubectl-flowshift'));
  writeFileSync(built, '');
  return bin;
}

export interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `kubectl flowshift …`: kubectl finds the plugin on PATH. The kubeconfig
 * is given as KUBECONFIG unless the test passes --kubeconfig itself.
 */
export async function kubectlFlowshift(bin: string, args: readonly string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run('kubectl', ['flowshift', ...args], { env: pluginEnv(bin, extraEnv) });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** Starts a long-running `kubectl flowshift …` (status -w); its stdout and stderr go to `logFile`. */
export function startKubectlFlowshift(bin: string, args: readonly string[], logFile: string): ManagedProcess {
  return startProcess('kubectl flowshift', 'kubectl', ['flowshift', ...args], { logFile, env: pluginEnv(bin, {}) });
}

export function readLog(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

function pluginEnv(bin: string, extraEnv: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...process.env, KUBECONFIG: env().kubeconfigPath, ...extraEnv, PATH: `${bin}:${process.env['PATH'] ?? ''}` };
}
