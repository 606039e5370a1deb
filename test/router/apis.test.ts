import { beforeAll, describe, expect, it } from 'vitest';
import type { KubeClients } from '../../src/kube/client.js';
import { unservedApis, unservedRouters } from '../../src/router/apis.js';
import { ROUTERS } from '../../src/router/registry.js';
import { kubeClients } from '../support/env/context.js';

describe('route APIs by discovery against the test API server', () => {
  let clients: KubeClients;
  beforeAll(async () => {
    clients = await kubeClients();
  });

  it('finds both routers served when Istio and the Gateway API CRDs are installed', async () => {
    expect(await unservedRouters(clients)).toEqual([]);
  });

  it('names a group/version the API server does not serve, with the fix', async () => {
    const older = { ...ROUTERS.istio.api, version: 'v1alpha9' };
    expect(await unservedApis(clients, [ROUTERS.istio.api, older])).toEqual([older]);
  });
});
