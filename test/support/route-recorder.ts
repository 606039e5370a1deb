import { CustomObjectsApi, Watch } from '@kubernetes/client-node';
import type { MeshProvider } from '../../src/api/types.gen.js';
import { kubeConfig } from './env/context.js';

/** What a route object does with traffic, in one line, the same for every router. */
export interface RouteView {
  readonly weights: readonly [number, number];
  readonly match: boolean;
  readonly affinity: boolean;
  readonly mirror: number;
}

export const ROUTE_OBJECT: Record<MeshProvider, { readonly path: string; readonly view: (obj: unknown) => RouteView }> = {
  istio: {
    path: 'apis/networking.istio.io/v1',
    view: (obj) => {
      const http = ((obj as { spec?: { http?: { name?: string; route?: { destination?: { host?: string }; weight?: number }[]; mirrorPercentage?: { value?: number } }[] } }).spec?.http ?? []);
      const weighted = http.find((r) => r.name === 'flowshift-weighted') ?? http.at(-1);
      const weight = (suffix: string): number => weighted?.route?.find((d) => d.destination?.host?.endsWith(suffix))?.weight ?? 0;
      return {
        weights: [weight('-primary'), weight('-canary')],
        match: http.some((r) => r.name === 'flowshift-ab-testing'),
        affinity: http.some((r) => r.name === 'flowshift-session-affinity'),
        mirror: weighted?.mirrorPercentage?.value ?? 0,
      };
    },
  },
  gatewayapi: {
    path: 'apis/gateway.networking.k8s.io/v1',
    view: (obj) => {
      const rules = ((obj as { spec?: { rules?: { name?: string; backendRefs?: { name?: string; weight?: number }[]; filters?: { requestMirror?: { percent?: number } }[] }[] } }).spec?.rules ?? []);
      const weighted = rules.find((r) => r.name === 'flowshift-weighted') ?? rules.at(-1);
      const weight = (suffix: string): number => weighted?.backendRefs?.find((b) => b.name?.endsWith(suffix))?.weight ?? 0;
      return {
        weights: [weight('-primary'), weight('-canary')],
        match: rules.some((r) => r.name === 'flowshift-ab-testing'),
        affinity: rules.some((r) => r.name === 'flowshift-session-affinity'),
        mirror: weighted?.filters?.find((f) => f.requestMirror)?.requestMirror?.percent ?? 0,
      };
    },
  },
};
const PLURAL: Record<MeshProvider, string> = { istio: 'virtualservices', gatewayapi: 'httproutes' };

/** A route object as it is now (a VirtualService or an HTTPRoute). */
export async function readRoute(namespace: string, provider: MeshProvider, name: string): Promise<unknown> {
  const [group = '', version = ''] = ROUTE_OBJECT[provider].path.replace(/^apis\//, '').split('/');
  return kubeConfig().makeApiClient(CustomObjectsApi).getNamespacedCustomObject({ group, version, plural: PLURAL[provider], namespace, name });
}

/**
 * Every distinct view of a route object as it changes, from its state when
 * recording starts. It reads the object, then watches from the version read;
 * a watch that ends is re-opened from the last version seen, so no state is
 * missed (client-node ends a watch after 30 s without data). A watch the API
 * server refuses for now (504 "Too large resource version": the test etcd
 * sends no progress notifications, so a quiet kind's watch cache lags) is
 * asked again a second later.
 */
export async function recordRoute(namespace: string, provider: MeshProvider, name: string): Promise<{ views: RouteView[]; stop: () => void }> {
  const views: RouteView[] = [];
  const record = (obj: unknown): void => {
    const view = ROUTE_OBJECT[provider].view(obj);
    if (JSON.stringify(views.at(-1)) !== JSON.stringify(view)) views.push(view);
  };
  let stopped = false;
  let resourceVersion: string | undefined;
  let current: { abort: () => void } | undefined;
  const open = async (): Promise<void> => {
    if (stopped) return;
    if (resourceVersion === undefined) {
      const obj = (await readRoute(namespace, provider, name).catch(() => undefined)) as { metadata?: { resourceVersion?: string } } | undefined;
      if (obj) record(obj);
      resourceVersion = obj?.metadata?.resourceVersion;
    }
    let retryMs = 200;
    current = await new Watch(kubeConfig()).watch(
      `/${ROUTE_OBJECT[provider].path}/namespaces/${namespace}/${PLURAL[provider]}`,
      { fieldSelector: `metadata.name=${name}`, resourceVersion },
      (type: string, obj: { code?: number; metadata?: { resourceVersion?: string } }) => {
        if (type === 'ERROR') {
          // 410 Gone: too old to resume from, read the object again; 504: not in the watch cache yet, ask again.
          if (obj.code === 410) resourceVersion = undefined;
          else retryMs = 1_000;
          return;
        }
        resourceVersion = obj.metadata?.resourceVersion ?? resourceVersion;
        if (type === 'ADDED' || type === 'MODIFIED') record(obj);
      },
      () => {
        if (!stopped) setTimeout(() => void open().catch(() => undefined), retryMs);
      },
    );
  };
  await open();
  return { views, stop: () => ((stopped = true), current?.abort()) };
}

/** The canary weights the route went through, each change once. */
export const canaryWeights = (views: readonly RouteView[]): number[] =>
  views.map((v) => v.weights[1]).filter((w, i, all) => i === 0 || all[i - 1] !== w);

/**
 * The canary weights the route went through, from the first one off 0 (the
 * route may be created after recording starts, at 0 or not).
 */
export const weightsOf = (views: readonly RouteView[]): number[] => {
  const weights = canaryWeights(views);
  return weights[0] === 0 ? weights.slice(1) : weights;
};
