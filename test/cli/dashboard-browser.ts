// What the dashboard's browser tests share: the built plugin's dashboard
// as a process of its own, and Debian's chromium driven by playwright-core.
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { env } from '../support/env/context.js';
import { waitFor, type ManagedProcess } from '../../devenv/env/processes.js';
import { readLog, startKubectlFlowshift } from './plugin.js';

/** Debian's chromium (CI installs it with apt-get): playwright-core downloads no browser. */
export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

export interface Dashboard {
  readonly process: ManagedProcess;
  readonly url: string;
  readonly log: () => string;
}

/** `kubectl flowshift dashboard --port 0 …` on PATH, once it has printed its URL. */
export async function startDashboard(bin: string, args: readonly string[], name: string): Promise<Dashboard> {
  const logFile = join(env().dir, `dashboard-${name}.log`);
  const proc = startKubectlFlowshift(bin, ['dashboard', '--port', '0', ...args], logFile);
  let url = '';
  await waitFor('the dashboard to print its URL', () => {
    url = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(readLog(logFile))?.[1] ?? '';
    return Promise.resolve(url !== '');
  }, { timeoutMs: 30_000, process: proc });
  return { process: proc, url, log: () => readLog(logFile) };
}

export function launchChromium(): Promise<Browser> {
  // --no-sandbox: the tests run as root in a container, where chromium's sandbox cannot start.
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}

/**
 * A page that knows whether it was reloaded: a mark set on its window lives
 * only as long as the document (a change of the #fragment keeps it).
 */
export async function openPage(browser: Browser, url: string): Promise<{ page: Page; reloaded: () => Promise<boolean> }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(url);
  await page.evaluate(() => Object.assign(globalThis, { notReloaded: true }));
  return { page, reloaded: async () => !(await page.evaluate(() => 'notReloaded' in globalThis)) };
}

/** The text of a cell of the list's row for `key`. */
export function cell(page: Page, key: string, field: string): Promise<string> {
  return page.locator(`tr[data-key="${key}"] td[data-field="${field}"]`).innerText();
}

/**
 * Clicks a Rollout page's `action` button and waits for its confirmation
 * dialog. The page renders again on every change the live stream brings; a
 * render between the mouse's down and up replaces the button, and the browser
 * then fires no click (CI saw the dialog never open, once): click again.
 */
export async function askFor(page: Page, action: string): Promise<void> {
  await waitFor(`the ${action} confirmation to open`, async () => {
    if (await page.locator('dialog#confirm[open]').count()) return true;
    await page.locator(`button[data-action="${action}"]:not([disabled])`).click();
    return (await page.locator('dialog#confirm[open]').count()) > 0;
  }, { timeoutMs: 30_000 });
}
