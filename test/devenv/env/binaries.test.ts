import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KUBERNETES_VERSION, resolveKubeBinaries } from '../../../devenv/env/binaries.js';

describe('resolveKubeBinaries', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('names both ways out when neither Go nor KUBEBUILDER_ASSETS is there', async () => {
    delete process.env['KUBEBUILDER_ASSETS'];
    process.env['FLOWSHIFT_CACHE_DIR'] = mkdtempSync(join(tmpdir(), 'flowshift-cache-'));
    process.env['PATH'] = mkdtempSync(join(tmpdir(), 'empty-path-'));
    await expect(resolveKubeBinaries()).rejects.toThrow(
      new RegExp(`kube-apiserver ${KUBERNETES_VERSION} is not in .* and Go is not on PATH\\. Either install Go .* or set KUBEBUILDER_ASSETS`),
    );
  });

  it('takes both binaries from KUBEBUILDER_ASSETS, and says which one is missing', async () => {
    const assets = mkdtempSync(join(tmpdir(), 'assets-'));
    process.env['KUBEBUILDER_ASSETS'] = assets;
    writeFileSync(join(assets, 'kube-apiserver'), '');
    await expect(resolveKubeBinaries()).rejects.toThrow(`KUBEBUILDER_ASSETS=${assets} has no ${join(assets, 'etcd')}`);
    writeFileSync(join(assets, 'etcd'), '');
    await expect(resolveKubeBinaries()).resolves.toEqual({ kubeApiserver: join(assets, 'kube-apiserver'), etcd: join(assets, 'etcd') });
  });

  it('reuses binaries already in the versioned cache without building', async () => {
    delete process.env['KUBEBUILDER_ASSETS'];
    const cache = mkdtempSync(join(tmpdir(), 'flowshift-cache-'));
    process.env['FLOWSHIFT_CACHE_DIR'] = cache;
    process.env['PATH'] = mkdtempSync(join(tmpdir(), 'empty-path-'));
    const dir = join(cache, 'envtest', `k8s-${KUBERNETES_VERSION}`);
    mkdirSync(join(dir, 'etcd-v3.6.4'), { recursive: true });
    writeFileSync(join(dir, 'kube-apiserver'), '');
    writeFileSync(join(dir, 'etcd-v3.6.4', 'etcd'), '');
    await expect(resolveKubeBinaries()).resolves.toEqual({ kubeApiserver: join(dir, 'kube-apiserver'), etcd: join(dir, 'etcd-v3.6.4', 'etcd') });
  });
});
