import type { Logger } from 'pino';
import type { Condition, Rollout } from '../api/types.gen.js';
import type { EventRecorder } from './kube-events.js';
import { EventType, type RolloutEvent } from '../domain/model.js';
import { rolloutKey } from '../kube/names.js';
import { Conflict, type RolloutClient } from '../kube/rollouts.js';
import { checkAlerts, providerNamespace, type AlertProblem, type AlertSources } from './alerts.js';
import { notificationsOf } from './derive.js';
import { admits } from './notification.js';
import type { DeliveryJob } from './deliver.js';

export const ALERTS_READY = 'AlertsReady';

export interface ReleaseNotifierDeps {
  readonly sources: AlertSources;
  readonly enqueue: (jobId: string, job: DeliveryJob) => Promise<void>;
  readonly rollouts: Pick<RolloutClient, 'writeStatus'>;
  readonly events: Pick<EventRecorder, 'record'>;
  /** The target's container images, from the informer cache. */
  readonly images: (rollout: Rollout) => readonly string[];
  readonly cluster: string | undefined;
  readonly clock: () => Date;
  readonly log: Logger;
}

/**
 * Turns a won status write into messages on the notification queue, and keeps
 * the AlertsReady condition: an alert whose AlertProvider or Secret is missing
 * is reported at once (condition + Warning Event) and never holds the release.
 */
export class ReleaseNotifier {
  constructor(private readonly deps: ReleaseNotifierDeps) {}

  /**
   * `before` is the Rollout the tick read, `after` the one its status write
   * returned. Only a tick whose write won gets here with a new resourceVersion;
   * the job id names that write, so nothing is ever enqueued twice. Never throws.
   */
  async afterWrite(before: Rollout, after: Rollout, events: readonly RolloutEvent[]): Promise<void> {
    try {
      await this.notify(before, after, events);
    } catch (err) {
      this.deps.log.warn({ err, rollout: rolloutKey(after) }, 'could not queue notifications');
    }
  }

  private async notify(before: Rollout, after: Rollout, events: readonly RolloutEvent[]): Promise<void> {
    const alerts = after.spec.analysis?.alerts ?? [];
    const version = after.metadata.resourceVersion ?? '';
    if (!alerts.length) return this.dropCondition(after);
    // A tick that wrote nothing has nothing to tell, but may still clear a fixed AlertsReady problem.
    const won = version !== '' && version !== before.metadata.resourceVersion;
    const notes = won ? notificationsOf(before, after, events, { cluster: this.deps.cluster, images: this.deps.images(after), now: this.deps.clock() }) : [];
    if (!notes.length && !this.needsCheck(after)) return;
    const { ready, problems } = await checkAlerts(this.deps.sources, after);
    await this.report(after, problems);
    const uid = after.metadata.uid ?? '';
    const jobs: Promise<void>[] = [];
    notes.forEach((note, index) => {
      for (const alert of alerts) {
        if (!ready.has(alert.name) || !admits(alert.severity ?? 'info', note.severity)) continue;
        const job: DeliveryJob = { notification: note, alert: alert.name, provider: { namespace: providerNamespace(after, alert), name: alert.providerRef.name } };
        jobs.push(this.deps.enqueue(jobIdOf(uid, version, index, alert.name), job));
      }
    });
    await Promise.all(jobs);
  }

  /** Re-check the providers when the spec changed or while a problem stands, even with nothing to send. */
  private needsCheck(rollout: Rollout): boolean {
    const condition = rollout.status?.conditions?.find((c) => c.type === ALERTS_READY);
    return !condition || condition.status !== 'True' || condition.observedGeneration !== rollout.metadata.generation;
  }

  /** No alerts left: a stale AlertsReady would mislead. */
  private async dropCondition(rollout: Rollout): Promise<void> {
    const conditions = rollout.status?.conditions ?? [];
    if (!conditions.some((c) => c.type === ALERTS_READY)) return;
    await this.deps.rollouts.writeStatus(rollout, { ...rollout.status, conditions: conditions.filter((c) => c.type !== ALERTS_READY) });
  }

  /** Writes AlertsReady when it changed; a new problem also gets a Warning Event naming the object. */
  private async report(rollout: Rollout, problems: readonly AlertProblem[]): Promise<void> {
    const conditions = rollout.status?.conditions ?? [];
    const prev = conditions.find((c) => c.type === ALERTS_READY);
    const condition = alertsCondition(problems, prev, rollout.metadata.generation ?? 0, this.deps.clock());
    if (prev && prev.status === condition.status && prev.message === condition.message && prev.observedGeneration === condition.observedGeneration) return;
    const next = { ...rollout.status, conditions: [...conditions.filter((c) => c.type !== ALERTS_READY), condition] };
    const written = await this.deps.rollouts.writeStatus(rollout, next);
    // Lost to a newer write: the next tick checks again.
    if (written === Conflict || !problems.length || prev?.message === condition.message) return;
    this.deps.log.warn({ rollout: rolloutKey(rollout), problems: problems.map((p) => p.message) }, 'alerts cannot be delivered');
    await this.deps.events.record(written, { type: EventType.Warning, reason: 'AlertMisconfigured', message: `alerts will not be sent: ${condition.message}` });
  }
}

function alertsCondition(problems: readonly AlertProblem[], prev: Condition | undefined, generation: number, now: Date): Condition {
  const status: Condition['status'] = problems.length ? 'False' : 'True';
  return {
    type: ALERTS_READY,
    status,
    reason: problems.length ? 'AlertProviderMissing' : 'AlertProvidersFound',
    message: problems.length ? problems.map((p) => p.message).join('; ') : 'every alert has its AlertProvider and Secret',
    lastTransitionTime: prev?.status === status ? prev.lastTransitionTime : now.toISOString(),
    observedGeneration: generation,
  };
}

/** BullMQ job ids may not contain ":"; a resourceVersion names exactly one write. */
export function jobIdOf(uid: string, resourceVersion: string, index: number, alert: string): string {
  return `${uid}.${resourceVersion}.${index}.${alert}`;
}

