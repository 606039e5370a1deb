import { setTimeout as sleep } from 'node:timers/promises';
import type { Rollout } from '../../src/api/types.gen.js';
import { approveInteractively, approveWithPlugin } from './approval.js';
import { LiveView } from './live-view.js';
import { DemoObjects, FAULTY, HEALTHY } from './objects.js';
import { heading, say } from './say.js';
import type { Stack } from './stack.js';

/** How long the non-interactive demo lets the gate hold before approving: two ticks. */
const GATE_HOLD_MS = 10_000;
const phaseIs = (phase: string) => (r: Rollout): boolean => r.status?.phase === phase;

/** What the walk-through saw; the demo's last lines and its test read it. */
export interface Outcome {
  readonly promoted: boolean;
  readonly gateHeld: boolean;
  readonly rolledBack: boolean;
  readonly routesAfterRollback: string;
  readonly slackMessages: number;
}

/**
 * The story: install podinfo with its Rollout, release a healthy version
 * step by step up to the approval gate, promote it, then release a faulty
 * one that the checks roll back.
 */
export async function walkThrough(stack: Stack, interactive: boolean): Promise<Outcome> {
  const objects = new DemoObjects(stack.kubeConfig);
  heading('1. podinfo 6.5.0 with a Rollout');
  await objects.createAlertProvider(stack.sink.url);
  await objects.createApp('6.5.0');
  say('created Deployment podinfo (ghcr.io/stefanprodan/podinfo:6.5.0), AlertProvider slack (#deploys) and Rollout podinfo:');
  say('  steps 10% → 30% → 60% every 5s; each gated on request-success-rate ≥ 99% and request-duration p99 ≤ 500 ms');
  say('  (Prometheus, from the simulated Istio metrics); a manual confirm-promotion gate; rollback after 2 failed checks');
  const view = new LiveView(() => objects.rollout());
  try {
    await view.until(phaseIs('Initialized'));
    say(`initialized: podinfo-primary serves all traffic (routes: ${await objects.routes()})`);
    const gateHeld = await healthyRelease(stack, objects, view, interactive);
    const rolledBack = await faultyRelease(stack, objects, view);
    const routesAfterRollback = await objects.routes();
    say(`routes after the rollback: ${routesAfterRollback}`);
    await waitForSlack(stack, ['Promotion complete', 'Rolled back']);
    return { promoted: true, gateHeld, rolledBack, routesAfterRollback, slackMessages: stack.sink.received.length };
  } finally {
    await view.stop();
  }
}

async function healthyRelease(stack: Stack, objects: DemoObjects, view: LiveView, interactive: boolean): Promise<boolean> {
  heading('2. a healthy release: podinfo 6.6.0');
  say('$ kubectl set image deployment/podinfo podinfo=ghcr.io/stefanprodan/podinfo:6.6.0 -n demo');
  await objects.setImage('6.6.0');
  await view.until(phaseIs('WaitingPromotion'));
  heading('3. the confirm-promotion gate holds the release');
  let gateHeld: boolean;
  if (interactive) {
    await approveInteractively(stack, view);
    gateHeld = true;
  } else {
    await sleep(GATE_HOLD_MS);
    const still = await objects.rollout();
    gateHeld = still.status?.phase === 'WaitingPromotion';
    say(`${GATE_HOLD_MS / 1000}s later the phase is ${still.status?.phase ?? 'none'}: ${gateHeld ? 'the gate holds until someone approves' : 'the gate did NOT hold'}`);
    await approveWithPlugin(stack);
  }
  await view.until(phaseIs('Succeeded'));
  say(`promoted: podinfo-primary now runs 6.6.0 (routes: ${await objects.routes()})`);
  return gateHeld;
}

async function faultyRelease(stack: Stack, objects: DemoObjects, view: LiveView): Promise<boolean> {
  heading('4. a faulty release: podinfo 6.7.0 answers 25% of its requests with 5xx');
  stack.sim.setVersion('canary', FAULTY);
  say('mesh simulator: the canary (new version) now fails 1 request in 4');
  say('$ kubectl set image deployment/podinfo podinfo=ghcr.io/stefanprodan/podinfo:6.7.0 -n demo');
  await objects.setImage('6.7.0');
  const failed = await view.until(phaseIs('Failed'));
  say(`phase Failed; the status says: ${failed.status?.message ?? ''}`);
  stack.sim.setVersion('canary', HEALTHY);
  return true;
}

/** The last messages are posted after the status write that ends a release: wait for them. */
async function waitForSlack(stack: Stack, titles: readonly string[]): Promise<void> {
  const deadline = Date.now() + 30_000;
  const missing = (): string[] => titles.filter((t) => !stack.sink.received.some((m) => m.text.startsWith(t)));
  while (missing().length && Date.now() < deadline) await sleep(200);
  if (missing().length) say(`warning: no Slack message "${missing().join('", "')}" arrived within 30s; see the controller log`);
}

