import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';

/** A route API's resource, as the custom objects API names it. */
export interface RouteResource {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
}

export const VIRTUAL_SERVICES: RouteResource = { group: 'networking.istio.io', version: 'v1', plural: 'virtualservices' };
export const HTTP_ROUTES: RouteResource = { group: 'gateway.networking.k8s.io', version: 'v1', plural: 'httproutes' };

export interface RoutePollerOptions {
  readonly kubeConfig: KubeConfig;
  readonly resource: RouteResource;
  readonly namespace: string;
  readonly name: string;
  readonly intervalMs: number;
  /** Called after every successful read: the object, or undefined when it does not exist. */
  readonly onRead: (virtualService: unknown) => void;
}

/**
 * Reads one route object (a VirtualService or an HTTPRoute) from the API
 * server every `intervalMs`, as Envoy receives route updates from its control
 * plane: shortly after they are written. A read that fails (other than 404)
 * keeps the last routes, like a disconnected proxy.
 */
export class RoutePoller {
  /** The last read error, cleared by the next successful read. */
  lastError: unknown;
  private readonly api: CustomObjectsApi;
  private readonly options: RoutePollerOptions;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private stopped = false;

  constructor(options: RoutePollerOptions) {
    this.options = options;
    this.api = options.kubeConfig.makeApiClient(CustomObjectsApi);
  }

  /** Reads now, then keeps polling. */
  async start(): Promise<void> {
    await this.refresh();
    this.schedule();
  }

  /** Reads the route object now (joins a read already in flight). */
  refresh(): Promise<void> {
    this.inFlight ??= this.read().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.inFlight;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.refresh().then(() => {
        this.schedule();
      });
    }, this.options.intervalMs);
  }

  private async read(): Promise<void> {
    const { namespace, name, resource } = this.options;
    try {
      const object: unknown = await this.api.getNamespacedCustomObject({ ...resource, namespace, name });
      this.lastError = undefined;
      if (!this.stopped) this.options.onRead(object);
    } catch (err: unknown) {
      if (isNotFound(err)) {
        this.lastError = undefined;
        if (!this.stopped) this.options.onRead(undefined);
        return;
      }
      this.lastError = err;
    }
  }
}

function isNotFound(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === 404;
}
