import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AppsV1Api, CustomObjectsApi, type V1Deployment } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Rollout, RolloutStatus } from '../../src/api/types.gen.js';
import { createNamespace, env, kubeConfig, mergePatch } from '../support/env/context.js';
import { serviceAccountWithRole } from '../support/env/service-accounts.js';
import { quickRollout } from '../support/rollouts.js';
import { freePort } from '../../devenv/env/ports.js';
import { podinfo } from '../../devenv/env/deployments.js';
import { columns } from './columns.js';
import { installPlugin, kubectlFlowshift } from './plugin.js';

const ADMIN = 'flowshift-test-admin';
const REVISION = '5f2e8a61c0d4b937';

const progressing: RolloutStatus = {
  phase: 'Progressing',
  strategy: 'canary',
  canaryWeight: 40,
  mirrorWeight: 0,
  failedChecks: 1,
  iterations: 0,
  lastAppliedSpec: REVISION,
  lastPromotedSpec: '7c1d0e5a9b3f2468',
  lastTransitionTime: new Date(Date.now() - 5 * 60_000).toISOString().replace(/\.\d+Z$/, 'Z'),
  message: 'advanced canary weight to 40%',
};

describe('kubectl flowshift, found by kubectl on PATH', () => {
  let bin: string;
  let namespace: string;
  const custom = kubeConfig().makeApiClient(CustomObjectsApi);
  const ref = (name: string): { group: string; version: string; plural: string; namespace: string; name: string } => ({
    group: 'flowshift.io', version: 'v1alpha1', plural: 'rollouts', namespace, name,
  });
  const read = async (name: string): Promise<Rollout> => (await custom.getNamespacedCustomObject(ref(name))) as Rollout;
  /** A Rollout with a status as the controller would have written it (no controller runs in this file). */
  const create = async (name: string, status: RolloutStatus): Promise<void> => {
    await custom.createNamespacedCustomObject({ ...ref(name), body: quickRollout(name) });
    await custom.patchNamespacedCustomObjectStatus({ ...ref(name), body: { status } }, mergePatch);
  };
  const flowshift = (...args: string[]): ReturnType<typeof kubectlFlowshift> => kubectlFlowshift(bin, [...args, '-n', namespace]);

  beforeAll(async () => {
    [bin, namespace] = await Promise.all([installPlugin(), createNamespace('cli')]);
    await create('podinfo', progressing);
  });

  it('get lists Rollouts like kubectl get rollouts -o wide, with the step', async () => {
    const out = await flowshift('get');
    expect(out).toMatchObject({ code: 0, stderr: '' });
    expect(out.stdout.split('\n')[0]?.split(/\s+/)).toEqual([
      'NAME', 'PHASE', 'WEIGHT', 'STEP', 'FAILEDCHECKS', 'STRATEGY', 'LASTTRANSITIONTIME', 'INTERVAL', 'STEPWEIGHTS', 'MIRROR', 'MESSAGE',
    ]);
    expect(columns(out.stdout)).toEqual([
      {
        NAME: 'podinfo', PHASE: 'Progressing', WEIGHT: '40', STEP: '2/3', FAILEDCHECKS: '1', STRATEGY: 'canary',
        LASTTRANSITIONTIME: expect.stringMatching(/^[56]m\d*s?$/) as string, INTERVAL: '1s', STEPWEIGHTS: '', MIRROR: '', MESSAGE: 'advanced canary weight to 40%',
      },
    ]);
    const all = columns((await kubectlFlowshift(bin, ['get', '-A'])).stdout);
    expect(all).toContainEqual(expect.objectContaining({ NAMESPACE: namespace, NAME: 'podinfo', STEP: '2/3' }));
  });

  it('status shows phase, weight with its step, failed checks against the threshold and the message', async () => {
    const out = await flowshift('status', 'podinfo');
    expect(out.code).toBe(0);
    expect(out.stdout.split('\n')).toEqual(
      expect.arrayContaining([
        `podinfo (namespace ${namespace})`,
        'Phase:    Progressing',
        'Weight:   40% (step 2 of 3)',
        'Checks:   1 failed, rollback at 2',
        'Message:  advanced canary weight to 40%',
      ]),
    );
  });

  it('takes the namespace from the context given with --context, and the kubeconfig from --kubeconfig', async () => {
    const kc = kubeConfig();
    const file = join(env().dir, `kubeconfig-${namespace}`);
    const admin = kc.getContextObject(kc.getCurrentContext());
    writeFileSync(
      file,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: kc.clusters.map((c) => ({ name: c.name, cluster: { server: c.server, 'certificate-authority-data': c.caData } })),
        users: kc.users.map((u) => ({ name: u.name, user: { token: u.token } })),
        contexts: [
          { name: 'elsewhere', context: { cluster: admin?.cluster, user: admin?.user, namespace: 'kube-system' } },
          { name: 'shop', context: { cluster: admin?.cluster, user: admin?.user, namespace } },
        ],
        'current-context': 'elsewhere',
      }),
    );
    const out = await kubectlFlowshift(bin, ['get', '--kubeconfig', file, '--context', 'shop'], { KUBECONFIG: '/nonexistent' });
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^podinfo\s+Progressing/m);
    expect(await kubectlFlowshift(bin, ['get', '--kubeconfig', file])).toMatchObject({ code: 0, stdout: 'No resources found in kube-system namespace.\n' });
    expect(await kubectlFlowshift(bin, ['get', '--kubeconfig', file, '--context', 'nowhere'])).toMatchObject({
      code: 1,
      stderr: 'error: context "nowhere" does not exist in the kubeconfig\n',
    });
  });

  it('abort records the revision in progress and who asked, from a SelfSubjectReview', async () => {
    const before = Date.now();
    const out = await flowshift('abort', 'podinfo');
    expect(out).toMatchObject({ code: 0, stderr: '' });
    expect(out.stdout).toContain(`podinfo: revision ${REVISION} abort requested`);
    const value = JSON.parse((await read('podinfo')).metadata.annotations?.['flowshift.io/abort'] ?? '{}') as { revision: string; by: string; at: string };
    expect(value).toMatchObject({ revision: REVISION, by: ADMIN });
    expect(Date.parse(value.at)).toBeGreaterThanOrEqual(before - 1000);
  });

  it('retry refuses unless the phase is Failed, writing nothing; then records the failed revision', async () => {
    const refused = await flowshift('retry', 'podinfo');
    expect(refused).toEqual({ code: 1, stdout: '', stderr: 'error: nothing to retry: podinfo is Progressing; retry releases a Failed revision again\n' });
    expect((await read('podinfo')).metadata.annotations?.['flowshift.io/retry']).toBeUndefined();

    await create('failed', { ...progressing, phase: 'Failed', canaryWeight: 0, failedChecks: 2, message: 'rolled back: request-success-rate 91.2 < 99' });
    expect((await flowshift('retry', 'failed')).code).toBe(0);
    expect(JSON.parse((await read('failed')).metadata.annotations?.['flowshift.io/retry'] ?? '{}')).toMatchObject({ revision: REVISION, by: ADMIN });
  });

  it('abort and approve refuse when no release is in progress', async () => {
    const abort = await flowshift('abort', 'failed');
    expect(abort.code).toBe(1);
    expect(abort.stderr).toContain('error: nothing to abort: failed is Failed, no release is in progress');
    const approve = await flowshift('approve', 'failed');
    expect(approve.code).toBe(1);
    expect(approve.stderr).toContain('error: nothing to approve: failed is Failed, no release is in progress');
    expect((await read('failed')).metadata.annotations?.['flowshift.io/approve']).toBeUndefined();
  });

  it('approve refuses a release whose Rollout has no manual gate', async () => {
    const out = await flowshift('approve', 'podinfo');
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('error: nothing to approve: podinfo has no manual gate (a spec.analysis.webhooks[] entry with manual: true)');
    expect((await read('podinfo')).metadata.annotations?.['flowshift.io/approve']).toBeUndefined();
  });

  it('pause and resume set spec.suspend; asking for the state that holds changes nothing', async () => {
    expect(await flowshift('pause', 'podinfo')).toMatchObject({ code: 0, stdout: 'podinfo: paused; ticks change nothing until resume\n' });
    expect((await read('podinfo')).spec.suspend).toBe(true);
    expect(await flowshift('pause', 'podinfo')).toMatchObject({ code: 0, stdout: 'podinfo: already paused (spec.suspend is true)\n' });
    expect((await flowshift('status', 'podinfo')).stdout).toContain('Paused:   yes');
    expect(await flowshift('resume', 'podinfo')).toMatchObject({ code: 0, stdout: 'podinfo: resumed\n' });
    expect((await read('podinfo')).spec.suspend).toBe(false);
  });

  it('names a Rollout that does not exist', async () => {
    expect(await flowshift('status', 'nothere')).toMatchObject({ code: 1, stderr: `error: rollout nothere not found in namespace ${namespace}\n` });
    expect(await flowshift('abort', 'nothere')).toMatchObject({ code: 1, stderr: `error: rollout nothere not found in namespace ${namespace}\n` });
  });

  it('status -w gives up with the last error after retrying an API server that does not answer', async () => {
    const file = join(env().dir, `kubeconfig-${namespace}-closed`);
    const server = `https://127.0.0.1:${await freePort()}`;
    writeFileSync(
      file,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'closed', cluster: { server, 'insecure-skip-tls-verify': true } }],
        users: [{ name: 'nobody', user: { token: 'x' } }],
        contexts: [{ name: 'closed', context: { cluster: 'closed', user: 'nobody' } }],
        'current-context': 'closed',
      }),
    );
    const out = await kubectlFlowshift(bin, ['status', 'podinfo', '-w'], { KUBECONFIG: file });
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/^error: watching rollout podinfo failed 6 times in a row; last: .*ECONNREFUSED/);
  });

  it('get -o json|yaml prints the Rollouts as a v1 List; status -o prints the documented status object', async () => {
    const list = JSON.parse((await flowshift('get', '-o', 'json')).stdout) as { apiVersion: string; kind: string; items: Rollout[] };
    expect(list).toMatchObject({ apiVersion: 'v1', kind: 'List' });
    expect(list.items.map((r) => [r.kind, r.metadata.name, r.status?.phase])).toContainEqual(['Rollout', 'podinfo', 'Progressing']);
    expect((parse((await flowshift('get', '-o', 'yaml')).stdout) as typeof list).items.map((r) => r.metadata.name)).toContain('podinfo');
    const status: unknown = parse((await flowshift('status', 'podinfo', '-o', 'yaml')).stdout);
    expect(status).toEqual({
      name: 'podinfo', namespace, phase: 'Progressing', paused: false, strategy: 'canary', canaryWeight: 40, mirrorWeight: 0,
      step: { unit: 'step', n: 2, of: 3 }, failedChecks: 1, threshold: 2, revision: { applied: REVISION, promoted: '7c1d0e5a9b3f2468' },
      approval: null, fullPromotion: null, metrics: [], gates: [], message: 'advanced canary weight to 40%', lastTransitionTime: progressing.lastTransitionTime,
    });
    expect(await flowshift('get', '-o', 'xml')).toMatchObject({ code: 1, stderr: expect.stringContaining("argument 'xml' is invalid. Allowed choices are json, yaml.") as string });
  });

  it('completes Rollout names of the namespace typed through the hidden command and the bash script', async () => {
    await create('podcast', progressing);
    expect((await kubectlFlowshift(bin, ['__complete', '--', '-n', namespace, 'status', 'pod'])).stdout).toBe('podcast\npodinfo\n');
    const script = 'source <(kubectl-flowshift completion bash); COMP_WORDS=(kubectl-flowshift -n "$NS" promote pod); COMP_CWORD=4; _kubectl_flowshift; printf "%s\\n" "${COMPREPLY[@]}"';
    const { stdout } = await promisify(execFile)('bash', ['-c', script], { env: { ...process.env, NS: namespace, KUBECONFIG: env().kubeconfigPath, PATH: `${bin}:${process.env['PATH'] ?? ''}` } });
    expect(stdout).toBe('podcast\npodinfo\n');
  });

  it('completes through the zsh and fish scripts too', async () => {
    const shellEnv = { ...process.env, NS: namespace, KUBECONFIG: env().kubeconfigPath, PATH: `${bin}:${process.env['PATH'] ?? ''}` };
    // zsh's completion system runs only at an interactive prompt: compadd stands in for it, printing what the script offers.
    const zsh = 'compdef() { :; }; compadd() { shift; print -rl -- ${(P)1}; }; source <(kubectl-flowshift completion zsh); words=(kubectl-flowshift -n "$NS" status pod); CURRENT=5; _kubectl_flowshift; words=(kubectl-flowshift promote --f); CURRENT=3; _kubectl_flowshift';
    expect((await promisify(execFile)('zsh', ['-f', '-c', zsh], { env: shellEnv })).stdout).toBe('podcast\npodinfo\n--full\n');
    const fish = 'kubectl-flowshift completion fish | source; complete -C "kubectl-flowshift -n $NS status pod"; complete -C "kubectl-flowshift promote --f"';
    expect((await promisify(execFile)('fish', ['--no-config', '-c', fish], { env: shellEnv })).stdout).toBe('podcast\npodinfo\n--full\n');
  });

  describe('set image, undo and version act on Deployments', () => {
    const apps = kubeConfig().makeApiClient(AppsV1Api);
    const deployment = (name: string): Promise<V1Deployment> => apps.readNamespacedDeployment({ name, namespace });
    const image = async (name: string): Promise<string | undefined> => (await deployment(name)).spec?.template.spec?.containers[0]?.image;
    const failed: RolloutStatus = { ...progressing, phase: 'Failed', canaryWeight: 0, lastPromotedSpec: '7c1d0e5a9b3f2468' };

    beforeAll(async () => {
      const web = podinfo('web', 'ghcr.io/stefanprodan/podinfo:6.7.0');
      const container = web.spec?.template.spec?.containers[0];
      if (container) container.envFrom = [{ configMapRef: { name: 'web-config' } }];
      await apps.createNamespacedDeployment({ namespace, body: web });
      await create('web', failed);
      // The primary as the controller makes it: the selector label suffixed, config references on the copies, owned by the Rollout.
      const primary = podinfo('web-primary', 'ghcr.io/stefanprodan/podinfo:6.5.0');
      const primaryContainer = primary.spec?.template.spec?.containers[0];
      if (primaryContainer) primaryContainer.envFrom = [{ configMapRef: { name: 'web-config-primary' } }];
      const owner = await read('web');
      primary.metadata = { ...primary.metadata, ownerReferences: [{ apiVersion: 'flowshift.io/v1alpha1', kind: 'Rollout', name: 'web', uid: owner.metadata.uid ?? '', controller: true }] };
      await apps.createNamespacedDeployment({ namespace, body: primary });
    });

    it('set image refuses an unknown container by name and writes nothing; sets a known one once', async () => {
      expect(await flowshift('set', 'image', 'web', 'nope=busybox:1')).toMatchObject({ code: 1, stderr: 'error: Deployment web has no container named nope (its containers: podinfo)\n' });
      expect(await flowshift('set', 'image', 'web', 'podinfo')).toMatchObject({ code: 2, stderr: expect.stringContaining('"podinfo" is not container=image') as string });
      expect(await image('web')).toBe('ghcr.io/stefanprodan/podinfo:6.7.0');
      expect(await flowshift('set', 'image', 'web', 'podinfo=ghcr.io/stefanprodan/podinfo:6.8.0')).toMatchObject({
        code: 0, stdout: 'web: Deployment web image updated (podinfo=ghcr.io/stefanprodan/podinfo:6.8.0); flowshift releases it as a new revision\n',
      });
      expect(await image('web')).toBe('ghcr.io/stefanprodan/podinfo:6.8.0');
      expect((await flowshift('set', 'image', 'web', 'podinfo=ghcr.io/stefanprodan/podinfo:6.8.0')).stdout).toContain('already runs podinfo=ghcr.io/stefanprodan/podinfo:6.8.0; nothing changed');
    });

    it('undo restores the template the primary runs: its label and config references back on the target\'s', async () => {
      const out = await flowshift('undo', 'web');
      expect(out).toMatchObject({ code: 0, stdout: 'web: Deployment web rolled back to the template of web-primary (revision 7c1d0e5a9b3f2468, the last promoted)\n' });
      const template = (await deployment('web')).spec?.template;
      expect(template?.metadata?.labels).toEqual({ app: 'web' });
      expect(template?.spec?.containers[0]).toMatchObject({ image: 'ghcr.io/stefanprodan/podinfo:6.5.0', envFrom: [{ configMapRef: { name: 'web-config' } }] });
      expect((await flowshift('undo', 'web')).stdout).toContain('already has the template of web-primary');
    });

    it('undo --to-revision reads the ReplicaSets the Deployment controller keeps, and says which exist', async () => {
      expect(await flowshift('undo', 'web', '--to-revision', '2')).toMatchObject({ code: 1, stderr: expect.stringContaining('Deployment web has no revision history: no ReplicaSet of it exists') as string });
      // The ReplicaSet a Deployment controller would have kept (the test cluster runs none).
      const web = await deployment('web');
      const old = podinfo('web', 'ghcr.io/stefanprodan/podinfo:6.6.0');
      const template = { ...old.spec?.template, metadata: { labels: { app: 'web', 'pod-template-hash': '5d8f7c' } } };
      await apps.createNamespacedReplicaSet({
        namespace,
        body: {
          metadata: { name: 'web-5d8f7c', annotations: { 'deployment.kubernetes.io/revision': '2' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: web.metadata?.uid ?? '', controller: true }] },
          spec: { replicas: 0, selector: { matchLabels: template.metadata.labels }, template },
        },
      });
      expect(await flowshift('undo', 'web', '--to-revision', '3')).toMatchObject({ code: 1, stderr: expect.stringContaining('Deployment web has no revision 3: the revisions kept are 2') as string });
      expect(await flowshift('undo', 'web', '--to-revision', 'x')).toMatchObject({ code: 2 });
      expect((await flowshift('undo', 'web', '--to-revision', '2')).stdout).toBe('web: Deployment web rolled back to revision 2 (ReplicaSet web-5d8f7c)\n');
      const now = (await deployment('web')).spec?.template;
      expect(now?.metadata?.labels).toEqual({ app: 'web' });
      expect(now?.spec?.containers[0]?.image).toBe('ghcr.io/stefanprodan/podinfo:6.6.0');
    });

    it('undo refuses while a release is in progress', async () => {
      expect(await flowshift('undo', 'podinfo')).toMatchObject({ code: 1, stderr: expect.stringContaining('podinfo is Progressing: undo changes the canary of the release in progress; abort it first') as string });
    });

    it('version prints the plugin version and the image tag of the controller Deployment deploy/ installs', async () => {
      const controller = parse(readFileSync(new URL('../../deploy/base/deployment.yaml', import.meta.url), 'utf8')) as V1Deployment;
      const container = controller.spec?.template.spec?.containers[0];
      if (container) container.image = 'ghcr.io/flowshift/flowshift:0.1.0';
      await apps.createNamespacedDeployment({ namespace, body: controller });
      const out = await flowshift('version');
      expect(out.code).toBe(0);
      expect(out.stdout.split('\n')).toEqual(expect.arrayContaining([
        `plugin:     ${(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version}`,
        `controller: 0.1.0 (Deployment ${namespace}/flowshift, image ghcr.io/flowshift/flowshift:0.1.0)`,
      ]));
    });
  });

  describe('Kubernetes RBAC is the authorisation', () => {
    /** A kubeconfig for a ServiceAccount whose Role allows `verbs` on rollouts. */
    const serviceAccount = (name: string, verbs: string[]): Promise<string> => serviceAccountWithRole(namespace, name, [{ apiGroups: ['flowshift.io'], resources: ['rollouts'], verbs }]);

    it('a user who may only read is refused by the API server, and nothing is written', async () => {
      const kubeconfig = await serviceAccount('reader', ['get', 'list', 'watch']);
      await create('guarded', progressing);
      expect((await kubectlFlowshift(bin, ['status', 'guarded'], { KUBECONFIG: kubeconfig })).code).toBe(0);
      const out = await kubectlFlowshift(bin, ['abort', 'guarded'], { KUBECONFIG: kubeconfig });
      expect(out.code).toBe(1);
      expect(out.stderr).toContain(`rollouts.flowshift.io "guarded" is forbidden: User "system:serviceaccount:${namespace}:reader" cannot patch resource "rollouts"`);
      expect((await read('guarded')).metadata.annotations?.['flowshift.io/abort']).toBeUndefined();
      const version = await kubectlFlowshift(bin, ['version', '-n', namespace], { KUBECONFIG: kubeconfig });
      expect(version).toMatchObject({ code: 0, stdout: expect.stringContaining(`controller: unknown (you may not list Deployments cluster-wide nor in namespace ${namespace}:`) as string });
    });

    it('a user who may patch acts, and is recorded under the name the API server knows', async () => {
      const kubeconfig = await serviceAccount('operator', ['get', 'list', 'watch', 'patch']);
      const out = await kubectlFlowshift(bin, ['abort', 'guarded'], { KUBECONFIG: kubeconfig });
      expect(out).toMatchObject({ code: 0, stderr: '' });
      expect(JSON.parse((await read('guarded')).metadata.annotations?.['flowshift.io/abort'] ?? '{}')).toMatchObject({
        revision: REVISION,
        by: `system:serviceaccount:${namespace}:operator`,
      });
    });
  });
});
