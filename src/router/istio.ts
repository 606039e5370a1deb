import { CustomObjectsApi, type V1ObjectMeta } from '@kubernetes/client-node';
import type { KubeClients } from '../kube/client.js';
import type { Rollout } from '../api/types.gen.js';
import type { Routes } from '../domain/decision.js';
import { isNotFound, mergePatch } from '../kube/errors.js';
import { ISTIO_GROUP as group, ISTIO_VERSION as version, MANAGED_BY, ownedNames, ownerReference } from '../kube/names.js';
import { assertOwned, notOwnedMessage, ownedBy } from '../kube/ownership.js';
import { stableJson } from '../target/revision.js';
import type { RouteObservation, Router } from './router.js';
import { httpRoute, routesOfVirtualService } from './istio-routes.js';

interface IstioObject {
  metadata?: V1ObjectMeta;
  spec?: Record<string, unknown>;
}

const KIND = { virtualservices: 'VirtualService', destinationrules: 'DestinationRule' } as const;
type Plural = keyof typeof KIND;

/** Istio: two DestinationRules (one per version) and one weighted VirtualService. */
export class IstioRouter implements Router {
  private readonly api: CustomObjectsApi;

  constructor(clients: KubeClients) {
    this.api = clients.make(CustomObjectsApi);
  }

  async ensure(rollout: Rollout, routes: Routes): Promise<void> {
    const names = ownedNames(rollout);
    const trafficPolicy = rollout.spec.service.trafficPolicy;
    const rule = (host: string): Record<string, unknown> => ({ host, ...(trafficPolicy ? { trafficPolicy } : {}) });
    await Promise.all([
      this.upsert(rollout, 'destinationrules', names.primaryService, rule(names.primaryService)),
      this.upsert(rollout, 'destinationrules', names.canaryService, rule(names.canaryService)),
    ]);
    await this.upsert(rollout, 'virtualservices', names.virtualService, virtualServiceSpec(rollout, routes));
  }

  async observe(rollout: Rollout): Promise<RouteObservation> {
    const { namespace, virtualService } = ownedNames(rollout);
    const vs = await this.read(rollout, 'virtualservices', virtualService);
    if (!vs) return { routes: undefined };
    if (!ownedBy(vs.metadata, rollout)) return { routes: undefined, foreign: notOwnedMessage(KIND.virtualservices, namespace, virtualService, vs.metadata) };
    return { routes: routesOfVirtualService(rollout, vs.spec ?? {}) };
  }

  async foreign(rollout: Rollout): Promise<string[]> {
    const names = ownedNames(rollout);
    const objects: [Plural, string][] = [
      ['destinationrules', names.primaryService],
      ['destinationrules', names.canaryService],
      ['virtualservices', names.virtualService],
    ];
    const found = await Promise.all(objects.map(async ([plural, name]) => ({ plural, name, object: await this.read(rollout, plural, name) })));
    return found.flatMap(({ plural, name, object }) =>
      object && !ownedBy(object.metadata, rollout) ? [notOwnedMessage(KIND[plural], names.namespace, name, object.metadata)] : [],
    );
  }

  async setRoutes(rollout: Rollout, routes: Routes): Promise<void> {
    const names = ownedNames(rollout);
    // A merge patch replaces the whole http list, written from the spec with absolute weights.
    await this.api.patchNamespacedCustomObject(
      { group, version, plural: 'virtualservices', namespace: names.namespace, name: names.virtualService, body: { spec: { http: [httpRoute(rollout, routes)] } } },
      mergePatch,
    );
  }

  async release(rollout: Rollout): Promise<void> {
    const names = ownedNames(rollout);
    const vs = await this.read(rollout, 'virtualservices', names.virtualService);
    if (!vs || !ownedBy(vs.metadata, rollout)) return;
    const port = { number: rollout.spec.service.port };
    const { route: _route, mirror: _mirror, mirrorPercentage: _pct, ...rest } = httpRoute(rollout, { primary: 100, canary: 0, mirror: 0 });
    await this.api.patchNamespacedCustomObject(
      {
        group, version, plural: 'virtualservices', namespace: names.namespace, name: names.virtualService,
        body: { metadata: { ownerReferences: null }, spec: { http: [{ ...rest, route: [{ destination: { host: names.service, port }, weight: 100 }] }] } },
      },
      mergePatch,
    );
  }

  private async read(rollout: Rollout, plural: Plural, name: string): Promise<IstioObject | undefined> {
    try {
      return (await this.api.getNamespacedCustomObject({ group, version, plural, namespace: ownedNames(rollout).namespace, name })) as IstioObject;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  private async upsert(rollout: Rollout, plural: Plural, name: string, spec: Record<string, unknown>): Promise<void> {
    const { namespace } = ownedNames(rollout);
    const current = await this.read(rollout, plural, name);
    const kind = KIND[plural];
    if (!current) {
      await this.api.createNamespacedCustomObject({
        group, version, plural, namespace,
        body: { apiVersion: `${group}/${version}`, kind, metadata: { name, namespace, labels: { ...MANAGED_BY }, ownerReferences: [ownerReference(rollout)] }, spec },
      });
      return;
    }
    assertOwned(rollout, kind, namespace, name, current.metadata);
    if (stableJson(current.spec) === stableJson(spec)) return;
    // Keys the spec no longer has are cleared explicitly: a merge patch keeps absent keys.
    const cleared = Object.fromEntries(Object.keys(current.spec ?? {}).filter((k) => !(k in spec)).map((k) => [k, null]));
    await this.api.patchNamespacedCustomObject({ group, version, plural, namespace, name, body: { spec: { ...cleared, ...spec } } }, mergePatch);
  }
}

function virtualServiceSpec(rollout: Rollout, routes: Routes): Record<string, unknown> {
  const names = ownedNames(rollout);
  const s = rollout.spec.service;
  const hosts = [names.service, ...(s.hosts ?? []).filter((h) => h !== names.service)];
  return { hosts, gateways: s.gateways?.length ? s.gateways : ['mesh'], http: [httpRoute(rollout, routes)] };
}
