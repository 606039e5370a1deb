import { CustomObjectsApi } from '@kubernetes/client-node';
import type { KubeClients } from '../kube/client.js';
import type { Rollout } from '../api/types.gen.js';
import type { Routes } from '../domain/decision.js';
import { isNotFound, mergePatch } from '../kube/errors.js';
import { MANAGED_BY, ownedNames, ownerReference } from '../kube/names.js';
import { stableJson } from '../target/revision.js';
import type { Router } from './router.js';
import { httpRoute, routesOfVirtualService } from './istio-routes.js';

const group = 'networking.istio.io';
const version = 'v1';

interface IstioObject {
  metadata?: { resourceVersion?: string };
  spec?: Record<string, unknown>;
}

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

  async getRoutes(rollout: Rollout): Promise<Routes | undefined> {
    const vs = await this.read(rollout, 'virtualservices', ownedNames(rollout).virtualService);
    return vs?.spec ? routesOfVirtualService(rollout, vs.spec) : undefined;
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

  private async read(rollout: Rollout, plural: string, name: string): Promise<IstioObject | undefined> {
    try {
      return (await this.api.getNamespacedCustomObject({ group, version, plural, namespace: ownedNames(rollout).namespace, name })) as IstioObject;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  private async upsert(rollout: Rollout, plural: string, name: string, spec: Record<string, unknown>): Promise<void> {
    const { namespace } = ownedNames(rollout);
    const current = await this.read(rollout, plural, name);
    if (!current) {
      const kind = plural === 'virtualservices' ? 'VirtualService' : 'DestinationRule';
      await this.api.createNamespacedCustomObject({
        group, version, plural, namespace,
        body: { apiVersion: `${group}/${version}`, kind, metadata: { name, namespace, labels: { ...MANAGED_BY }, ownerReferences: [ownerReference(rollout)] }, spec },
      });
      return;
    }
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
