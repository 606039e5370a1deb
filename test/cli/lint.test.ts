import { execFile } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { AppsV1Api, CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { createNamespace, env, kubeConfig } from '../support/env/context.js';
import { podinfo } from '../support/harness.js';
import { installPlugin, kubectlFlowshift, type Outcome } from './plugin.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const EXAMPLES = join(ROOT, 'deploy/examples');
const BROKEN = join(ROOT, 'test/cli/lint-broken');
const run = promisify(execFile);

/** `file:line field` of every problem printed, the file relative to the repository. */
function positions(stdout: string): string[] {
  return stdout
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.replace(ROOT.endsWith('/') ? ROOT : `${ROOT}/`, '').replace(/^(\S+ \S+?):.*$/, '$1'));
}

const BROKEN_FILES = ['schema', 'rules', 'controller', 'syntax'].map((f) => join(BROKEN, `${f}.yaml`));
const BROKEN_POSITIONS = [
  'test/cli/lint-broken/schema.yaml:12 spec.service.port',
  'test/cli/lint-broken/schema.yaml:13 spec.service.portt',
  'test/cli/lint-broken/schema.yaml:14 spec.provider',
  'test/cli/lint-broken/schema.yaml:17 spec.strategy.canary.stepWeight',
  'test/cli/lint-broken/schema.yaml:19 spec.analysis.threshold',
  'test/cli/lint-broken/rules.yaml:14 spec.strategy.canary.stepWeights',
  'test/cli/lint-broken/rules.yaml:15 spec.strategy.canary.stepWeight',
  'test/cli/lint-broken/rules.yaml:17 spec.analysis.interval',
  'test/cli/lint-broken/rules.yaml:19 spec.analysis.metrics[0]',
  'test/cli/lint-broken/rules.yaml:22 spec.analysis.metrics[0].thresholdRange.min',
  'test/cli/lint-broken/rules.yaml:31 spec.channel',
  'test/cli/lint-broken/controller.yaml:32 spec.service.targetPort',
  'test/cli/lint-broken/controller.yaml:40 spec.analysis.metrics[0].query',
  'test/cli/lint-broken/controller.yaml:43 spec.analysis.metrics[1]',
  'test/cli/lint-broken/controller.yaml:43 spec.analysis.metrics[1].name',
  'test/cli/lint-broken/controller.yaml:44 spec.analysis.metrics[1].templateRef',
  'test/cli/lint-broken/controller.yaml:83 spec.targetRef',
  'test/cli/lint-broken/controller.yaml:122 spec.targetRef',
  'test/cli/lint-broken/controller.yaml:135 spec.analysis.metrics[0].query',
  'test/cli/lint-broken/syntax.yaml:7 (yaml)',
];
const EXAMPLE_FILES = readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml')).map((f) => join(EXAMPLES, f));

describe('kubectl flowshift lint', () => {
  let bin: string;
  beforeAll(async () => {
    bin = await installPlugin();
  });
  const lint = (...args: string[]): Promise<Outcome> => kubectlFlowshift(bin, ['lint', ...args]);

  it('finds nothing in deploy/examples and exits 0', async () => {
    const out = await lint(...EXAMPLE_FILES);
    expect(out).toMatchObject({ code: 0, stdout: '' });
    expect(out.stderr).toContain('no problems in');
  });

  it('finds every problem of the broken files at its line and exits 1', async () => {
    const out = await lint(...BROKEN_FILES);
    expect(out.code).toBe(1);
    expect(positions(out.stdout)).toEqual(BROKEN_POSITIONS);
    expect(out.stdout).toContain('spec.service.portt: unknown field "portt"');
    expect(out.stdout).toContain('spec.targetRef: DaemonSet default/node-agent: spec.template.spec.containers[0].ports[0].hostPort 9898 can be bound by one pod per node');
    expect(out.stdout).toContain('spec.targetRef: StatefulSet default/db: spec.updateStrategy.type is OnDelete');
    expect(out.stdout).toContain('does not use {{ versionService }}');
    expect(out.stderr).toMatch(/^20 problems in \d+ flowshift objects in 4 files\n$/);
  });

  it('reads standard input for -, as a pre-commit hook pipes it', async () => {
    const { stdout, code } = await run('sh', ['-c', `kubectl flowshift lint - < ${join(BROKEN, 'schema.yaml')}`], { env: { ...process.env, PATH: `${bin}:${process.env['PATH'] ?? ''}` } }).then(
      (r) => ({ ...r, code: 0 }),
      (err: unknown) => err as { stdout: string; code: number },
    );
    expect(code).toBe(1);
    expect(stdout.split('\n')[0]).toMatch(/^<stdin>:12 spec\.service\.port: must be an integer/);
  });

  it('exits 2 when a file cannot be read', async () => {
    const out = await lint(join(BROKEN, 'missing.yaml'));
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('cannot read');
  });
});

