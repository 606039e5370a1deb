// `npm run package:plugin`: the krew archive and its manifest. Builds into a
// folder of this run with a copy of the manifest (the checkout's is left alone).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { env } from '../support/env/context.js';
import { startProcess, waitFor } from '../../devenv/env/processes.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

interface KrewPlatform {
  readonly selector: unknown;
  readonly uri: string;
  readonly sha256: string;
  readonly bin: string;
}

describe('npm run package:plugin', () => {
  const dir = join(env().dir, 'package-plugin');
  const manifest = join(dir, 'flowshift.yaml');
  let archive: string;

  beforeAll(async () => {
    mkdirSync(dir, { recursive: true });
    copyFileSync(join(ROOT, 'plugins/flowshift.yaml'), manifest);
    await run('npm', ['run', '--silent', 'package:plugin', '--', '--out', dir, '--manifest', manifest], { cwd: ROOT });
    archive = join(dir, `kubectl-flowshift-v${VERSION}.tar.gz`);
  }, 180_000);

  it('writes a krew manifest naming the archive of this version and its sha256', () => {
    const plugin = parse(readFileSync(manifest, 'utf8')) as { apiVersion: string; kind: string; metadata: { name: string }; spec: { version: string; platforms: KrewPlatform[] } };
    expect(plugin).toMatchObject({ apiVersion: 'krew.googlecode.com/v1alpha2', kind: 'Plugin', metadata: { name: 'flowshift' }, spec: { version: `v${VERSION}` } });
    const sha256 = createHash('sha256').update(readFileSync(archive)).digest('hex');
    expect(plugin.spec.platforms.length).toBeGreaterThan(0);
    for (const platform of plugin.spec.platforms) {
      expect(platform).toMatchObject({ sha256, bin: 'dist/cli/main.js' });
      expect(platform.uri).toMatch(new RegExp(`/releases/download/v${VERSION}/kubectl-flowshift-v${VERSION}\\.tar\\.gz$`));
    }
  });

  it("unpacked on its own, the archive's entry point runs version with Node", async () => {
    const unpacked = join(dir, 'unpacked');
    mkdirSync(unpacked);
    await run('tar', ['-xzf', archive, '-C', unpacked]);
    // No node_modules above it but its own: what it needs is in the archive.
    const { stdout } = await run(process.execPath, [join(unpacked, 'dist/cli/main.js'), 'version'], { env: { ...process.env, KUBECONFIG: '/nonexistent' } });
    expect(stdout.split('\n')[0]).toBe(`plugin:     ${VERSION}`);
    expect(stdout).toContain('controller: unknown (');
    const { stdout: help } = await run(join(unpacked, 'dist/cli/main.js'), ['--help']);
    expect(help).toContain('promote [options] <rollout>');
    // backtest --chart inlines uPlot's files, read from the package at run time.
    expect(existsSync(join(unpacked, 'node_modules/uplot/dist/uPlot.iife.min.js'))).toBe(true);
    expect(existsSync(join(unpacked, 'node_modules/uplot/dist/uPlot.min.css'))).toBe(true);
  });

  it("unpacked, the dashboard serves its page and uPlot from the archive's own files", async () => {
    const unpacked = join(dir, 'unpacked-dashboard');
    mkdirSync(unpacked);
    await run('tar', ['-xzf', archive, '-C', unpacked]);
    // No API server is needed to serve the page: without one it says so on the page.
    const kubeconfig = join(dir, 'kubeconfig-nowhere');
    writeFileSync(kubeconfig, JSON.stringify({ apiVersion: 'v1', kind: 'Config', clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:1' } }], users: [{ name: 'u', user: { token: 'x' } }], contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }], 'current-context': 'c' }));
    const logFile = join(dir, 'dashboard.log');
    const proc = startProcess('dashboard', process.execPath, [join(unpacked, 'dist/cli/main.js'), 'dashboard', '--port', '0', '--kubeconfig', kubeconfig], { logFile, cwd: unpacked });
    try {
      let url = '';
      await waitFor('the dashboard URL', () => Promise.resolve((url = /http:\/\/127\.0\.0\.1:\d+\//.exec(readFileSync(logFile, 'utf8'))?.[0] ?? '') !== ''), { timeoutMs: 20_000, process: proc });
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<script type="module" src="/static/app.js"></script>');
      const uplot = await fetch(`${url}vendor/uPlot.iife.min.js`);
      expect(uplot.status).toBe(200);
      expect(await uplot.text()).toContain('uPlot');
      expect((await fetch(`${url}static/rollout.js`)).status).toBe(200);
    } finally {
      await proc.stop();
    }
  });
});
