import type { CoreV1Event } from '@kubernetes/client-node';
import type { KubeClients } from '../../kube/client.js';

/** A Rollout's Event as the page shows it. */
export interface EventView {
  readonly type: string;
  readonly reason: string;
  readonly message: string;
  readonly count: number;
  /** The last time it was recorded (RFC 3339). */
  readonly lastTime: string;
}

/** How many Events the page shows: the newest. */
export const EVENTS_SHOWN = 20;

/** The Rollout's Events, newest last, read with the user's credentials (what `kubectl describe rollout` shows). */
export async function rolloutEvents(clients: KubeClients, namespace: string, name: string): Promise<EventView[]> {
  const list = await clients.core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.kind=Rollout,involvedObject.name=${name}` });
  return list.items.map(viewOf).sort((a, b) => Date.parse(a.lastTime) - Date.parse(b.lastTime)).slice(-EVENTS_SHOWN);
}

function viewOf(e: CoreV1Event): EventView {
  const time = e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata.creationTimestamp;
  return { type: e.type ?? 'Normal', reason: e.reason ?? '', message: e.message ?? '', count: e.count ?? 1, lastTime: isoOf(time) };
}

/** client-node parses dates into Date objects (and MicroTime may arrive as a string). */
function isoOf(time: Date | string | undefined): string {
  if (time === undefined) return new Date(0).toISOString();
  return typeof time === 'string' ? time : time.toISOString();
}
