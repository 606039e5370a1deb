import { setTimeout as sleep } from 'node:timers/promises';
import type { Rollout } from '../../src/api/types.gen.js';
import { renderStatus } from '../../src/cli/status-view.js';
import { block } from './say.js';

const POLL_MS = 500;

/**
 * The plugin's status view (`kubectl flowshift status`, the same render
 * function) printed whenever what a reader follows changes: the phase, the
 * weight, the failed checks or a gate. Metric values move on every tick, so
 * a change of those alone does not redraw.
 */
export class LiveView {
  /** Every phase the Rollout was seen in, in order. */
  readonly phases: string[] = [];
  private last: Rollout | undefined;
  private lastKey = '';
  private running = true;
  private readonly loop: Promise<void>;

  constructor(private readonly read: () => Promise<Rollout>) {
    this.loop = this.poll();
  }

  /** Resolves with the Rollout once `check` holds for it. */
  async until(check: (r: Rollout) => boolean): Promise<Rollout> {
    for (;;) {
      if (this.last && check(this.last)) return this.last;
      if (!this.running) throw new Error('the demo is stopping');
      await sleep(100);
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async poll(): Promise<void> {
    while (this.running) {
      try {
        this.show(await this.read());
      } catch {
        // The API server may be stopping, or the object not created yet: the next poll tells.
      }
      await sleep(POLL_MS);
    }
  }

  private show(rollout: Rollout): void {
    this.last = rollout;
    // Until the controller writes a status the view only says so; nothing to follow yet.
    if (!rollout.status) return;
    const status = rollout.status;
    const phase = status.phase ?? 'none';
    if (this.phases.at(-1) !== phase) this.phases.push(phase);
    const key = JSON.stringify([phase, status.canaryWeight, status.failedChecks, status.gates?.map((g) => g.open)]);
    if (key === this.lastKey) return;
    this.lastKey = key;
    block(['', ...renderStatus(rollout)]);
  }
}
