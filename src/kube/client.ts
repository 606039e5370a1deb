import { ServerConfiguration, createConfiguration, type Configuration, type KubeConfig, type RequestContext, type ResponseContext } from '@kubernetes/client-node';

/** client-node's undici dispatcher (undici is not a dependency of ours). */
type Dispatcher = NonNullable<ReturnType<RequestContext['getDispatcher']>>;

/** Called once per API request, with its HTTP method. */
export type RequestObserver = (method: string) => void;

/**
 * Builds API clients like KubeConfig.makeApiClient, with two differences:
 * every request is reported (the controller counts them in its metrics), and
 * all requests share one keep-alive connection pool. client-node creates a new
 * undici dispatcher per request (kubernetes-client/javascript#2893), so every
 * request would pay a TLS handshake on both sides.
 */
export class KubeClients {
  private dispatcher: Dispatcher | undefined;

  constructor(
    readonly kubeConfig: KubeConfig,
    private readonly onRequest: RequestObserver = () => undefined,
  ) {}

  make<T>(api: new (configuration: Configuration) => T): T {
    const cluster = this.kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster: set a context, or pass --kubeconfig');
    return new api(
      createConfiguration({
        baseServer: new ServerConfiguration(cluster.server, {}),
        authMethods: {
          default: {
            getName: () => 'flowshift-shared-agent',
            applySecurityAuthentication: async (context: RequestContext) => {
              await this.kubeConfig.applySecurityAuthentication(context);
              // The first request's dispatcher (TLS settings of this kubeconfig) serves all of them.
              const created = context.getDispatcher();
              if (created === undefined) return;
              this.dispatcher ??= created;
              context.setDispatcher(this.dispatcher);
            },
          },
        },
        promiseMiddleware: [
          {
            pre: (context: RequestContext) => {
              this.onRequest(context.getHttpMethod());
              return Promise.resolve(context);
            },
            post: (context: ResponseContext) => Promise.resolve(context),
          },
        ],
      }),
    );
  }
}
