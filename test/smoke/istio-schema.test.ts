import { beforeAll, describe, expect, it } from 'vitest';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { createNamespace, env, kubeConfig } from '../support/env/context.js';
import { statusCode } from '../../devenv/env/crds.js';

const group = 'networking.istio.io';
const version = 'v1';
const plural = 'virtualservices';

function virtualService(name: string, http: object[]): object {
  return { apiVersion: `${group}/${version}`, kind: 'VirtualService', metadata: { name }, spec: { hosts: ['podinfo'], http } };
}

describe('Istio networking CRDs on the test API server', () => {
  const api = kubeConfig().makeApiClient(CustomObjectsApi);
  let namespace: string;
  beforeAll(async () => {
    namespace = await createNamespace('smoke-istio');
  });
  const create = (body: object): Promise<object> => api.createNamespacedCustomObject({ group, version, plural, namespace, body });

  it('accepts a weighted VirtualService', async () => {
    const created = await create(
      virtualService('valid', [
        {
          route: [
            { destination: { host: 'podinfo-primary', port: { number: 9898 } }, weight: 90 },
            { destination: { host: 'podinfo-canary', port: { number: 9898 } }, weight: 10 },
          ],
          timeout: '10s',
        },
      ]),
    );
    expect(created).toMatchObject({ metadata: { name: 'valid' } });
  });

  // CI sets ISTIO_CRDS to Istio's real schemas; a bare `npm test` without it
  // installs permissive stand-ins that accept anything.
  it.runIf(env().istioCrds === 'istio')('rejects a VirtualService that violates Istio\'s schema, naming the field', async () => {
    const missingHost = await create(virtualService('no-host', [{ route: [{ destination: { port: { number: 9898 } } }] }])).catch(
      (e: unknown) => e,
    );
    expect(statusCode(missingHost)).toBe(422);
    expect(String(missingHost)).toMatch(/spec\.http\[0\]\.route\[0\]\.destination\.host: Required value/);

    const badTimeout = await create(virtualService('bad-timeout', [{ route: [{ destination: { host: 'x' } }], timeout: '0.5ms' }])).catch(
      (e: unknown) => e,
    );
    expect(statusCode(badTimeout)).toBe(422);
    expect(String(badTimeout)).toContain('must be a valid duration greater than 1ms');
  });
});
