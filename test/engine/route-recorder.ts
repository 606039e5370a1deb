import { CustomObjectsApi, Watch } from '@kubernetes/client-node';
import type { MeshProvider } from '../../src/api/types.gen.js';
import { kubeConfig } from '../env/context.js';

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

/** Every distinct view of a route object as it changes (a watch, so no state is missed). */
export async function recordRoute(namespace: string, provider: MeshProvider, name: string): Promise<{ views: RouteView[]; stop: () => void }> {
  const views: RouteView[] = [];
  let stopped = false;
  let current: { abort: () => void } | undefined;
  const open = async (): Promise<void> => {
    if (stopped) return;
    current = await new Watch(kubeConfig()).watch(
      `/${ROUTE_OBJECT[provider].path}/namespaces/${namespace}/${PLURAL[provider]}`,
      { fieldSelector: `metadata.name=${name}` },
      (type: string, obj: unknown) => {
        if (type !== 'ADDED' && type !== 'MODIFIED') return;
        const view = ROUTE_OBJECT[provider].view(obj);
        if (JSON.stringify(views.at(-1)) !== JSON.stringify(view)) views.push(view);
      },
      () => {
        if (!stopped) setTimeout(() => void open().catch(() => undefined), 200);
      },
    );
  };
  await open();
  return { views, stop: () => ((stopped = true), current?.abort()) };
}

/**
 * The canary weights the route went through, from the first one off 0 (the
 * watch may open after the route's first write, so a leading 0 is not
 * reliably seen).
 */
export const weightsOf = (views: readonly RouteView[]): number[] => {
  const weights = views.map((v) => v.weights[1]).filter((w, i, all) => i === 0 || all[i - 1] !== w);
  return weights[0] === 0 ? weights.slice(1) : weights;
};
