import { Agent as HttpsAgent, type RequestOptions } from 'node:https';
import { ServerConfiguration, createConfiguration, type Configuration, type KubeConfig, type RequestContext, type ResponseContext } from '@kubernetes/client-node';

/** Called once per API request, with its HTTP method. */
export type RequestObserver = (method: string) => void;

const MAX_SOCKETS = 64;

/**
 * Builds API clients like KubeConfig.makeApiClient, with two differences:
 * every request is reported (the controller counts them in its metrics), and
 * all requests share one keep-alive HTTPS agent. client-node 1.4 creates a new
 * agent per request (kubernetes-client/javascript#2893), so every request
 * would pay a TLS handshake on both sides.
 */
export class KubeClients {
  private agent: Promise<HttpsAgent | undefined> | undefined;

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
              const agent = await this.sharedAgent();
              if (agent) context.setAgent(agent);
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

  /** One keep-alive agent with the TLS settings client-node would use; none behind a proxy or over plain HTTP. */
  private sharedAgent(): Promise<HttpsAgent | undefined> {
    this.agent ??= (async () => {
      const cluster = this.kubeConfig.getCurrentCluster();
      if (!cluster?.server.startsWith('https:') || cluster.proxyUrl) return undefined;
      const options: RequestOptions = {};
      await this.kubeConfig.applyToHTTPSOptions(options);
      const template = options.agent instanceof HttpsAgent ? options.agent.options : {};
      return new HttpsAgent({ ...template, keepAlive: true, maxSockets: MAX_SOCKETS });
    })();
    return this.agent;
  }
}
