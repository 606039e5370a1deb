import { setTimeout as sleep } from 'node:timers/promises';
import type { Rollout } from '../api/types.gen.js';
import type { KubeClients } from '../kube/client.js';
import { GROUP, ROLLOUTS, VERSION } from '../api/names.js';
import { describeFailure } from './errors.js';

/** How one watch of the Rollout ended. */
type WatchEnd = { readonly kind: 'deleted' } | { readonly kind: 'ended' } | { readonly kind: 'failed'; readonly error: string };

export interface FollowTarget {
  readonly clients: KubeClients;
  readonly namespace: string;
  readonly name: string;
  /** A fresh read; undefined when the Rollout does not exist. */
  get(): Promise<Rollout | undefined>;
}

export interface RetryPolicy {
  /** Failed watches in a row before giving up. */
  readonly retries: number;
  readonly backoffMs: number;
}

const DEFAULT_RETRY: RetryPolicy = { retries: 5, backoffMs: 500 };
/** Above the API server's longest watch (its --min-request-timeout, 30 min at most): with bookmarks, a quiet Rollout's watch is not reopened. */
const FOLLOW_IDLE_MS = 31 * 60_000;

/** Result of following: the Rollout went away, or was never there. */
export type FollowEnd = 'deleted' | 'not-found';

/**
 * Calls `show` with the Rollout now and on every change, from a watch of the
 * single object (no polling). Each round reads the object afresh and watches
 * from its resourceVersion, so a watch that ends (server timeout, 410 Gone,
 * a 429 while a fresh CRD's watch cache warms up) resumes without a gap.
 * Rejects after `retries` failed rounds in a row.
 */
export async function followRollout(target: FollowTarget, show: (rollout: Rollout) => void, policy: RetryPolicy = DEFAULT_RETRY): Promise<FollowEnd> {
  const state = { seen: false };
  let failures = 0;
  for (;;) {
    const end = await round(target, (rollout) => {
      state.seen = true;
      show(rollout);
    });
    if (end === 'missing') return state.seen ? 'deleted' : 'not-found';
    if (end.kind === 'deleted') return 'deleted';
    if (end.kind === 'ended') {
      failures = 0;
      continue;
    }
    failures += 1;
    if (failures > policy.retries) throw new Error(`watching rollout ${target.name} failed ${failures} times in a row; last: ${end.error}`);
    await sleep(policy.backoffMs * failures);
  }
}

async function round(target: FollowTarget, show: (rollout: Rollout) => void): Promise<WatchEnd | 'missing'> {
  let rollout: Rollout | undefined;
  try {
    rollout = await target.get();
  } catch (err) {
    return { kind: 'failed', error: describeFailure(err) };
  }
  if (!rollout) return 'missing';
  show(rollout);
  return watchFrom(target, rollout.metadata.resourceVersion ?? '', show);
}

function watchFrom(target: FollowTarget, resourceVersion: string, show: (rollout: Rollout) => void): Promise<WatchEnd> {
  const path = `/apis/${GROUP}/${VERSION}/namespaces/${target.namespace}/${ROLLOUTS}`;
  return new Promise<WatchEnd>((resolve) => {
    let request: AbortController | undefined;
    let settled = false;
    const finish = (end: WatchEnd): void => {
      if (settled) return;
      settled = true;
      request?.abort();
      resolve(end);
    };
    const onEvent = (type: string, object: unknown): void => {
      if (type === 'ADDED' || type === 'MODIFIED') show(object as Rollout);
      else if (type === 'DELETED') finish({ kind: 'deleted' });
      else if (type === 'ERROR') finish({ kind: 'failed', error: statusMessage(object) });
    };
    target.clients
      .watch(path, { fieldSelector: `metadata.name=${target.name}`, resourceVersion, allowWatchBookmarks: true }, FOLLOW_IDLE_MS, onEvent, (err: unknown) => {
        finish(err ? { kind: 'failed', error: describeFailure(err) } : { kind: 'ended' });
      })
      .then(
        (controller) => {
          request = controller;
          if (settled) controller.abort();
        },
        (err: unknown) => finish({ kind: 'failed', error: describeFailure(err) }),
      );
  });
}

/** The message of the metav1.Status an ERROR event carries (e.g. 410 Gone: "too old resource version"). */
function statusMessage(object: unknown): string {
  if (typeof object === 'object' && object !== null && 'message' in object && typeof object.message === 'string') return object.message;
  return JSON.stringify(object);
}
