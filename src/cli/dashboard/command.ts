import { pino } from 'pino';
import { cliClients, namespaceOf, type GlobalOptions } from '../context.js';
import { listenAddress, type ListenOptions } from './address.js';
import { RolloutFeed, type Connection } from './feed.js';
import { startDashboardServer } from './server.js';

export interface DashboardOptions extends ListenOptions {
  readonly allNamespaces?: boolean;
}

/**
 * `kubectl flowshift dashboard`: serves the page on this machine until
 * interrupted. Everything it reads and writes goes through the user's own
 * kubeconfig and RBAC: it can do nothing the user cannot.
 */
export async function runDashboard(globals: GlobalOptions, options: DashboardOptions, write: (text: string) => void): Promise<void> {
  const address = listenAddress(options);
  const clients = cliClients(globals);
  const namespace = options.allNamespaces ? undefined : namespaceOf(clients.kubeConfig, globals);
  const scope = namespace === undefined ? 'all namespaces' : `namespace ${namespace}`;
  // The informer's retry warnings would scroll the terminal while the API server is away; the connection lines below say it once.
  const feed = new RolloutFeed(clients, namespace, pino({ level: 'silent' }));
  const unlisten = feed.listen((change) => {
    if (change.kind === 'connection') write(connectionLine(change.connection));
  });
  await feed.start();
  const server = await startDashboardServer({ clients, feed, scope }, address);
  write(`flowshift dashboard for ${scope}: ${server.url}\n(press Ctrl-C to stop)\n`);
  await interrupted();
  unlisten();
  await server.close();
  await feed.stop();
  await clients.close();
}

function connectionLine(connection: Connection): string {
  return connection.connected ? `${connection.since} the API server answers\n` : `${connection.since} the API server does not answer: ${connection.message ?? ''}\n`;
}

function interrupted(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}
