import type { Logger } from 'pino';
import type { KubeClients } from '../kube/client.js';
import type { RedisConnection } from '../redis/settings.js';
import { kubeAlertSources } from '../notifier/alerts.js';
import { deliver, type DeliveryJob } from '../notifier/deliver.js';
import type { EventRecorder } from '../notifier/kube-events.js';
import { EventType, event } from '../domain/model.js';
import { imagesOf } from '../notifier/derive.js';
import { NotificationQueue } from '../notifier/queue.js';
import type { JobSigner } from '../notifier/job-signature.js';
import { ReleaseNotifier } from '../notifier/release-notifier.js';
import type { ControllerMetrics } from './telemetry/controller-metrics.js';
import type { TransitionObserver } from './tick/commit.js';
import type { WebhookDeps } from '../gates/webhook.js';
import type { RolloutWatcher } from './cache/rollout-watcher.js';

export interface NotificationsOptions {
  readonly clients: KubeClients;
  readonly watcher: RolloutWatcher;
  readonly metrics: ControllerMetrics;
  readonly redis: RedisConnection;
  readonly queueName: string;
  readonly clusterName?: string | undefined;
  readonly clock: () => Date;
  readonly log: Logger;
  /** The webhooks' settings: alert destinations are called under the same outbound policy. */
  readonly webhooks: WebhookDeps;
  /** Where a notification that can never be sent is told to the Rollout's owner. */
  readonly events: EventRecorder;
  /** Signs notification jobs (NOTIFICATION_SIGNING_KEY): the worker sends only what a replica signed. */
  readonly signer: JobSigner;
}

/** The notifier wired to the controller: its queue beside the tick queue, its counters on /metrics. */
export class Notifications {
  readonly queueName: string;
  private readonly queue: NotificationQueue;
  private readonly notifier: ReleaseNotifier;

  constructor(options: NotificationsOptions) {
    const { clients, metrics, log } = options;
    const sources = kubeAlertSources(clients);
    this.queueName = `${options.queueName}-notify`;
    this.queue = new NotificationQueue({
      redis: options.redis,
      queueName: this.queueName,
      log,
      signer: options.signer,
      deliver: async (job) => {
        const result = await deliver(sources, job, options.webhooks.outbound);
        if (result.kind === 'failed') await this.tellFailure(options, job, result.reason);
        return result;
      },
      onResult: (result) => metrics.notifications.inc({ destination: result.type, outcome: result.kind }),
    });
    this.notifier = new ReleaseNotifier({
      sources,
      enqueue: (jobId, job) => this.queue.add(jobId, job),
      images: (r) => imagesOf(options.watcher.cachedTarget(r)?.spec?.template.spec?.containers),
      cluster: options.clusterName,
      clock: options.clock,
      log,
    });
  }

  /**
   * A notification that can never be sent (refused by the outbound policy, a
   * redirect, a 4xx, a provider not granted) is a Warning Event on its
   * Rollout: its owner reads Events, not the controller's log.
   */
  private async tellFailure(options: NotificationsOptions, job: DeliveryJob, reason: string): Promise<void> {
    const rollout = options.watcher.cachedRollout(job.notification.rollout.namespace, job.notification.rollout.name);
    if (rollout?.metadata.uid !== job.notification.rollout.uid) return;
    await options.events.record(rollout, event('NotificationFailed', `alert ${job.alert} not sent: ${reason}`, EventType.Warning));
  }

  readonly afterWrite: TransitionObserver = (before, after, events, alerts) => this.notifier.afterWrite(before, after, events, alerts);

  start(): void {
    this.queue.start();
  }

  counts(): Promise<Record<string, number>> {
    return this.queue.counts();
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
