import { hostname } from 'node:os';
import type { KubeClients } from '../kube/client.js';
import { CoreV1Api } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Rollout } from '../api/types.gen.js';
import type { RolloutEvent } from '../domain/decision.js';
import { GROUP, VERSION } from '../kube/names.js';

const COMPONENT = 'flowshift';

/** Records Kubernetes Events on a Rollout (what `kubectl describe rollout` shows). */
export class EventRecorder {
  private readonly core: CoreV1Api;
  private readonly instance = hostname();

  /** `forward` also gets every event (the Rollout's event webhooks); it must not throw or wait. */
  constructor(
    clients: KubeClients,
    private readonly log: Logger,
    private readonly forward: (rollout: Rollout, event: RolloutEvent) => void = () => undefined,
  ) {
    this.core = clients.make(CoreV1Api);
  }

  async record(rollout: Rollout, event: RolloutEvent): Promise<void> {
    this.forward(rollout, event);
    const namespace = rollout.metadata.namespace ?? 'default';
    const now = new Date();
    try {
      await this.core.createNamespacedEvent({
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
    } catch (err) {
      // An Event is a courtesy: losing one must not fail the tick.
      this.log.warn({ err, reason: event.reason }, 'could not record event');
    }
  }
}
