// kubectl flowshift dashboard end to end: the built plugin serves the page,
// Debian's chromium shows it, the controller releases a Rollout gated on
// Prometheus (the mesh simulator plays the data plane) and on a manual gate.
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { request } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricSpec, Rollout } from '../../src/api/types.gen.js';
import { serviceAccountWithRole } from '../support/env/service-accounts.js';
import { meshScenario, stopScenario, type MeshScenario } from '../support/mesh-scenario.js';
import { askFor, cell, launchChromium, openPage, startDashboard, type Dashboard } from './dashboard-browser.js';
import { manualGate } from './fixtures.js';
import { installPlugin } from './plugin.js';

const ADMIN = 'flowshift-test-admin';
/** The README's screenshot is this test's: rewritten with FLOWSHIFT_UPDATE_SCREENSHOT=1, otherwise taken into a temporary folder (a test run leaves the checkout as it was). */
const SCREENSHOT = process.env['FLOWSHIFT_UPDATE_SCREENSHOT']
  ? fileURLToPath(new URL('../../docs/images/dashboard-rollout.png', import.meta.url))
  : join(tmpdir(), `flowshift-dashboard-${process.pid}.png`);
const successRate: MetricSpec = { name: 'request-success-rate', interval: '10s', thresholdRange: { min: 99 } };
const latency: MetricSpec = { name: 'request-duration', interval: '10s', thresholdRange: { max: 500 }, compare: { baseline: 'primary', maxIncrease: '100%' } };

/** Every measurement of a metric in the status: its history and the latest. */
const measurements = (r: Rollout, metric: string): string[] => {
  const result = r.status?.analysis?.find((a) => a.name === metric);
  return result ? [...(result.history ?? []), result].map((m) => m.time) : [];
};

