import { afterAll, beforeAll } from 'vitest';
import { createNamespace } from './env/context.js';
import { Cluster, startController, type ControllerProcess, type ControllerSetup } from './harness.js';

export interface ReleaseCluster {
  readonly cluster: () => Cluster;
  readonly controller: () => ControllerProcess;
}

/**
 * A namespace of its own and a controller watching only it, shared by the
 * tests of the enclosing describe: started before the first, stopped after
 * the last. Accessors, since both exist only once the beforeAll has run.
 */
export function useReleaseCluster(prefix: string, setup: ControllerSetup = {}): ReleaseCluster {
  let cluster: Cluster | undefined;
  let controller: ControllerProcess | undefined;
  beforeAll(async () => {
    cluster = new Cluster(await createNamespace(prefix));
    controller = await startController(cluster.namespace, setup);
  });
  afterAll(async () => {
    await controller?.stop();
  });
  return {
    cluster: () => cluster ?? notStarted(),
    controller: () => controller ?? notStarted(),
  };
}

function notStarted(): never {
  throw new Error('useReleaseCluster: read in a test or a later hook, once its beforeAll has started the controller');
}
