import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import {
  CustomObjectsApi,
  Watch,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { createNamespace, kubeConfig, mergePatch } from '../support/env/context.js';
import { installCrds, statusCode } from '../../devenv/env/crds.js';

// A throwaway kind, so this smoke test depends on nothing the project defines.
const group = 'smoke.flowshift.io';
const version = 'v1';
const plural = 'widgets';

interface Widget extends KubernetesObject {
  spec: { size: number };
  status?: { phase?: string };
}

describe('the real kube-apiserver through @kubernetes/client-node', () => {
  const kc = kubeConfig();
  const api = kc.makeApiClient(CustomObjectsApi);
  let namespace: string;
  const abort = new AbortController();

  beforeAll(async () => {
    await installCrds(kc, [
      {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: `${plural}.${group}` },
        spec: {
          group,
          scope: 'Namespaced',
          names: { kind: 'Widget', plural, singular: 'widget', listKind: 'WidgetList' },
          versions: [
            {
              name: version,
              served: true,
              storage: true,
              subresources: { status: {} },
              schema: {
                openAPIV3Schema: {
                  type: 'object',
                  properties: {
                    spec: { type: 'object', properties: { size: { type: 'integer', minimum: 1 } }, required: ['size'] },
                    status: { type: 'object', properties: { phase: { type: 'string' } } },
                  },
                },
              },
            },
          ],
        },
      },
    ]);
    namespace = await createNamespace('smoke-kube');
  });
  afterAll(() => {
    abort.abort();
  });

  const create = (name: string, size: number): Promise<Widget> =>
    api.createNamespacedCustomObject({
      group, version, plural, namespace,
      body: { apiVersion: `${group}/${version}`, kind: 'Widget', metadata: { name }, spec: { size } },
    }) as Promise<Widget>;
  const get = (name: string): Promise<Widget> =>
    api.getNamespacedCustomObject({ group, version, plural, namespace, name }) as Promise<Widget>;

  it('creates and reads a custom resource', async () => {
    await create('a', 3);
    const read = await get('a');
    expect(read.spec.size).toBe(3);
    expect(read.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('enforces the CRD schema', async () => {
    const err: unknown = await create('too-small', 0).catch((e: unknown) => e);
    expect(statusCode(err)).toBe(422);
    expect(String(err)).toContain('spec.size');
  });

  it('merge-patches spec, and status only through the status subresource', async () => {
    await create('b', 1);
    const patched = (await api.patchNamespacedCustomObject(
      { group, version, plural, namespace, name: 'b', body: { spec: { size: 2 }, status: { phase: 'Ignored' } } },
      mergePatch,
    )) as Widget;
    expect(patched.spec.size).toBe(2);
    expect(patched.status?.phase).toBeUndefined();

    const withStatus = (await api.patchNamespacedCustomObjectStatus(
      { group, version, plural, namespace, name: 'b', body: { status: { phase: 'Ready' }, spec: { size: 9 } } },
      mergePatch,
    )) as Widget;
    expect(withStatus.status?.phase).toBe('Ready');
    expect(withStatus.spec.size).toBe(2);
  });

  it('answers 409 to a patch carrying a stale resourceVersion', async () => {
    const first = await create('c', 1);
    const stale = first.metadata?.resourceVersion ?? '';
    await api.patchNamespacedCustomObject({ group, version, plural, namespace, name: 'c', body: { spec: { size: 2 } } }, mergePatch);
    const err: unknown = await api
      .patchNamespacedCustomObjectStatus(
        { group, version, plural, namespace, name: 'c', body: { metadata: { resourceVersion: stale }, status: { phase: 'Late' } } },
        mergePatch,
      )
      .catch((e: unknown) => e);
    expect(statusCode(err)).toBe(409);
    expect((await get('c')).status?.phase).toBeUndefined();
  });

  it('delivers watch events for changes', async () => {
    await create('d', 1);
    const events: { type: string; size: number }[] = [];
    const seenPatch = new Promise<void>((resolve, reject) => {
      void new Watch(kc)
        .watch(
          `/apis/${group}/${version}/namespaces/${namespace}/${plural}`,
          // From the watch cache's state (ADDED for what exists): a watch without a version waits for the cache to
          // reach etcd's newest version, and with this etcd (3.4) it gives up after 3 s when other kinds were written meanwhile.
          { fieldSelector: 'metadata.name=d', resourceVersion: '0' },
          (type: string, obj: Widget) => {
            if (type === 'ERROR') reject(new Error(`watch error: ${JSON.stringify(obj)}`));
            else events.push({ type, size: obj.spec.size });
            if (type === 'MODIFIED') resolve();
          },
          (err: unknown) => {
            reject(err instanceof Error ? err : new Error('the watch ended before the change arrived'));
          },
        )
        .then((req) => {
          abort.signal.addEventListener('abort', () => {
            req.abort();
          });
        })
        .then(() =>
          api.patchNamespacedCustomObject({ group, version, plural, namespace, name: 'd', body: { spec: { size: 5 } } }, mergePatch),
        );
    });
    await seenPatch;
    expect(events).toContainEqual({ type: 'ADDED', size: 1 });
    expect(events).toContainEqual({ type: 'MODIFIED', size: 5 });
  });
});