describe('kubectl flowshift lint --cluster, against the test API server', () => {
  let bin: string;
  let namespace: string;
  let file: string;
  beforeAll(async () => {
    bin = await installPlugin();
    namespace = await createNamespace('lint');
    await kubeConfig().makeApiClient(AppsV1Api).createNamespacedDeployment({ namespace, body: podinfo('podinfo') });
    file = join(env().dir, `lint-${namespace}.yaml`);
    writeFileSync(file, `apiVersion: flowshift.io/v1alpha1
kind: Rollout
metadata:
  name: podinfo
spec:
  targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}
  service:
    port: 9898
    targetPort: 8080
  strategy:
    canary: {stepWeights: [10, 20]}
  analysis:
    metrics:
      - name: errors
        templateRef: {name: error-rate}
        thresholdRange: {max: 1}
    webhooks:
      - name: load
        type: rollout
        url: http://loadtester/
        secretRef: {name: load-signing}
    alerts:
      - name: team
        providerRef: {name: team-slack}
---
apiVersion: flowshift.io/v1alpha1
kind: Rollout
metadata:
  name: Not-A-Name
spec:
  targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}
  service: {port: 9898}
  strategy:
    canary: {stepWeights: [10]}
`);
  });
  const lint = (...args: string[]): Promise<Outcome> => kubectlFlowshift(bin, ['lint', '--cluster', '-n', namespace, ...args]);

  it('finds nothing in deploy/examples: the API server accepts them and their references resolve among them', async () => {
    const out = await lint(...EXAMPLE_FILES);
    expect(out).toMatchObject({ code: 0, stdout: '' });
    // It measures nothing, so it proposes no bound: it says where bounds are measured.
    expect(out.stderr).toContain("bounds are checked for form only, not against your traffic: kubectl flowshift backtest FILE --since 7d measures them on Prometheus' history");
  });

  it('finds the same problems of the broken files, each once, at the same lines', async () => {
    const out = await lint(...BROKEN_FILES);
    expect(out.code).toBe(1);
    expect(positions(out.stdout)).toEqual(BROKEN_POSITIONS);
  });

  it('resolves every reference in the current context and asks the API server, changing nothing', async () => {
    const out = await lint(file);
    expect(out.code).toBe(1);
    expect(positions(out.stdout).map((p) => p.replace(/^\S+:/, ''))).toEqual([
      '9 spec.service.targetPort',
      '15 spec.analysis.metrics[0].templateRef',
      '21 spec.analysis.webhooks[0].secretRef',
      '24 spec.analysis.alerts[0].providerRef',
      '29 metadata.name',
    ]);
    expect(out.stdout).toContain(`MetricTemplate ${namespace}/error-rate not found`);
    expect(out.stdout).toContain(`Secret ${namespace}/load-signing of webhook "load" not found`);
    expect(out.stdout).toContain(`AlertProvider ${namespace}/team-slack not found`);
    expect(out.stdout).toContain('no container of Deployment podinfo exposes port 8080');
    expect(out.stdout).toMatch(/metadata\.name: .*RFC 1123/);
    const rollouts = (await kubeConfig().makeApiClient(CustomObjectsApi).listNamespacedCustomObject({ group: 'flowshift.io', version: 'v1alpha1', plural: 'rollouts', namespace })) as { items: unknown[] };
    expect(rollouts.items).toEqual([]);
  });

  it('passes once the references exist in the cluster', async () => {
    const custom = kubeConfig().makeApiClient(CustomObjectsApi);
    const core = kubeConfig().makeApiClient(CoreV1Api);
    await custom.createNamespacedCustomObject({
      group: 'flowshift.io', version: 'v1alpha1', plural: 'metrictemplates', namespace,
      body: { apiVersion: 'flowshift.io/v1alpha1', kind: 'MetricTemplate', metadata: { name: 'error-rate' }, spec: { provider: { type: 'prometheus', address: 'http://prometheus.istio-system:9090' }, query: 'vector(0)' } },
    });
    await core.createNamespacedSecret({ namespace, body: { metadata: { name: 'load-signing' }, stringData: { key: 's3cret' } } });
    await core.createNamespacedSecret({ namespace, body: { metadata: { name: 'team-slack-url' }, stringData: { address: 'https://hooks.slack.com/services/T/B/X' } } });
    await custom.createNamespacedCustomObject({
      group: 'flowshift.io', version: 'v1alpha1', plural: 'alertproviders', namespace,
      body: { apiVersion: 'flowshift.io/v1alpha1', kind: 'AlertProvider', metadata: { name: 'team-slack' }, spec: { type: 'slack', secretRef: { name: 'team-slack-url' } } },
    });
    const fixed = join(env().dir, `lint-fixed-${namespace}.yaml`);
    writeFileSync(fixed, (await import('node:fs')).readFileSync(file, 'utf8').replace('    targetPort: 8080\n', '').split('---')[0] ?? '');
    const out = await lint(fixed);
    expect(out).toMatchObject({ code: 0, stdout: '' });
  });
});
