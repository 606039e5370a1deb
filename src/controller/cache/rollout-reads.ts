import type { Rollout } from '../../api/types.gen.js';
import { newerVersion } from '../../kube/resource-version.js';
import type { RolloutClient } from '../../kube/rollouts.js';
import { slim } from '../../kube/slim.js';

/** The informer's copy of a Rollout, or undefined when it holds none. */
export type CachedRollout = (namespace: string, name: string) => Rollout | undefined;

interface Written {
  /** The resourceVersion the informer held when our writes started from it. */
  readonly from: string;
  readonly rollout: Rollout;
}

/**
 * A tick's read of its Rollout, served from the informer: no GET when the
 * cache has it. Right after our own status write the informer may still
 * hold the version that write replaced; the written Rollout (the API
 * server's answer) is used then, so the next tick does not start from a
 * stale status. Either way a stale read costs no more than a Conflict on the
 * status write, which carries the resourceVersion it was computed from.
 */
export class RolloutReads {
  private readonly written = new Map<string, Written>();

  constructor(
    private readonly cached: CachedRollout,
    private readonly client: Pick<RolloutClient, 'get'>,
  ) {}

  /** The Rollout; `uid` names the incarnation the caller expects (a miss or another uid is asked of the API server). */
  async get(namespace: string, name: string, uid?: string): Promise<Rollout | undefined> {
    const cached = this.cached(namespace, name);
    if (!cached || (uid && cached.metadata.uid !== uid)) return this.client.get(namespace, name);
    const key = cached.metadata.uid ?? '';
    const ours = this.written.get(key);
    if (!ours) return cached;
    const version = cached.metadata.resourceVersion;
    // The cache still holds where our writes started, or a version between them (one of our own earlier writes of a chain).
    if (version === ours.from || newerVersion(ours.rollout.metadata.resourceVersion, version)) return ours.rollout;
    // The informer caught up with our last write, or someone else wrote: the cache knows best.
    this.written.delete(key);
    return cached;
  }

  /** Remembers a won write (RolloutClient's observer). */
  readonly remember = (before: Rollout, after: Rollout): void => {
    const key = after.metadata.uid ?? '';
    const previous = this.written.get(key);
    // A second write of the same tick started from the first one's answer: the cache still holds the origin.
    const chained = previous && previous.rollout.metadata.resourceVersion === before.metadata.resourceVersion;
    this.written.set(key, { from: chained ? previous.from : (before.metadata.resourceVersion ?? ''), rollout: slim(after) });
  };

  /** The informer delivered `cached`: once it is as new as our last write, that write need not be kept (nothing per Rollout between ticks). */
  caughtUp(cached: Rollout): void {
    const key = cached.metadata.uid ?? '';
    const ours = this.written.get(key);
    if (ours && !newerVersion(ours.rollout.metadata.resourceVersion, cached.metadata.resourceVersion)) this.written.delete(key);
  }

  /** A deleted Rollout's last write is of no use any more. */
  forget(uid: string): void {
    this.written.delete(uid);
  }
}
