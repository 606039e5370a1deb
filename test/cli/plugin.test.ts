import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Rollout, RolloutStatus } from '../../src/api/types.gen.js';
import { createNamespace, env, kubeConfig, mergePatch } from '../support/env/context.js';
import { serviceAccountKubeconfig } from '../support/env/service-accounts.js';
import { quickRollout } from '../support/rollouts.js';
import { freePort } from '../../devenv/env/ports.js';
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

  describe('Kubernetes RBAC is the authorisation', () => {
    /** A kubeconfig for a ServiceAccount whose Role allows `verbs` on rollouts. */
    const serviceAccount = async (name: string, verbs: string[]): Promise<string> => {
      const core = kubeConfig().makeApiClient(CoreV1Api);
      const rbac = kubeConfig().makeApiClient(RbacAuthorizationV1Api);
      await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
      await rbac.createNamespacedRole({ namespace, body: { metadata: { name }, rules: [{ apiGroups: ['flowshift.io'], resources: ['rollouts'], verbs }] } });
      await rbac.createNamespacedRoleBinding({
        namespace,
        body: { metadata: { name }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name }, subjects: [{ kind: 'ServiceAccount', name, namespace }] },
      });
      return serviceAccountKubeconfig(namespace, name);
    };

    it('a user who may only read is refused by the API server, and nothing is written', async () => {
      const kubeconfig = await serviceAccount('reader', ['get', 'list', 'watch']);
      await create('guarded', progressing);
      expect((await kubectlFlowshift(bin, ['status', 'guarded'], { KUBECONFIG: kubeconfig })).code).toBe(0);
      const out = await kubectlFlowshift(bin, ['abort', 'guarded'], { KUBECONFIG: kubeconfig });
      expect(out.code).toBe(1);
      expect(out.stderr).toContain(`rollouts.flowshift.io "guarded" is forbidden: User "system:serviceaccount:${namespace}:reader" cannot patch resource "rollouts"`);
      expect((await read('guarded')).metadata.annotations?.['flowshift.io/abort']).toBeUndefined();
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
