import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ENV_VARIABLES } from '../../src/config.js';
import { ROOT, find, render, wildcards, type Manifest, type PolicyRule } from './manifests.js';

interface Container {
  name: string;
  env?: { name: string; value?: string; valueFrom?: Record<string, unknown> }[];
  ports?: { name: string; containerPort: number }[];
  readinessProbe?: { httpGet?: { path: string } };
  livenessProbe?: { httpGet?: { path: string } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean; capabilities?: { drop?: string[] } };
}
interface PodSpec {
  serviceAccountName?: string;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  containers: Container[];
}
type Deployment = Manifest & { spec: { replicas: number; selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> }; spec: PodSpec } } };

const OVERLAYS = ['deploy/base', ...readdirSync(join(ROOT, 'deploy/overlays')).map((o) => `deploy/overlays/${o}`)];

function controller(manifests: readonly Manifest[]): Container {
  const container = (find(manifests, 'Deployment', 'flowshift') as Deployment).spec.template.spec.containers.find((c) => c.name === 'controller');
  if (!container) throw new Error('Deployment flowshift has no container "controller"');
  return container;
}

function envOf(manifests: readonly Manifest[]): Record<string, unknown> {
  return Object.fromEntries((controller(manifests).env ?? []).map((e) => [e.name, e.value ?? e.valueFrom]));
}