describe('kubectl flowshift dashboard, in chromium, with the controller releasing', () => {
  let bin: string;
  let browser: Browser;
  let scenario: MeshScenario;
  let admin: Dashboard;
  let page: Page;
  let reloaded: () => Promise<boolean>;
  const dashboards: Dashboard[] = [];
  const key = (): string => `${scenario.cluster.namespace}/podinfo`;

  beforeAll(async () => {
    [bin, browser, scenario] = await Promise.all([
      installPlugin(),
      launchChromium(),
      // threshold 3: the first check may land before two scrapes of the canary exist.
      meshScenario('dash', [successRate, latency], { threshold: 3, analysis: { webhooks: [manualGate] } }),
    ]);
    admin = await startDashboard(bin, ['-n', scenario.cluster.namespace], 'admin');
    dashboards.push(admin);
    ({ page, reloaded } = await openPage(browser, admin.url));
  });
  afterAll(async () => {
    await browser.close();
    for (const d of dashboards) await d.process.stop();
    await stopScenario(scenario);
  });

  it('lists the release moving live, step by step, without a reload', async () => {
    await page.locator(`tr[data-key="${key()}"] td[data-field="phase"]`, { hasText: 'Initialized' }).waitFor();
    // Every weight the row shows, recorded in the page as it changes.
    await page.evaluate((k) => {
      const seen: string[] = [];
      const record = (): void => {
        const text = (globalThis as unknown as { document: { querySelector(s: string): { textContent: string } | null } }).document.querySelector(`tr[data-key="${k}"] td[data-field="weight"]`)?.textContent ?? '';
        if (seen.at(-1) !== text) seen.push(text);
      };
      Object.assign(globalThis, { seenWeights: seen });
      setInterval(record, 50);
    }, key());
    await scenario.cluster.setImage('podinfo', 'podinfo:2');
    await page.locator(`tr[data-key="${key()}"] td[data-field="phase"]`, { hasText: 'WaitingPromotion' }).waitFor({ timeout: 90_000 });
    const seen = await page.evaluate(() => (globalThis as unknown as { seenWeights: string[] }).seenWeights);
    const weights = seen.map((s) => /(\d+)%/.exec(s)?.[1]);
    // The steps of stepWeights [20, 50] in order, each shown as the watch reported it.
    expect(weights.filter((w, i) => w !== weights[i - 1])).toEqual(expect.arrayContaining(['20', '50']));
    expect(weights.indexOf('20')).toBeLessThan(weights.indexOf('50'));
    expect(await cell(page, key(), 'waiting')).toBe('approval');
    expect(await reloaded()).toBe(false);
  });

  it('charts one point per analysis interval: every measurement in the status, canary against primary with the bound', async () => {
    await page.locator(`tr[data-key="${key()}"] td[data-field="name"] a`).click();
    const figure = page.locator('figure[data-metric="request-duration"]');
    await figure.waitFor();
    // The controller may still measure while the page loads: compare once both agree.
    let times: string[] = [];
    let points = 0;
    await expect.poll(async () => {
      times = measurements(await scenario.cluster.rollout('podinfo'), 'request-duration');
      points = Number(await figure.getAttribute('data-points'));
      // The release waits at its gate and goes on measuring: a few points make a chart worth a screenshot.
      return points === times.length && points >= 4;
    }, { timeout: 30_000 }).toBe(true);
    // One per analysis interval: no two points at the same check, none left out between the first and the last.
    expect(new Set(times).size).toBe(points);
    // The table sits in a closed <details>: its text, not its rendering.
    const shown = await figure.locator('table.measurements tbody tr td:first-child').allTextContents();
    const expected = await page.evaluate((ts) => ts.map((t) => new Date(t).toLocaleTimeString([], { hour12: false })), times);
    expect(shown).toEqual(expected);
    // canary, primary and the bound's max are drawn (uPlot's legend names each series).
    expect(await figure.locator('.u-legend .u-label').allInnerTexts()).toEqual(expect.arrayContaining(['canary', 'primary', 'bound max']));
    expect(await figure.locator('canvas').count()).toBe(1);
    expect(await page.locator('figure[data-chart="weight"]').getAttribute('data-points')).not.toBe('0');
    expect(await page.locator('dd[data-field="waiting-on"]').innerText()).toBe('approval');
    expect(await page.locator('dd[data-field="checks"]').innerText()).toMatch(/^\d+ failed, rollback at 3$/);
    mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(readFileSync(SCREENSHOT).subarray(1, 4).toString()).toBe('PNG');
    if (!process.env['FLOWSHIFT_UPDATE_SCREENSHOT']) rmSync(SCREENSHOT);
  });

  it("shows the API server's refusal when the user's RBAC may not patch Rollouts, and nothing is written", async () => {
    const namespace = scenario.cluster.namespace;
    const kubeconfig = await serviceAccountWithRole(namespace, 'viewer', [
      { apiGroups: ['flowshift.io'], resources: ['rollouts'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: [''], resources: ['events'], verbs: ['list'] },
    ]);
    const viewer = await startDashboard(bin, ['--kubeconfig', kubeconfig, '-n', namespace], 'viewer');
    dashboards.push(viewer);
    const { page: viewerPage } = await openPage(browser, `${viewer.url}#/rollouts/${namespace}/podinfo`);
    await askFor(viewerPage, 'approve');
    await viewerPage.locator('#confirm-ok').click();
    const outcome = viewerPage.locator('section.actions .outcome');
    await outcome.waitFor();
    expect(await outcome.getAttribute('data-status')).toBe('403');
    expect(await outcome.innerText()).toBe(
      `The API server refused approve (403): rollouts.flowshift.io "podinfo" is forbidden: User "system:serviceaccount:${namespace}:viewer" cannot patch resource "rollouts" in API group "flowshift.io" in the namespace "${namespace}"`,
    );
    const rollout = await scenario.cluster.rollout('podinfo');
    expect(rollout.metadata.annotations?.['flowshift.io/approve']).toBeUndefined();
    expect(rollout.status?.phase).toBe('WaitingPromotion');
    await viewerPage.close();
  });

  it('refuses control requests from other pages: another origin, no token, or a rebound host name', async () => {
    const url = new URL(`${admin.url}api/rollouts/${scenario.cluster.namespace}/podinfo/approve`);
    const answer = (headers: Record<string, string>, target = url): Promise<{ status: number; body: string }> =>
      new Promise((resolve, reject) => {
        const req = request(target, { method: 'POST', headers }, (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end();
      });
    const post = async (headers: Record<string, string>): Promise<number> => (await answer(headers)).status;
    const token = await page.locator('meta[name="flowshift-token"]').getAttribute('content');
    expect(await post({ origin: 'http://127.0.0.1:1', 'x-flowshift-token': token ?? '' })).toBe(403);
    expect(await post({ origin: url.origin })).toBe(403);
    expect(await post({ host: 'attacker.example', origin: 'http://attacker.example', 'x-flowshift-token': token ?? '' })).toBe(421);
    // A form another local page posts: the browser sends it, the dashboard refuses it.
    const other = await browser.newPage();
    await other.setContent(`<form method="POST" action="${url.href}"><button>go</button></form>`);
    const [response] = await Promise.all([other.waitForResponse(url.href), other.locator('button').click()]);
    expect(response.status()).toBe(403);
    await other.close();
    expect((await scenario.cluster.rollout('podinfo')).metadata.annotations?.['flowshift.io/approve']).toBeUndefined();
    // The same headers as the page's own request pass the checks, and reach the plugin's rules.
    const retry = await answer({ origin: url.origin, 'x-flowshift-token': token ?? '' }, new URL(url.href.replace(/approve$/, 'retry')));
    expect(retry.status).toBe(409);
    expect(JSON.parse(retry.body)).toEqual({ ok: false, httpStatus: 409, refusedBy: 'plugin', message: 'nothing to retry: podinfo is WaitingPromotion; retry releases a Failed revision again' });
  });

  it('approve on the waiting gate promotes the release, shown live with who approved', async () => {
    const revision = (await scenario.cluster.rollout('podinfo')).status?.lastAppliedSpec ?? '';
    await askFor(page, 'approve');
    expect(await page.locator('#confirm-text').innerText()).toBe(`${key()}: Open the manual gates of revision ${revision}?`);
    await page.locator('#confirm-ok').click();
    const outcome = page.locator('section.actions .outcome');
    await outcome.waitFor();
    expect(await outcome.innerText()).toBe(`podinfo: revision ${revision} approved; its manual gates open at the next tick (by ${ADMIN})`);
    await page.locator('h1 .badge', { hasText: 'Succeeded' }).waitFor({ timeout: 60_000 });
    const done = await scenario.cluster.rollout('podinfo');
    expect(done.status).toMatchObject({ phase: 'Succeeded', lastPromotedSpec: revision, approval: { revision, by: ADMIN } });
    expect(await page.locator('ol.timeline li.action').allInnerTexts()).toEqual([expect.stringContaining(`approved by ${ADMIN} (revision ${revision})`)]);
    expect(await page.locator('table.events td', { hasText: 'Succeeded' }).count()).toBeGreaterThan(0);
    expect(await reloaded()).toBe(false);
  });
});
