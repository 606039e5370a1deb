// The dashboard when its API server goes away and comes back: a second
// kube-apiserver of the test cluster (the shared one serves every other
// test file), stopped and started again under the running dashboard.
import { CustomObjectsApi } from '@kubernetes/client-node';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RolloutStatus } from '../../src/api/types.gen.js';
import { PeerApiServer } from '../../devenv/env/apiserver.js';
import { createNamespace, env, kubeConfig, mergePatch } from '../support/env/context.js';
import { quickRollout } from '../support/rollouts.js';
import { cell, launchChromium, openPage, startDashboard, type Dashboard } from './dashboard-browser.js';
import { installPlugin } from './plugin.js';

const progressing: RolloutStatus = { phase: 'Progressing', strategy: 'canary', canaryWeight: 20, lastAppliedSpec: '5f2e8a61c0d4b937', message: 'advanced canary weight to 20%' };

describe('kubectl flowshift dashboard while its API server restarts', () => {
  let bin: string;
  let browser: Browser;
  let peer: PeerApiServer;
  let dashboard: Dashboard | undefined;
  let namespace: string;
  const custom = kubeConfig().makeApiClient(CustomObjectsApi);
  const ref = (name: string): { group: string; version: string; plural: string; namespace: string; name: string } => ({ group: 'flowshift.io', version: 'v1alpha1', plural: 'rollouts', namespace, name });
  /** Written through the shared API server: the Rollout as the controller would have left it. */
  const create = async (name: string, status: RolloutStatus): Promise<void> => {
    await custom.createNamespacedCustomObject({ ...ref(name), body: quickRollout(name) });
    await custom.patchNamespacedCustomObjectStatus({ ...ref(name), body: { status } }, mergePatch);
  };

  beforeAll(async () => {
    [bin, browser, peer, namespace] = await Promise.all([installPlugin(), launchChromium(), PeerApiServer.start(env().peerApiServer, 'dashboard'), createNamespace('dash-outage')]);
    await create('before', progressing);
  });
  afterAll(async () => {
    await browser.close();
    await dashboard?.process.stop();
    await peer.stop();
  });

  it('says the API server is unreachable, keeps what it showed, and catches up by itself when it is back', async () => {
    dashboard = await startDashboard(bin, ['--kubeconfig', peer.kubeconfigPath, '-n', namespace], 'outage');
    const { page, reloaded } = await openPage(browser, dashboard.url);
    const banner = page.locator('#banner');
    const key = `${namespace}/before`;
    await page.locator(`tr[data-key="${key}"]`).waitFor();
    // The peer API server may refuse the dashboard's first try while it starts: the banner goes once a list answers.
    await banner.waitFor({ state: 'hidden', timeout: 10_000 });

    await peer.stop();
    await banner.getByText('No live updates: cannot reach the API server').waitFor({ timeout: 60_000 });
    expect(await page.locator('#live').innerText()).toBe('not live');
    // What was seen stays on the page.
    expect(await cell(page, key, 'weight')).toContain('20%');
    // The cluster goes on meanwhile (through the shared API server).
    await custom.patchNamespacedCustomObjectStatus({ ...ref('before'), body: { status: { canaryWeight: 40, message: 'advanced canary weight to 40%' } } }, mergePatch);
    await create('during', { ...progressing, canaryWeight: 60 });

    await peer.start();
    await banner.waitFor({ state: 'hidden', timeout: 90_000 });
    await page.locator(`tr[data-key="${namespace}/during"]`).waitFor({ timeout: 30_000 });
    expect(await cell(page, key, 'weight')).toContain('40%');
    expect(await page.locator('#live').innerText()).toBe('live');
    expect(await reloaded()).toBe(false);
    // The dashboard said it once each way in the terminal.
    expect(dashboard.log()).toMatch(/not watching Rollouts: cannot reach the API server: .*\n(?:.*\n)*?\S+ watching Rollouts\n/);
  });
});
