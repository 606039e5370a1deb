import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';

export const VIRTUAL_SERVICE_GROUP = 'networking.istio.io';
export const VIRTUAL_SERVICE_VERSION = 'v1';
export const VIRTUAL_SERVICE_PLURAL = 'virtualservices';

export interface VirtualServicePollerOptions {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  readonly name: string;
  readonly intervalMs: number;
  /** Called after every successful read: the object, or undefined when it does not exist. */
  readonly onRead: (virtualService: unknown) => void;
}

/**
 * Reads one VirtualService from the API server every `intervalMs`, as Envoy
 * receives route updates from istiod: shortly after they are written. A read
 * that fails (other than 404) keeps the last routes, like a disconnected proxy.
 */
export class VirtualServicePoller {
  /** The last read error, cleared by the next successful read. */
  lastError: unknown;
  private readonly api: CustomObjectsApi;
  private readonly options: VirtualServicePollerOptions;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private stopped = false;

  constructor(options: VirtualServicePollerOptions) {
    this.options = options;
    this.api = options.kubeConfig.makeApiClient(CustomObjectsApi);
  }

  /** Reads now, then keeps polling. */
  async start(): Promise<void> {
    await this.refresh();
    this.schedule();
  }

  /** Reads the VirtualService now (joins a read already in flight). */
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
    const { namespace, name } = this.options;
    try {
      const object: unknown = await this.api.getNamespacedCustomObject({
        group: VIRTUAL_SERVICE_GROUP,
        version: VIRTUAL_SERVICE_VERSION,
        plural: VIRTUAL_SERVICE_PLURAL,
        namespace,
        name,
      });
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
