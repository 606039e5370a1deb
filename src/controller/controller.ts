import type { Logger } from 'pino';
import type { Analyzer } from '../analysis/analyzer.js';
import type { Rollout } from '../api/types.gen.js';
import { GateAsker } from '../gates/asker.js';
import { EventHooks } from '../notifier/event-hooks.js';
import type { WebhookDeps } from '../gates/webhook.js';
import type { KubeClients } from '../kube/client.js';
import { rolloutKey } from '../api/names.js';
import { RolloutClient } from '../kube/rollouts.js';
import type { RedisConnection } from '../redis/settings.js';
import { routesOf, sameRoutes } from '../domain/routes.js';
import type { MeshProvider } from '../api/types.gen.js';
import type { CustomObject } from '../router/custom-object.js';
import { routerFor } from '../router/router.js';
import { unservedRouters } from '../router/apis.js';
import { createRouters, MESH_PROVIDERS } from '../router/registry.js';
import { ServiceRouter } from '../router/services.js';
import { Targets } from '../workload/targets.js';
import { DeadlineAnalyzer, analysisDeadlineMs } from './tick/analysis-deadline.js';
import { controlsKey } from './tick/control-annotations.js';
import { EventRecorder } from '../notifier/kube-events.js';
import { kubeAlertSources } from '../notifier/alerts.js';
import type { ControllerMetrics } from './telemetry/controller-metrics.js';
import { Notifications } from './notifications.js';
import { JobSigner } from '../notifier/job-signature.js';
import { kubeReferenceSources } from '../checks/reference-sources.js';
import { RolloutMetrics } from './telemetry/rollout-series.js';
import { RolloutReads } from './cache/rollout-reads.js';
import { RouteWatches } from './cache/route-watches.js';
import { TickScheduler, tickLockMs, type ChainNext, type TickJob } from './schedule/scheduler.js';
import { tick, type TickDeps, type TickOutcome } from './tick/tick.js';
import type { ReadTemplate } from '../checks/spec.js';
import { RolloutWatcher } from './cache/rollout-watcher.js';

export interface ControllerOptions {
  /** The API server's client; its requests should count into `metrics.kubeRequests`. */
  readonly clients: KubeClients;
  readonly metrics: ControllerMetrics;
  readonly redis: RedisConnection;
  readonly queueName: string;
  readonly namespaces: readonly string[];
  readonly concurrency: number;
  readonly resyncMs: number;
  readonly analyzer: Analyzer;
  /** Secrets (signing keys) and the clock for webhook gates and event webhooks. */
  readonly webhooks: WebhookDeps;
  readonly readTemplate: ReadTemplate;
  /** The default Prometheus (--prometheus-url) the preflight checks built-in and inline metrics against. */
  readonly prometheusUrl?: string | undefined;
  readonly log: Logger;
  readonly clock?: () => Date;
  readonly stalledIntervalMs?: number;
  /** Named in notifications. */
  readonly clusterName?: string | undefined;
  /** NOTIFICATION_SIGNING_KEY; without it, a key of this process only (jobs of other replicas and of earlier runs are dropped). */
  readonly notificationKey?: string | undefined;
}

const ERROR_RETRY_MS = 5_000;
/** Below the readiness probe's timeout (1 s by default in Kubernetes). */
const READY_PING_TIMEOUT_MS = 800;

/** Wires informers, the tick scheduler and the reconciler together. */
export class Controller {
  private readonly deps: TickDeps;
  private readonly scheduler: TickScheduler;
  private readonly watcher: RolloutWatcher;
  private readonly notifications: Notifications;
  private readonly routeWatches: RouteWatches;
  private readonly reads: RolloutReads;
  private readonly clients: KubeClients;
  private readonly targets: Targets;
  private resyncTimer: NodeJS.Timeout | undefined;
  private started = false;

  readonly metrics: ControllerMetrics;

