import { execFile } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installCrds, readCrdFile } from '../../devenv/env/crds.js';
import { resolveHelm } from '../../devenv/env/binaries.js';
import { GENERATED_SECRET, ensureGeneratedSecret } from '../../src/install/ensure-secret.js';
import { isConflict } from '../../src/kube/errors.js';
import { createNamespace, env, kubeConfig } from '../support/env/context.js';
import { Cluster, podinfo, startController, type ControllerProcess } from '../support/harness.js';
import { quickRollout } from '../support/rollouts.js';
import { CHART, helm, helmOk, parseManifests } from './helm.js';
import { ROOT, find, render, type Manifest } from './manifests.js';
import { serviceAccountKubeconfig } from './service-account.js';

/** The documented install: `helm install flowshift charts/flowshift -n flowshift-system`. */
const RELEASE = 'flowshift';
const NAMESPACE = 'flowshift-system';
/** Every documented combination of values: docs/install.md#helm lists the same files. */
const COMBINATIONS = readdirSync(join(CHART, 'ci')).filter((f) => f.endsWith('-values.yaml')).map((f) => f.replace(/-values\.yaml$/, ''));
/** The kustomize install each combination renders the same objects as, and the objects only the chart adds. */
const KUSTOMIZE_TWINS: Record<string, { dir: string; extra: string[] }> = {
  default: { dir: 'deploy/base', extra: [] },
  'external-redis': { dir: 'deploy/overlays/external-redis', extra: [] },
  'redis-sentinel': { dir: 'deploy/overlays/redis-sentinel', extra: [] },
  'prometheus-operator': { dir: 'deploy/overlays/prometheus-operator', extra: ['ConfigMap/flowshift-dashboards'] },
};
/** Labels Helm's conventions add (and the release's instance in selectors, so two releases stay apart). */
const HELM_LABELS = ['app.kubernetes.io/instance', 'app.kubernetes.io/managed-by', 'app.kubernetes.io/version', 'helm.sh/chart'];
/** A first run builds helm with Go (minutes): beyond the usual hook timeout. */
const HELM_BUILD_TIMEOUT_MS = 15 * 60_000;
const DRY_RUN_NAMESPACE = 'flowshift-helm-dry-run';
const MONITORING_CRDS = join(ROOT, 'test/fixtures/prometheus-operator-crds.yaml');

async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)('kubectl', ['--kubeconfig', env().kubeconfigPath, '--cache-dir', join(env().dir, 'kubectl-cache'), ...args]);
  return stdout;
}

function valuesFile(combination: string): string {
  return join(CHART, 'ci', `${combination}-values.yaml`);
}

/** `helm template` of the documented release with one combination's values: the YAML, and its objects. */
async function template(combination: string): Promise<{ yaml: string; manifests: Manifest[] }> {
  const yaml = await helmOk('template', RELEASE, CHART, '--namespace', NAMESPACE, '-f', valuesFile(combination));
  return { yaml, manifests: parseManifests(yaml) };
}

/** Creates the namespace unless it exists (names the combinations share with other runs of this file). */
async function ensureNamespace(name: string): Promise<void> {
  try {
    await kubeConfig().makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name } } });
  } catch (err) {
    if (!isConflict(err)) throw err;
  }
}

/** `value` without the keys named, at any depth. */
function withoutKeys(value: unknown, keys: readonly string[]): unknown {
  if (Array.isArray(value)) return value.map((v) => withoutKeys(v, keys));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).filter(([k]) => !keys.includes(k)).map(([k, v]) => [k, withoutKeys(v, keys)]));
}

/** An object as both installs must agree on it: without its own labels (Helm's and kustomize's differ) and Helm's selector labels. */
function comparable(m: Manifest): unknown {
  const { labels: _labels, ...metadata } = m.metadata;
  return withoutKeys({ ...m, metadata }, HELM_LABELS);
}

const id = (m: Manifest): string => `${m.kind}/${m.metadata.name}`;