describe('the install manifests (deploy/)', () => {
  it('crds/Kustomization lists every generated CRD, so deploy/base installs them all', () => {
    const listed = (parse(readFileSync(join(ROOT, 'crds/Kustomization'), 'utf8')) as { resources: string[] }).resources;
    const generated = readdirSync(join(ROOT, 'crds')).filter((f) => f.endsWith('.yaml'));
    expect([...listed].sort(), 'crds/Kustomization is stale: list every crds/*.yaml in it').toEqual(generated.sort());
  });

  it.each(OVERLAYS)('%s grants no rule with "*"', async (dir) => {
    const roles = (await render(dir)).filter((m) => m.kind === 'ClusterRole' || m.kind === 'Role');
    expect(roles.length).toBeGreaterThan(0);
    for (const role of roles) expect(wildcards(role['rules'] as PolicyRule[]), `${role.kind} ${role.metadata.name}`).toEqual([]);
  });

  it.each(OVERLAYS)('%s sets only variables the controller reads', async (dir) => {
    expect(Object.keys(envOf(await render(dir))).filter((name) => !ENV_VARIABLES.includes(name))).toEqual([]);
  });

  it('the base installs a hardened controller: 2 replicas, probes, limits, non-root, read-only root, a PodDisruptionBudget', async () => {
    const manifests = await render('deploy/base');
    const namespaced = manifests.filter((m) => !['Namespace', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding'].includes(m.kind));
    expect(namespaced.filter((m) => m.metadata.namespace !== 'flowshift-system').map((m) => m.metadata.name)).toEqual([]);
    const deployment = find(manifests, 'Deployment', 'flowshift') as Deployment;
    expect(deployment.spec.replicas).toBe(2);
    const pod = deployment.spec.template.spec;
    expect(pod.serviceAccountName).toBe('flowshift');
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true });
    const c = controller(manifests);
    expect([c.livenessProbe?.httpGet?.path, c.readinessProbe?.httpGet?.path]).toEqual(['/healthz', '/readyz']);
    expect(Object.keys(c.resources?.requests ?? {}).sort()).toEqual(['cpu', 'memory']);
    expect(c.resources?.limits?.['memory']).toBeDefined();
    expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    const pdb = find(manifests, 'PodDisruptionBudget', 'flowshift') as Manifest & { spec: { minAvailable: number; selector: { matchLabels: Record<string, string> } } };
    expect(pdb.spec.minAvailable).toBe(1);
    expect(deployment.spec.template.metadata.labels).toMatchObject(pdb.spec.selector.matchLabels);
    expect(manifests.filter((m) => m.kind === 'CustomResourceDefinition').map((m) => m.metadata.name).sort()).toEqual(
      readdirSync(join(ROOT, 'crds')).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, '')).sort(),
    );
    expect(envOf(manifests)['REDIS_URL']).toBe('redis://flowshift-redis:6379');
    find(manifests, 'Service', 'flowshift-redis');
  });

  it('the bundled Redis requires the generated password, and only the controller\'s pods may reach it', async () => {
    const manifests = await render('deploy/base');
    const redis = find(manifests, 'Deployment', 'flowshift-redis') as Deployment;
    const server = redis.spec.template.spec.containers.find((c) => c.name === 'redis') as Container & { args: string[] };
    expect(server.args.slice(-2)).toEqual(['--requirepass', '$(REDIS_PASSWORD)']);
    const generated = (key: string): unknown => ({ secretKeyRef: { name: 'flowshift-generated', key } });
    expect(Object.fromEntries((server.env ?? []).map((e) => [e.name, e.valueFrom]))).toEqual({ REDIS_PASSWORD: generated('redis-password'), REDISCLI_AUTH: generated('redis-password') });
    expect(envOf(manifests)['REDIS_PASSWORD']).toEqual(generated('redis-password'));
    expect(envOf(manifests)['NOTIFICATION_SIGNING_KEY']).toEqual(generated('notification-signing-key'));
    // The init container that makes the Secret runs a file the build produces.
    const pod = (find(manifests, 'Deployment', 'flowshift') as Deployment).spec.template.spec as PodSpec & { initContainers: { command: string[] }[] };
    const script = pod.initContainers[0]?.command[1] ?? '';
    expect(existsSync(join(ROOT, script.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts'))), script).toBe(true);

    const policy = find(manifests, 'NetworkPolicy', 'flowshift-redis') as Manifest & { spec: { podSelector: { matchLabels: Record<string, string> }; policyTypes: string[]; ingress: { from: { podSelector: { matchLabels: Record<string, string> } }[]; ports: { port: number }[] }[] } };
    expect(policy.spec.podSelector.matchLabels).toEqual(redis.spec.template.metadata.labels);
    expect(policy.spec.policyTypes).toEqual(['Ingress']);
    expect(policy.spec.ingress).toHaveLength(1);
    expect(policy.spec.ingress[0]?.from.map((f) => f.podSelector.matchLabels)).toEqual([(find(manifests, 'Deployment', 'flowshift') as Deployment).spec.template.metadata.labels]);
    expect(policy.spec.ingress[0]?.ports).toEqual([{ port: 6379, protocol: 'TCP' }]);
  });

  it.each(OVERLAYS)('%s puts every namespaced object in flowshift-system', async (dir) => {
    const clusterWide = new Set(['Namespace', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding']);
    const astray = (await render(dir)).filter((m) => !clusterWide.has(m.kind) && m.metadata.namespace !== 'flowshift-system');
    expect(astray.map((m) => `${m.kind}/${m.metadata.name} in ${m.metadata.namespace ?? "kubectl's current namespace"}`)).toEqual([]);
  });

  it('the external-redis overlay drops the quick-start Redis and reads the URL from a Secret', async () => {
    const manifests = await render('deploy/overlays/external-redis');
    expect(manifests.filter((m) => m.metadata.name === 'flowshift-redis')).toEqual([]);
    expect(envOf(manifests)['REDIS_URL']).toEqual({ secretKeyRef: { name: 'flowshift-redis', key: 'url' } });
    // The URL carries your Redis's password; the generated one is the bundled Redis's.
    expect(envOf(manifests)['REDIS_PASSWORD']).toBeUndefined();
    expect(envOf(manifests)['NOTIFICATION_SIGNING_KEY']).toEqual({ secretKeyRef: { name: 'flowshift-generated', key: 'notification-signing-key' } });
  });

  it('the redis-sentinel overlay names Sentinels and a master instead of a URL', async () => {
    const manifests = await render('deploy/overlays/redis-sentinel');
    expect(manifests.filter((m) => m.metadata.name === 'flowshift-redis')).toEqual([]);
    const env = envOf(manifests);
    expect(env['REDIS_URL']).toBeUndefined();
    expect(env['REDIS_SENTINELS']).toMatch(/^[^,]+:26379(,[^,]+:26379)*$/);
    expect(env['REDIS_SENTINEL_MASTER']).toBe('mymaster');
  });

  it('the prometheus-operator overlay scrapes every replica on the port the controller serves /metrics on', async () => {
    const manifests = await render('deploy/overlays/prometheus-operator');
    const monitor = find(manifests, 'PodMonitor', 'flowshift') as Manifest & { spec: { podMetricsEndpoints: { port: string; path: string }[] } };
    expect(monitor.spec.podMetricsEndpoints).toMatchObject([{ port: 'http-metrics', path: '/metrics' }]);
    expect(controller(manifests).ports).toEqual([{ name: 'http-metrics', containerPort: 8086 }]);
  });

  it('the namespaced overlay grants the ClusterRole\'s rules as a Role and watches only its own namespace', async () => {
    const [base, manifests] = await Promise.all([render('deploy/base'), render('deploy/overlays/namespaced')]);
    expect(manifests.filter((m) => m.kind === 'ClusterRole' || m.kind === 'ClusterRoleBinding')).toEqual([]);
    expect(find(manifests, 'Role', 'flowshift')['rules']).toEqual(find(base, 'ClusterRole', 'flowshift')['rules']);
    expect(find(manifests, 'RoleBinding', 'flowshift')).toMatchObject({ roleRef: { kind: 'Role', name: 'flowshift' }, subjects: [{ kind: 'ServiceAccount', name: 'flowshift' }] });
    expect(envOf(manifests)['WATCH_NAMESPACES']).toEqual({ fieldRef: { fieldPath: 'metadata.namespace' } });
    // Cluster-wide objects are a cluster admin's: a team's install renders none (test/install/namespaced.test.ts applies it).
    expect(manifests.filter((m) => m.kind === 'Namespace' || m.kind === 'CustomResourceDefinition').map((m) => `${m.kind}/${m.metadata.name}`)).toEqual([]);
  });
});
