import { ListWatch, type KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { SlimWatch, slim } from '../kube/slim.js';

export interface Handlers<T> {
  readonly add?: (obj: T) => void;
  readonly update?: (obj: T) => void;
  readonly delete?: (obj: T) => void;
}

const MAX_BACKOFF_MS = 30_000;

/**
 * An informer that restarts itself with exponential backoff: client-node's
 * informer stops for good on a watch error. Its cache holds slim objects
 * (no managedFields, no last-applied copy): a Deployment's managedFields
 * alone are often larger than the rest of it.
 */
export class ResilientInformer<T extends KubernetesObject> {
  private readonly informer: ListWatch<T>;
  private backoffMs = 500;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    kubeConfig: KubeConfig,
    private readonly path: string,
    list: () => Promise<KubernetesListObject<T>>,
    handlers: Handlers<T>,
    private readonly log: Logger,
    /** Watches only matching objects, e.g. "metadata.name=x"; `list` must apply the same selector. */
    fieldSelector?: string,
    /** Watches only labelled objects, e.g. "app.kubernetes.io/managed-by=flowshift"; `list` must apply the same selector. */
    labelSelector?: string,
  ) {
    const slimList = async (): Promise<KubernetesListObject<T>> => {
      const listed = await list();
      for (const item of listed.items) slim(item);
      return listed;
    };
    this.informer = new ListWatch<T>(path, new SlimWatch(kubeConfig), slimList, false, labelSelector, fieldSelector);
    if (handlers.add) this.informer.on('add', handlers.add);
    if (handlers.update) this.informer.on('update', handlers.update);
    if (handlers.delete) this.informer.on('delete', handlers.delete);
    this.informer.on('connect', () => {
      this.backoffMs = 500;
    });
    this.informer.on('error', (err: unknown) => {
      if (this.stopped) return;
      this.log.warn({ err, path, retryInMs: this.backoffMs }, 'watch failed: restarting');
      this.timer = setTimeout(() => void this.restart(), this.backoffMs);
      this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
    });
  }

  async start(): Promise<void> {
    await this.informer.start();
  }

  /** Whether its last list succeeded: a cache that never listed (e.g. the list was forbidden) knows nothing. */
  synced(): boolean {
    return this.informer.latestResourceVersion() !== '';
  }

  list(): readonly T[] {
    return this.informer.list();
  }

  get(name: string, namespace?: string): T | undefined {
    return this.informer.get(name, namespace);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.informer.stop();
  }

  private async restart(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.informer.start();
    } catch (err) {
      this.log.warn({ err, path: this.path }, 'watch restart failed');
    }
  }
}
