import { pino } from 'pino';
import { cliClients, namespaceOf, type GlobalOptions } from '../context.js';
import { CliError } from '../errors.js';
import { listenAddress, type ListenAddress, type ListenOptions } from './address.js';
import { RolloutFeed, type Connection } from './feed.js';
import { startDashboardServer, type DashboardServer } from './server.js';

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
  try {
    const server = await listening(startDashboardServer({ clients, feed, scope }, address), address);
    write(`flowshift dashboard for ${scope}: ${server.url}\n(press Ctrl-C to stop)\n`);
    await interrupted();
    await server.close();
  } finally {
    unlisten();
    await feed.stop();
    await clients.close();
  }
}

/** A port taken or an address not of this machine, said with the flag to change. */
async function listening(started: Promise<DashboardServer>, address: ListenAddress): Promise<DashboardServer> {
  try {
    return await started;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new CliError(`--port ${address.port}: the port is in use; pick another --port (0 takes any free one)`);
    if (code === 'EADDRNOTAVAIL') throw new CliError(`--address ${address.host}: not an address of this machine; give one it has`);
    throw err;
  }
}

function connectionLine(connection: Connection): string {
  return connection.connected ? `${connection.since} watching Rollouts\n` : `${connection.since} not watching Rollouts: ${connection.message ?? ''}\n`;
}

function interrupted(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}
