import type { KubernetesObject } from '@kubernetes/client-node';
import { newerVersion } from '../kube/resource-version.js';
import { slim } from '../kube/slim.js';

const keyOf = (o: KubernetesObject): string => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

/**
 * A target's last write of each object (namespace/name), until the
 * informer's copy shows it or something newer. Right after a scale, a tick
 * woken by an older event (the kubelet's status of the previous version)
 * would otherwise see the old replicas (or partition) and scale again.
 */
export class OwnWrites<W extends KubernetesObject> {
  private readonly written = new Map<string, W>();

  constructor(private readonly enabled: boolean) {}

  /** Keeps `written` while there is an informer to be ahead of. */
  remember(written: W): void {
    if (this.enabled) this.written.set(keyOf(written), slim(written));
  }

  /** The cached object, unless this target's last write of it is newer. */
  newerOf(cached: W): W {
    const key = keyOf(cached);
    const ours = this.written.get(key);
    if (!ours) return cached;
    if (newerVersion(ours.metadata?.resourceVersion, cached.metadata?.resourceVersion)) return ours;
    // The informer caught up with the write, or someone wrote after it.
    this.written.delete(key);
    return cached;
  }
}