  constructor(private readonly options: ControllerOptions) {
    const { clients, log } = options;
    this.metrics = options.metrics;
    this.clients = clients;
    this.watcher = new RolloutWatcher(clients, options.namespaces, this.sink(), log);
    this.routeWatches = new RouteWatches(clients, options.namespaces, (uid, object) => this.routeChanged(uid, object), log);
    const eventHooks = new EventHooks(options.webhooks, log);
    const rolloutMetrics = new RolloutMetrics(this.metrics.registry, () => this.watcher.allRollouts());
    const clock = options.clock ?? ((): Date => new Date());
    const events = new EventRecorder(clients, log, (rollout, event) => eventHooks.forward(rollout, event));
    let reads: RolloutReads | undefined;
    const rollouts = new RolloutClient(clients, (before, after) => reads?.remember(before, after));
    this.reads = reads = new RolloutReads((namespace, name) => this.watcher.cachedRollout(namespace, name), rollouts);
    const signer = new JobSigner(options.notificationKey);
    if (signer.ephemeral) log.warn('NOTIFICATION_SIGNING_KEY is not set: notification jobs are signed with a key of this process only, so jobs queued by another replica or before a restart are dropped, not sent');
    this.notifications = new Notifications({ ...options, clients, watcher: this.watcher, metrics: this.metrics, clock, events, signer });
    const services = new ServiceRouter(clients);
    this.targets = new Targets(clients, services, this.watcher.cache());
    this.deps = {
      rollouts,
      readRollout: (namespace, name, uid) => this.reads.get(namespace, name, uid),
      target: this.targets,
      routers: createRouters(clients, this.routeWatches),
      services,
      analyzer: new DeadlineAnalyzer(options.analyzer, analysisDeadlineMs(tickLockMs(options.stalledIntervalMs))),
      tickBudgetMs: analysisDeadlineMs(tickLockMs(options.stalledIntervalMs)),
      // A gate answering after its tick stopped waiting wakes its Rollout.
      gates: new GateAsker(options.webhooks, (rollout) => this.enqueue(rollout, 'tickNow')),
      alerts: kubeAlertSources(clients),
      readTemplate: options.readTemplate,
      references: kubeReferenceSources({
        clients,
        readTemplate: options.readTemplate,
        readSecret: options.webhooks.readSecret,
        cachedTarget: (namespace, ref) => this.watcher.cachedWorkload(ref.kind, namespace, ref.name),
        prometheusUrl: options.prometheusUrl,
        outbound: options.webhooks.outbound,
      }),
      events,
      rivals: (rollout) => this.watcher.rivals(rollout),
      transitions: async (before, after, decisionEvents, alerts) => {
        if (after.metadata.resourceVersion !== before.metadata.resourceVersion) rolloutMetrics.recordTransition(before, after, clock());
        await this.notifications.afterWrite(before, after, decisionEvents, alerts);
      },
      clock,
      log,
    };
    this.scheduler = new TickScheduler({
      redis: options.redis,
      queueName: options.queueName,
      concurrency: options.concurrency,
      log,
      ...(options.stalledIntervalMs ? { stalledIntervalMs: options.stalledIntervalMs } : {}),
    });
    this.metrics.countQueues([
      { queue: options.queueName, counts: () => this.scheduler.counts() },
      { queue: this.notifications.queueName, counts: () => this.notifications.counts() },
    ]);
  }

  /** Ready once the informers have synced and Redis answers; unready while Redis does not. */
  async ready(): Promise<boolean> {
    return this.started && (await this.scheduler.ping(READY_PING_TIMEOUT_MS));
  }

  async start(): Promise<void> {
    this.scheduler.start((job, plannedAt) => this.process(job, plannedAt));
    this.notifications.start();
    await this.watcher.start();
    await this.routeWatches.start(await this.servedRouteApis());
    this.resyncTimer = setInterval(() => this.resync(), this.options.resyncMs);
    this.started = true;
    this.options.log.info({ namespaces: this.options.namespaces.length ? this.options.namespaces : 'all' }, 'controller started');
  }

  /** Stops taking ticks, lets the running ones finish, closes Redis and the watches. */
  async stop(): Promise<void> {
    this.started = false;
    clearInterval(this.resyncTimer);
    await this.scheduler.close();
    await this.notifications.close();
    await this.watcher.stop();
    await this.routeWatches.stop();
  }

  /** The providers whose route objects can be watched; without discovery, none (ticks then read routes). */
  private async servedRouteApis(): Promise<MeshProvider[]> {
    try {
      const unserved = new Set((await unservedRouters(this.clients)).map((u) => u.provider));
      return MESH_PROVIDERS.filter((p) => !unserved.has(p));
    } catch (err) {
      this.options.log.warn({ err }, 'discovery failed: routes are read on every tick instead of watched');
      return [];
    }
  }