describe('charts/flowshift, rendered for every documented combination', () => {
  const rendered = new Map<string, Manifest[]>();
  const yamls = new Map<string, string>();

  beforeAll(async () => {
    await resolveHelm();
    // PodMonitor and ServiceMonitor are not served by the test API server without the Operator's CRDs.
    await installCrds(kubeConfig(), readCrdFile(MONITORING_CRDS));
    for (const ns of [NAMESPACE, 'payments', 'checkout', 'monitoring']) await ensureNamespace(ns);
    for (const combination of COMBINATIONS) {
      const { yaml, manifests } = await template(combination);
      yamls.set(combination, yaml);
      rendered.set(combination, manifests);
    }
  }, HELM_BUILD_TIMEOUT_MS);

  it('documents each combination in docs/install.md, and each has a kustomize twin or is the namespaced one', () => {
    const docs = readFileSync(join(ROOT, 'docs/install.md'), 'utf8');
    expect(COMBINATIONS.filter((c) => !docs.includes(`charts/flowshift/ci/${c}-values.yaml`))).toEqual([]);
    expect(Object.keys(KUSTOMIZE_TWINS).filter((c) => !COMBINATIONS.includes(c))).toEqual([]);
  });

  it.each(COMBINATIONS)('%s passes helm lint --strict', async (combination) => {
    const lint = await helm('lint', '--strict', CHART, '--namespace', NAMESPACE, '-f', valuesFile(combination));
    expect(lint.ok, lint.stdout + lint.stderr).toBe(true);
  });

  it.each(COMBINATIONS)('%s is accepted by the API server (server-side dry-run)', async (combination) => {
    // In a namespace of its own: flowshift-system may hold deploy/base applied for real by other test files
    // (test/install/rbac.test.ts), whose Deployments' selectors (without Helm's instance label) are immutable.
    await ensureNamespace(DRY_RUN_NAMESPACE);
    const file = join(env().dir, `helm-${combination}.yaml`);
    writeFileSync(file, await helmOk('template', RELEASE, CHART, '--namespace', DRY_RUN_NAMESPACE, '-f', valuesFile(combination)));
    const out = await kubectl('apply', '--dry-run=server', '-f', file);
    expect(out.trim().split('\n')).toHaveLength(rendered.get(combination)?.length ?? -1);
  });

  it.each(Object.entries(KUSTOMIZE_TWINS).map(([c, twin]) => [c, twin.dir, twin.extra] as const))('%s renders the objects of %s, object for object', async (combination, dir, extra) => {
    const chart = rendered.get(combination) ?? [];
    // Helm installs the CRDs from the chart's crds/ (npm run gen copies them), and the namespace with --create-namespace.
    const kustomize = (await render(dir)).filter((m) => m.kind !== 'Namespace' && m.kind !== 'CustomResourceDefinition');
    expect(chart.map(id).sort()).toEqual([...kustomize.map(id), ...extra].sort());
    for (const object of kustomize) expect(comparable(find(chart, object.kind, object.metadata.name)), id(object)).toEqual(comparable(object));
    for (const object of chart) expect(object.metadata.labels?.['app.kubernetes.io/part-of'], id(object)).toBe('flowshift');
  });

  it('grants exactly the rules of deploy/base/cluster-role.yaml, cluster-wide or in each listed namespace', async () => {
    const rules = find(await render('deploy/base'), 'ClusterRole', 'flowshift')['rules'];
    expect(find(rendered.get('default') ?? [], 'ClusterRole', 'flowshift')['rules']).toEqual(rules);

    const namespaced = rendered.get('namespaced') ?? [];
    expect(namespaced.filter((m) => m.kind.startsWith('Cluster')).map(id)).toEqual([]);
    const roles = namespaced.filter((m) => m.kind === 'Role' && m.metadata.name === 'flowshift');
    expect(roles.map((r) => r.metadata.namespace)).toEqual(['payments', 'checkout']);
    for (const role of roles) expect(role['rules'], `Role in ${role.metadata.namespace ?? ''}`).toEqual(rules);
    const bindings = namespaced.filter((m) => m.kind === 'RoleBinding' && m.metadata.name === 'flowshift');
    expect(bindings.map((b) => [b.metadata.namespace, b['subjects']])).toEqual(
      ['payments', 'checkout'].map((ns) => [ns, [{ kind: 'ServiceAccount', name: 'flowshift', namespace: NAMESPACE }]]),
    );
    // The init container makes flowshift-generated in the release's namespace, which is not watched.
    expect(find(namespaced, 'Role', 'flowshift-generate-secrets')).toMatchObject({ metadata: { namespace: NAMESPACE }, rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['create'] }] });
    const controller = (find(namespaced, 'Deployment', 'flowshift') as Manifest & { spec: { template: { spec: { containers: { env: { name: string; value?: string }[] }[] } } } }).spec.template.spec.containers[0];
    expect(controller?.env.find((e) => e.name === 'WATCH_NAMESPACES')?.value).toBe('payments,checkout');
  });

  it('puts the Grafana dashboards in a ConfigMap for the sidecar, under the label and namespace asked for', () => {
    const dashboards = readdirSync(join(ROOT, 'dashboards')).filter((f) => f.endsWith('.json'));
    const byDefault = find(rendered.get('prometheus-operator') ?? [], 'ConfigMap', 'flowshift-dashboards') as Manifest & { data: Record<string, string> };
    expect(Object.keys(byDefault.data).sort()).toEqual(dashboards.sort());
    for (const file of dashboards) expect(byDefault.data[file], file).toBe(readFileSync(join(ROOT, 'dashboards', file), 'utf8'));
    expect(byDefault.metadata).toMatchObject({ namespace: NAMESPACE, labels: { grafana_dashboard: '1' } });
    const own = find(rendered.get('service-monitor') ?? [], 'ConfigMap', 'flowshift-dashboards');
    expect(own.metadata).toMatchObject({ namespace: 'monitoring', labels: { grafana_dashboard: 'flowshift' }, annotations: { grafana_folder: 'flowshift' } });
  });

  it('a ServiceMonitor scrapes the metrics port of the controller Service', () => {
    const manifests = rendered.get('service-monitor') ?? [];
    const monitor = find(manifests, 'ServiceMonitor', 'flowshift') as Manifest & { spec: { selector: { matchLabels: Record<string, string> }; endpoints: { port: string; interval: string }[] } };
    const service = find(manifests, 'Service', 'flowshift') as Manifest & { spec: { ports: { name: string }[] } };
    expect(service.metadata.labels).toMatchObject(monitor.spec.selector.matchLabels);
    expect(monitor.spec.endpoints).toMatchObject([{ port: service.spec.ports[0]?.name, path: '/metrics', interval: '15s' }]);
    expect(manifests.filter((m) => m.kind === 'PodMonitor' || m.kind === 'PodDisruptionBudget' || m.kind === 'NetworkPolicy').map(id)).toEqual([]);
  });

  it('values.schema.json refuses a wrong type, an unknown key and an unknown Redis mode, naming the value', async () => {
    for (const [set, named] of [
      ['replicas=two', "at '/replicas': got string, want integer"],
      ['replica=3', "additional properties 'replica' not allowed"],
      ['redis.mode=cluster', "at '/redis/mode': value must be one of 'bundled', 'external', 'sentinel'"],
      ['watchNamespaces[0]=Team_A', "at '/watchNamespaces/0': 'Team_A' does not match pattern"],
    ] as const) {
      const result = await helm('template', RELEASE, CHART, '--namespace', NAMESPACE, '--set-string', set);
      expect(result.ok, set).toBe(false);
      expect(result.stderr, set).toContain(named);
    }
  });

  it('refuses redis.mode sentinel without Sentinels, saying which value to set', async () => {
    const result = await helm('template', RELEASE, CHART, '--namespace', NAMESPACE, '--set', 'redis.mode=sentinel');
    expect(result.ok).toBe(false);
    expect(result.stderr).toContain('redis.sentinel.sentinels is empty');
  });
});

