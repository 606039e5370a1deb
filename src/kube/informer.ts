import type { KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { KubeClients } from './client.js';
import { statusCode } from './errors.js';
import { slim } from './slim.js';

/** The selectors and version of one list. */
export interface ListQuery {
  readonly resourceVersion?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  readonly limit?: number;
  /** The previous page's continue token (client-node's name for the `continue` parameter). */
  readonly _continue?: string;
}

/** A list as the API server answers it (client-node's list types have this shape). */
export interface Listed<T> {
  /** `_continue` in client-node's typed lists, `continue` in custom objects' raw JSON. */
  readonly metadata?: { readonly resourceVersion?: string; readonly _continue?: string; readonly continue?: string };
  readonly items: readonly T[];
}

/** One collection: its watch path, and its list through client-node's typed API for that kind. */
export interface Collection<T> {
  /** e.g. /apis/apps/v1/namespaces/shop/deployments */
  readonly path: string;
  list(query: ListQuery): Promise<Listed<T>>;
}

export interface Handlers<T> {
  readonly add?: (obj: T) => void;
  readonly update?: (obj: T) => void;
  readonly delete?: (obj: T) => void;
}

export interface InformerOptions<T extends KubernetesObject = KubernetesObject> {
  /** Only matching objects, e.g. "metadata.name=x". */
  readonly fieldSelector?: string;
  /** Only labelled objects, e.g. "app.kubernetes.io/managed-by=flowshift". */
  readonly labelSelector?: string;
  /** How long the API server keeps each watch open, at least and at most (seconds). */
  readonly watchSeconds?: readonly [number, number];
  /** How long a watch may be silent before it is given up and reopened; default: above the server's longest watch (watchIdleMs). */
  readonly idleMs?: number;
  /** What of each object the cache holds, when less than its slim copy is ever read; default: all of it. */
  readonly keep?: (obj: T) => T;
  /** Objects per list request (default PAGE_SIZE). */
  readonly pageSize?: number;
  /**
   * Told whether the API server answers: false with the error on every failed
   * list or watch (before the retry), true once a list or a watch succeeds
   * again. For callers that show the connection (the plugin's dashboard).
   */
  readonly onConnection?: (connected: boolean, err?: unknown) => void;
}

/**
 * Objects per list request, as client-go's pager. One answer of 20,000
 * Deployments is tens of megabytes of JSON and their parsed objects at once,
 * a peak the process keeps as RSS long after; a page's is small, and each
 * page is slimmed before the next is read.
 */
export const PAGE_SIZE = 500;

const MIN_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 30_000;
/** The API server ends each watch after 5 to 10 minutes (as client-go asks), so a silently dead connection is replaced. */
const WATCH_SECONDS: readonly [number, number] = [300, 600];
/**
 * Our own inactivity timeout is above the server's: with bookmarks (about
 * one a minute) a quiet watch always hears from the server before it, and
 * the server, not client-node's 30 s default, ends each watch.
 */
const IDLE_MARGIN_MS = 60_000;

/** The inactivity timeout for watches the server ends after at most `maxSeconds`. */
export function watchIdleMs(maxSeconds: number): number {
  return maxSeconds * 1000 + IDLE_MARGIN_MS;
}

/**
 * A list-then-watch cache of one collection, as client-go's reflector keeps
 * one, on client-node's list APIs and Watch. What client-node's own informer
 * lacks is why it exists: it lists once (in pages), then watches from the
 * list's resourceVersion; when a watch ends it resumes from the last version
 * seen; only when the server says that version is gone (410) does it list
 * again. On errors it retries with
 * exponential backoff and never stops. Its cache holds slim objects (see
 * slim(): no managedFields, no last-applied copy, strings shared).
 */
export class ResilientInformer<T extends KubernetesObject> {
  private readonly objects = new Map<string, T>();
  private resourceVersion = '';
  private listed = false;
  private backoffMs = MIN_BACKOFF_MS;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private watching: AbortController | undefined;
  private watchedSince = 0;
  /** Set when the server asked to watch again after a pause. */
  private retryAfterMs: number | undefined;

  constructor(
    private readonly clients: KubeClients,
    private readonly collection: Collection<T>,
    private readonly handlers: Handlers<T>,
    private readonly log: Logger,
    private readonly options: InformerOptions<T> = {},
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
      // A watch that fails to open ends inside clients.watch, before its controller is known.
      const watch: { opened?: AbortController; failed?: { readonly err: unknown } } = {};
      const controller = await this.clients.watch(
        this.collection.path,
        { ...this.selectors(), resourceVersion: this.resourceVersion, allowWatchBookmarks: true, timeoutSeconds: min + Math.floor(Math.random() * (max - min)) },
        this.options.idleMs ?? watchIdleMs(max),
        (type, object) => this.onEvent(type, object),
        (err) => {
          if (watch.opened) this.ended(watch.opened, err);
          else watch.failed = { err };
        },
      );
      if (watch.failed) {
        this.ended(undefined, watch.failed.err ?? new Error('the watch ended as it opened'));
        return;
      }
      watch.opened = this.watching = controller;
      this.log.debug({ path: this.collection.path, resourceVersion: this.resourceVersion }, 'watch opened');
      this.options.onConnection?.(true);
      // stop() may have been called while the watch opened.
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
      if (this.stopped) controller.abort();
    } catch (err) {
      if (statusCode(err) === 410) this.gone();
      this.retry(err);
    }
  }

  private ended(watching: AbortController | undefined, err: unknown): void {
    // A watch stopped or replaced meanwhile is no longer this informer's.
    if (watching && this.watching !== watching) return;
    this.watching = undefined;
    if (this.stopped) return;
    this.log.debug({ path: this.collection.path, resourceVersion: this.resourceVersion, err }, 'watch ended');
    if (statusCode(err) === 410) this.gone();
    const retryAfterMs = this.retryAfterMs;
    this.retryAfterMs = undefined;
    if (retryAfterMs !== undefined) this.timer = setTimeout(() => void this.listAndWatch(), retryAfterMs);
    else if (err) this.retry(err);
    // A watch ended at once is a failure, whatever it says: no busy loop on it.
    else if (Date.now() - this.watchedSince < 1000) this.retry(new Error('the watch ended as soon as it opened'));
    // The server ended the watch (its timeout, or after a 410): resume at once.
    else void this.listAndWatch();
  }

  /** The version to resume from is compacted away: list again. */
  private gone(): void {
    this.resourceVersion = '';
  }

  private retry(err: unknown): void {
    if (this.stopped) return;
    this.options.onConnection?.(false, err);
    this.log.warn({ err, path: this.collection.path, retryInMs: this.backoffMs }, 'watch failed: restarting');
    this.timer = setTimeout(() => void this.listAndWatch(), this.backoffMs);
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
  }

  /**
   * Lists the collection in pages and tells the handlers what changed since
   * the cache was last filled. Paged lists are consistent reads (no
   * resourceVersion: a list from the API server's watch cache at version 0
   * ignores the limit and answers everything at once); all pages are of one
   * snapshot, and a token compacted away meanwhile (410) lists again from the
   * start. The watch then starts at the list's version.
   */
  private async relist(): Promise<void> {
    const items: T[] = [];
    let listed: Listed<T>;
    let token: string | undefined;
    do {
      listed = await this.collection.list({ ...this.selectors(), limit: this.options.pageSize ?? PAGE_SIZE, ...(token ? { _continue: token } : {}) });
      for (const item of listed.items) items.push(this.kept(item));
      token = listed.metadata?._continue ?? listed.metadata?.continue;
    } while (token);
    this.replaceAll(items);
    this.resourceVersion = listed.metadata?.resourceVersion ?? '';
    this.listed = true;
    this.options.onConnection?.(true);
    this.backoffMs = MIN_BACKOFF_MS;
  }

  /** Fills the cache with a list, telling the handlers what changed since it was last filled. */
  private replaceAll(items: readonly T[]): void {
    const before = new Map(this.objects);
    this.objects.clear();
    for (const obj of items) {
      const key = keyOf(obj.metadata?.namespace, obj.metadata?.name ?? '');
      this.objects.set(key, obj);
      const old = before.get(key);
      before.delete(key);
      if (!old) this.handlers.add?.(obj);
      else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion) this.handlers.update?.(obj);
    }
    for (const gone of before.values()) this.handlers.delete?.(gone);
  }

  /** The watch is ending: how to go on depends on why. */
  private onErrorEvent(status: { code?: unknown; details?: { retryAfterSeconds?: unknown } }): void {
    if (status.code === 410) {
      // Gone: the version to resume from is compacted away; list again at once.
      this.gone();
      this.retryAfterMs = 0;
    } else if (status.code === 504) {
      // "Too large resource version": the API server's watch cache is behind that version; ask again soon.
      const seconds = status.details?.retryAfterSeconds;
      this.retryAfterMs = typeof seconds === 'number' ? seconds * 1000 : 1000;
    } else {
      this.log.warn({ status, path: this.collection.path }, 'watch error event');
    }
  }

  private kept(obj: T): T {
    const small = slim(obj);
    return this.options.keep ? this.options.keep(small) : small;
  }

  private selectors(): { fieldSelector?: string; labelSelector?: string } {
    const { fieldSelector, labelSelector } = this.options;
    return { ...(fieldSelector ? { fieldSelector } : {}), ...(labelSelector ? { labelSelector } : {}) };
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
    const kept = this.kept(obj);
    this.objects.set(key, kept);
    if (known) this.handlers.update?.(kept);
    else this.handlers.add?.(kept);
  }
}

const keyOf = (namespace: string | undefined, name: string): string => (namespace ? `${namespace}/${name}` : name);
