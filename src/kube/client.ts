import { ServerConfiguration, createConfiguration, type Configuration, type KubeConfig, type RequestContext, type ResponseContext } from '@kubernetes/client-node';

/** Called once per API request, with its HTTP method. */
export type RequestObserver = (method: string) => void;

/**
 * Builds API clients like KubeConfig.makeApiClient, with a middleware that
 * reports every request (the controller counts them per tick in its metrics).
 */
export class KubeClients {
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
        authMethods: { default: this.kubeConfig },
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