describe('helm install of charts/flowshift: the controller releases a Rollout as the chart\'s ServiceAccount', () => {
  const release = 'it';
  let releaseNamespace: string;
  let cluster: Cluster;
  let controller: ControllerProcess | undefined;

  beforeAll(async () => {
    await resolveHelm();
    releaseNamespace = await createNamespace('helm-release');
    cluster = new Cluster(await createNamespace('helm-rollouts'));
  }, HELM_BUILD_TIMEOUT_MS);
  afterAll(async () => {
    await controller?.stop();
  });

  it('installs a release watching one namespace, whose init container and controller need nothing more', async () => {
    // The CRDs exist already (the environment installed crds/): Helm leaves them as they are.
    await helmOk('install', release, CHART, '--namespace', releaseNamespace, '--set', `watchNamespaces={${cluster.namespace}}`);
    const kubeconfig = await serviceAccountKubeconfig(releaseNamespace, `${release}-flowshift`);

    // What the init container generate-secrets does, as the ServiceAccount (no kubelet runs the pod here).
    const asServiceAccount = new KubeConfig();
    asServiceAccount.loadFromFile(kubeconfig);
    expect(await ensureGeneratedSecret(asServiceAccount.makeApiClient(CoreV1Api), releaseNamespace)).toBe(true);
    expect(await ensureGeneratedSecret(asServiceAccount.makeApiClient(CoreV1Api), releaseNamespace)).toBe(false);

    controller = await startController(cluster.namespace, { kubeconfig });
    await cluster.apps.createNamespacedDeployment({ namespace: cluster.namespace, body: podinfo('app') });
    await cluster.createRollout(quickRollout('app'));
    await cluster.waitForRollout('app', 'app Initialized', (r) => r.status?.phase === 'Initialized');
    await cluster.setImage('app', 'ghcr.io/stefanprodan/podinfo:6.6.0');
    await cluster.waitForRollout('app', 'app Succeeded', (r) => r.status?.phase === 'Succeeded');
    const primary = await cluster.apps.readNamespacedDeployment({ name: 'app-primary', namespace: cluster.namespace });
    expect(primary.spec?.template.spec?.containers[0]?.image).toBe('ghcr.io/stefanprodan/podinfo:6.6.0');
  });

  it('helm uninstall removes the release and keeps the CRDs and the generated Secret', async () => {
    await controller?.stop();
    controller = undefined;
    await helmOk('uninstall', release, '--namespace', releaseNamespace);
    const core = kubeConfig().makeApiClient(CoreV1Api);
    expect((await core.listNamespacedServiceAccount({ namespace: releaseNamespace })).items.map((s) => s.metadata?.name)).not.toContain(`${release}-flowshift`);
    expect((await core.readNamespacedSecret({ name: GENERATED_SECRET, namespace: releaseNamespace })).data?.['redis-password']).toBeDefined();
    expect(await kubectl('get', 'crd', 'rollouts.flowshift.io', '-o', 'name')).toContain('rollouts.flowshift.io');
  });
});
