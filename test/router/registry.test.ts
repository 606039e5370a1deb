import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeshProvider } from '../../src/api/types.gen.js';
import { KubeClients } from '../../src/kube/client.js';
import { GROUP, VERSION } from '../../src/api/names.js';
import { describeUnserved, unservedRouters } from '../../src/router/apis.js';
import { ROUTERS } from '../../src/router/registry.js';

describe('the router registry', () => {
  it('has a router for every MeshProvider value of the API, and no other', () => {
    expect(Object.keys(ROUTERS).sort()).toEqual(Object.values(MeshProvider).sort());
  });

  describe('discovery against an API server that serves none of the route APIs', () => {
    // A loopback stand-in for the API server's discovery: it serves flowshift.io only.
    const server = createServer((req, res) => {
      if (req.url !== '/apis') {
        res.writeHead(404).end();
        return;
      }
      const groups = [{ name: GROUP, versions: [{ groupVersion: `${GROUP}/${VERSION}`, version: VERSION }], preferredVersion: { groupVersion: `${GROUP}/${VERSION}`, version: VERSION } }];
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'APIGroupList', apiVersion: 'v1', groups }));
    });
    let clients: KubeClients;
    beforeAll(async () => {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [{ name: 'stand-in', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }],
        users: [{ name: 'nobody' }],
        contexts: [{ name: 'stand-in', cluster: 'stand-in', user: 'nobody' }],
        currentContext: 'stand-in',
      });
      clients = new KubeClients(kc);
    });
    afterAll(async () => {
      await new Promise((resolve) => server.close(resolve));
    });

    it('names every router of the registry, each with the fix its plugin gives', async () => {
      const expected = Object.entries(ROUTERS).map(([provider, plugin]) => ({ provider, message: describeUnserved(provider as MeshProvider, plugin.api) }));
      expect(await unservedRouters(clients)).toEqual(expected);
      for (const { message } of expected) expect(message).toMatch(/which the API server does not serve: .+/);
    });
  });
});
