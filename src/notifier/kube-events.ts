import { hostname } from 'node:os';
import type { KubeClients } from '../kube/client.js';
import type { CoreV1Event, CoreV1Api } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Rollout } from '../api/types.gen.js';
import type { RolloutEvent } from '../domain/model.js';
import { isNotFound } from '../kube/errors.js';
import { GROUP, VERSION } from '../api/names.js';
import { recordedAsEvent } from './kinds.js';

const COMPONENT = 'flowshift';
/** Events remembered for aggregation; the oldest are forgotten first (a forgotten one starts a new Event). */
const REMEMBERED = 4096;

interface Recorded {
  readonly name: string;
  readonly count: number;
}

/**
 * Records Kubernetes Events on a Rollout (what `kubectl describe rollout`
 * shows), but for a release's steps (recordedAsEvent). A repeat of an Event
 * this process recorded (same Rollout, type, reason and message) raises its
 * count and lastTimestamp, as Kubernetes' own recorder does, instead of
 * creating another object.
 */
export class EventRecorder {
  private readonly core: CoreV1Api;
  private readonly instance = hostname();
  private readonly recorded = new Map<string, Recorded>();

  /** `forward` also gets every event (the Rollout's event webhooks); it must not throw or wait. */
  constructor(
    clients: KubeClients,
    private readonly log: Logger,
    private readonly forward: (rollout: Rollout, event: RolloutEvent) => void = () => undefined,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.core = clients.core;
  }

  async record(rollout: Rollout, event: RolloutEvent): Promise<void> {
    this.forward(rollout, event);
    if (!recordedAsEvent(event.reason)) return;
    const namespace = rollout.metadata.namespace ?? 'default';
    const key = [rollout.metadata.uid ?? '', event.type, event.reason, event.message].join('\n');
    try {
      const previous = this.recorded.get(key);
      const written = (previous && (await this.repeat(namespace, previous))) ?? (await this.create(rollout, namespace, event));
      this.recorded.delete(key);
      this.recorded.set(key, { name: written.metadata.name ?? '', count: written.count ?? 1 });
      if (this.recorded.size > REMEMBERED) this.recorded.delete(this.recorded.keys().next().value ?? '');
    } catch (err) {
      // An Event is a courtesy: losing one must not fail the tick.
      this.log.warn({ err, reason: event.reason }, 'could not record event');
    }
  }

  /** The count and lastTimestamp of an Event recorded before; undefined when it expired meanwhile. */
  private async repeat(namespace: string, previous: Recorded): Promise<CoreV1Event | undefined> {
    try {
      return await this.core.patchNamespacedEvent({ name: previous.name, namespace, body: { count: previous.count + 1, lastTimestamp: this.clock() } });
    } catch (err) {
      // Expired meanwhile, or patch not granted (an older Role): a new Event then, as before aggregation.
      if (!isNotFound(err)) this.log.debug({ err }, 'could not raise the count of an event: recording a new one');
      return undefined;
    }
  }

  private async create(rollout: Rollout, namespace: string, event: RolloutEvent): Promise<CoreV1Event> {
    const now = this.clock();
    return this.core.createNamespacedEvent({
      namespace,
      body: {
        metadata: { generateName: `${rollout.metadata.name ?? 'rollout'}.`, namespace },
        involvedObject: {
          apiVersion: `${GROUP}/${VERSION}`,
          kind: 'Rollout',
          name: rollout.metadata.name ?? '',
          namespace,
          uid: rollout.metadata.uid ?? '',
          resourceVersion: rollout.metadata.resourceVersion ?? '',
        },
        type: event.type,
        reason: event.reason,
        message: event.message,
        source: { component: COMPONENT },
        reportingComponent: COMPONENT,
        reportingInstance: this.instance,
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      },
    });
  }
}
