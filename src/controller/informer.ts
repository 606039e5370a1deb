import type { KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { KubeApiError, type KubeHttp } from '../kube/http.js';
import { slim } from '../kube/slim.js';

export interface Handlers<T> {
  readonly add?: (obj: T) => void;
  readonly update?: (obj: T) => void;
  readonly delete?: (obj: T) => void;
}

export interface InformerOptions {
  /** Only matching objects, e.g. "metadata.name=x". */
  readonly fieldSelector?: string;
  /** Only labelled objects, e.g. "app.kubernetes.io/managed-by=flowshift". */
  readonly labelSelector?: string;
  /** How long the API server keeps each watch open, at least and at most (seconds). */
  readonly watchSeconds?: readonly [number, number];
}

const MIN_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 30_000;
/** The API server ends each watch after 5 to 10 minutes (as client-go asks), so a silently dead connection is replaced. */
const WATCH_SECONDS: readonly [number, number] = [300, 600];

/**
 * A list-then-watch cache of one collection, as client-go's informer keeps
 * one: it lists once, then watches from the list's resourceVersion, and when a
 * watch ends it resumes from the last version seen (a relist only when the
 * server says that version is gone). On errors it retries with exponential
 * backoff and never stops. Its cache holds slim objects (no managedFields, no
 * last-applied copy): a Deployment's managedFields alone are often larger
 * than the rest of it.
 */
export class ResilientInformer<T extends KubernetesObject> {
  private readonly objects = new Map<string, T>();
  private resourceVersion = '';
  private listed = false;
  private backoffMs = MIN_BACKOFF_MS;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private watching: { abort: () => void } | undefined;
  private watchedSince = 0;
  /** Set when the server asked to watch again after a pause. */
  private retryAfterMs: number | undefined;

  constructor(
    private readonly http: KubeHttp,
    private readonly path: string,
    private readonly handlers: Handlers<T>,
    private readonly log: Logger,
    private readonly options: InformerOptions = {},
  ) {}

  /** Lists and starts watching; resolves after the first list, or after it failed (then it retries on its own). */
  async start(): Promise<void> {
    this.stopped = false;
    await this.listAndWatch();
  }

  /** Whether a list succeeded: a cache that never listed (e.g. the list was forbidden) knows nothing. */
  synced(): boolean {
    return this.listed;
  }

  list(): readonly T[] {
    return [...this.objects.values()];
  }

  get(name: string, namespace?: string): T | undefined {
    return this.objects.get(keyOf(namespace, name));
  }

  stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.watching?.abort();
    this.watching = undefined;
    return Promise.resolve();
  }

  private async listAndWatch(): Promise<void> {
    if (this.stopped) return;
    try {
      if (!this.resourceVersion) await this.relist();
      const [min, max] = this.options.watchSeconds ?? WATCH_SECONDS;
      this.watchedSince = Date.now();
      this.watching = await this.http.watch(
        this.path,
        { ...this.selectors(), resourceVersion: this.resourceVersion, allowWatchBookmarks: true, timeoutSeconds: min + Math.floor(Math.random() * (max - min)) },
        (type, object) => this.onEvent(type, object),
        (err) => this.ended(err),
      );
      // stop() may have been called while the watch opened.
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
      if (this.stopped) this.watching.abort();
    } catch (err) {
      if (err instanceof KubeApiError && err.code === 410) this.resourceVersion = '';
      this.retry(err);
    }
  }

  private ended(err: Error | undefined): void {
    this.watching = undefined;
    if (this.stopped) return;
    const retryAfterMs = this.retryAfterMs;
    this.retryAfterMs = undefined;
    if (retryAfterMs !== undefined) this.timer = setTimeout(() => void this.listAndWatch(), retryAfterMs);
    else if (err) this.retry(err);
    // A watch ended at once is a failure, whatever it says: no busy loop on it.
    else if (Date.now() - this.watchedSince < 1000) this.retry(new Error('the watch ended as soon as it opened'));
    // The server ended the watch (its timeout, or after a 410): resume at once.
    else void this.listAndWatch();
  }

  private retry(err: unknown): void {
    if (this.stopped) return;
    this.log.warn({ err, path: this.path, retryInMs: this.backoffMs }, 'watch failed: restarting');
    this.timer = setTimeout(() => void this.listAndWatch(), this.backoffMs);
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
  }

  /**
   * Lists the collection and tells the handlers what changed since the cache
   * was last filled. The list is served from the API server's watch cache
   * (resourceVersion 0, as client-go's first list), so the watch that
   * follows starts at a version that cache knows: a list read from etcd can
   * be newer than the cache of a quiet kind, and the watch would be refused
   * until that kind changes.
   */
  private async relist(): Promise<void> {
    const listed = await this.http.request<KubernetesListObject<T>>('GET', this.path, { query: { ...this.selectors(), resourceVersion: '0' } });
    const before = new Map(this.objects);
    this.objects.clear();
    for (const item of listed.items) {
      const obj = slim(item);
      const key = keyOf(obj.metadata?.namespace, obj.metadata?.name ?? '');
      this.objects.set(key, obj);
      const old = before.get(key);
      before.delete(key);
      if (!old) this.handlers.add?.(obj);
      else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion) this.handlers.update?.(obj);
    }
    for (const gone of before.values()) this.handlers.delete?.(gone);
    this.resourceVersion = listed.metadata?.resourceVersion ?? '';
    this.listed = true;
    this.backoffMs = MIN_BACKOFF_MS;
  }

  /** The watch is ending: how to go on depends on why. */
  private onErrorEvent(status: { code?: unknown; details?: { retryAfterSeconds?: unknown } }): void {
    if (status.code === 410) {
      // Gone: the version to resume from is compacted away; list again at once.
      this.resourceVersion = '';
      this.retryAfterMs = 0;
    } else if (status.code === 504) {
      // "Too large resource version": the API server's watch cache is behind that version; ask again soon.
      const seconds = status.details?.retryAfterSeconds;
      this.retryAfterMs = typeof seconds === 'number' ? seconds * 1000 : 1000;
    } else {
      this.log.warn({ status, path: this.path }, 'watch error event');
    }
  }

  private selectors(): Record<string, string | undefined> {
    return { fieldSelector: this.options.fieldSelector, labelSelector: this.options.labelSelector };
  }

  private onEvent(type: string, object: Record<string, unknown>): void {
    if (type === 'ERROR') {
      this.onErrorEvent(object);
      return;
    }
    const obj = object as T;
    this.resourceVersion = obj.metadata?.resourceVersion ?? this.resourceVersion;
    this.backoffMs = MIN_BACKOFF_MS;
    if (type === 'BOOKMARK') return;
    const key = keyOf(obj.metadata?.namespace, obj.metadata?.name ?? '');
    if (type === 'DELETED') {
      this.objects.delete(key);
      this.handlers.delete?.(obj);
      return;
    }
    const known = this.objects.has(key);
    this.objects.set(key, slim(obj));
    if (known) this.handlers.update?.(obj);
    else this.handlers.add?.(obj);
  }
}

const keyOf = (namespace: string | undefined, name: string): string => (namespace ? `${namespace}/${name}` : name);
