import type { Logger } from 'pino';
import type { Rollout } from '../api/types.gen.js';
import type { AlertsCheck, RolloutEvent } from '../domain/model.js';
import { rolloutKey } from '../api/names.js';
import { checkAlerts, providerNamespace, type AlertSources } from './alerts.js';
import { notificationsOf } from './derive.js';
import { admits } from './notification.js';
import type { DeliveryJob } from './deliver.js';

export interface ReleaseNotifierDeps {
  readonly sources: AlertSources;
  readonly enqueue: (jobId: string, job: DeliveryJob) => Promise<void>;
  /** The target's container images, from the informer cache. */
  readonly images: (rollout: Rollout) => readonly string[];
  readonly cluster: string | undefined;
  readonly clock: () => Date;
  readonly log: Logger;
}

/**
 * Turns a won status write into messages on the notification queue, for the
 * alerts that can be delivered. It writes nothing to the Rollout: decide()
 * keeps the AlertsReady condition from the same check.
 */
export class ReleaseNotifier {
  constructor(private readonly deps: ReleaseNotifierDeps) {}

  /**
   * `before` is the Rollout the tick read, `after` the one its status write
   * returned; `alerts` the tick's check of the alerts, when it made one.
   * Only a tick whose write won gets here with a new resourceVersion; the job
   * id names that write, so nothing is ever enqueued twice. Never throws.
   */
  async afterWrite(before: Rollout, after: Rollout, events: readonly RolloutEvent[], alerts: AlertsCheck | undefined): Promise<void> {
    try {
      await this.notify(before, after, events, alerts);
    } catch (err) {
      this.deps.log.warn({ err, rollout: rolloutKey(after) }, 'could not queue notifications');
    }
  }

  private async notify(before: Rollout, after: Rollout, events: readonly RolloutEvent[], alerts: AlertsCheck | undefined): Promise<void> {
    const specs = after.spec.analysis?.alerts ?? [];
    const version = after.metadata.resourceVersion ?? '';
    const won = version !== '' && version !== before.metadata.resourceVersion;
    if (!specs.length || !won) return;
    const notes = notificationsOf(before, after, events, { cluster: this.deps.cluster, images: this.deps.images(after), now: this.deps.clock() });
    if (!notes.length) return;
    // A decision whose own Events failed to apply (a dependency error) was not checked by this tick.
    // Ready means found, granted to this Rollout's namespace and with its Secret, as of this write: a grant revoked mid-release stops the messages here.
    const ready = new Set(alerts ? alerts.ready : (await checkAlerts(this.deps.sources, after)).ready);
    const uid = after.metadata.uid ?? '';
    const jobs: Promise<void>[] = [];
    notes.forEach((note, index) => {
      for (const alert of specs) {
        if (!ready.has(alert.name) || !admits(alert.severity ?? 'info', note.severity)) continue;
        const job: DeliveryJob = { notification: note, alert: alert.name, provider: { namespace: providerNamespace(after, alert), name: alert.providerRef.name } };
        jobs.push(this.deps.enqueue(jobIdOf(uid, version, index, alert.name), job));
      }
    });
    await Promise.all(jobs);
  }
}

/** BullMQ job ids may not contain ":"; a resourceVersion names exactly one write. */
export function jobIdOf(uid: string, resourceVersion: string, index: number, alert: string): string {
  return `${uid}.${resourceVersion}.${index}.${alert}`;
}