  /**
   * A route object changed between ticks. Its Rollout ticks now when the
   * routes differ from its status (a hand edit: drift) or the object is gone;
   * our own writes match the status and wake nobody.
   */
  private routeChanged(uid: string, object: CustomObject | undefined): void {
    const rollout = this.watcher.rolloutByUid(uid);
    if (!rollout?.status?.phase) return;
    const routes = object && routerFor(this.deps.routers, rollout).routesIn(rollout, object);
    if (routes && sameRoutes(routes, routesOf(rollout.status))) return;
    this.enqueue(rollout, 'tickNow');
  }

  private async process(job: TickJob, plannedAt: number): Promise<ChainNext> {
    const startedAt = Date.now();
    const lagMs = Math.max(0, startedAt - plannedAt);
    this.metrics.tickLag.observe(lagMs / 1000);
    let outcome: TickOutcome;
    try {
      outcome = await tick(this.deps, job.namespace, job.name, job.uid);
    } catch (err) {
      this.metrics.ticks.inc({ outcome: 'error' });
      this.options.log.error({ err, rollout: `${job.namespace}/${job.name}` }, 'tick failed: retrying');
      return { delayMs: ERROR_RETRY_MS };
    }
    const durationMs = Date.now() - startedAt;
    this.metrics.ticks.inc({ outcome: outcome.kind });
    this.metrics.tickDuration.observe(durationMs / 1000);
    this.options.log.debug({ rollout: `${job.namespace}/${job.name}`, tick: { lagMs, durationMs, outcome: outcome.kind } }, 'tick');
    switch (outcome.kind) {
      case 'gone':
        return 'stop';
      case 'retry':
        return { delayMs: outcome.retryMs };
      case 'done':
        if (this.changedDuringTick(job, outcome)) return { delayMs: 0 };
        // A resting Rollout wakes on an informer event or the resync: no timed tick, no request.
        return outcome.rests ? 'stop' : { delayMs: outcome.nextMs };
    }
  }

  /**
   * A spec, control annotation or target change that arrived while the tick ran was stored as the
   * next job and then replaced by this chain's delayed one: tick again at once.
   */
  private changedDuringTick(job: TickJob, outcome: Extract<TickOutcome, { kind: 'done' }>): boolean {
    const rollout = this.watcher.cachedRollout(job.namespace, job.name);
    if (!rollout) return false;
    const target = this.targets.cachedProgress(rollout);
    const rolloutMoved = (rollout.metadata.generation ?? 0) > outcome.generation || (outcome.controls !== undefined && controlsKey(rollout) !== outcome.controls);
    const targetMoved = outcome.targetGeneration > 0 && target.generation > outcome.targetGeneration;
    // A canary or primary turning ready while the tick ran: its event was swallowed by this chain's next job.
    const progressed = outcome.targetProgress !== '' && target.progress !== outcome.targetProgress;
    return rolloutMoved || targetMoved || progressed;
  }

  private resync(): void {
    for (const rollout of this.watcher.allRollouts()) this.enqueue(rollout, 'ensureChain');
  }

  private enqueue(rollout: Rollout, how: 'tickNow' | 'ensureChain'): void {
    const job = jobOf(rollout);
    this.scheduler[how](job).catch((err: unknown) => {
      this.options.log.warn({ err, rollout: rolloutKey(rollout) }, 'could not enqueue tick');
    });
  }

  private sink(): ConstructorParameters<typeof RolloutWatcher>[2] {
    return {
      tickNow: (r) => this.enqueue(r, 'tickNow'),
      ensureChain: (r) => this.enqueue(r, 'ensureChain'),
      cached: (r) => this.reads.caughtUp(r),
      forget: (r) => {
        this.reads.forget(r.metadata.uid ?? '');
        this.scheduler.cancel(r.metadata.uid ?? '').catch(() => undefined);
      },
    };
  }
}

function jobOf(rollout: Rollout): TickJob {
  return { namespace: rollout.metadata.namespace ?? '', name: rollout.metadata.name ?? '', uid: rollout.metadata.uid ?? '' };
}
