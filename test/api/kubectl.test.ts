import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RolloutStatus } from '../../src/api/types.gen.js';
import { createNamespace, env, kubeConfig, mergePatch } from '../support/env/context.js';
import { statusCode } from '../../devenv/env/crds.js';
import { group, tryCreate, validRollout, version } from './rollouts.js';

const run = promisify(execFile);

async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await run('kubectl', [
    '--kubeconfig',
    env().kubeconfigPath,
    '--cache-dir',
    join(env().dir, 'kubectl-cache'),
    ...args,
  ]);
  return stdout;
}

/** kubectl's table as rows of cells (columns are separated by two or more spaces). */
function table(output: string): string[][] {
  return output
    .trimEnd()
    .split('\n')
    .map((line) => line.trim().split(/\s{2,}/));
}

const knownStatus: RolloutStatus = {
  phase: 'Progressing',
  strategy: 'canary',
  canaryWeight: 20,
  mirrorWeight: 0,
  failedChecks: 1,
  iterations: 0,
  lastTransitionTime: new Date(Date.now() - 5 * 60_000).toISOString().replace(/\.\d+Z$/, 'Z'),
  message: 'request-success-rate 97.2 < 99',
};

describe('kubectl and the Rollout CRD', () => {
  let namespace: string;
  const api = kubeConfig().makeApiClient(CustomObjectsApi);
  const patchStatus = (name: string, status: object): Promise<object> =>
    api.patchNamespacedCustomObjectStatus({ group, version, plural: 'rollouts', namespace, name, body: { status } }, mergePatch);

  beforeAll(async () => {
    namespace = await createNamespace('api-kubectl');
    expect((await tryCreate(namespace, 'rollouts', validRollout('podinfo'))).code).toBe(201);
    await patchStatus('podinfo', knownStatus);
  });

  it('kubectl get rollouts shows phase, weight, failed checks, strategy and last transition', async () => {
    const [header, row] = table(await kubectl('get', 'rollouts', '-n', namespace));
    expect(header).toEqual(['NAME', 'PHASE', 'WEIGHT', 'FAILEDCHECKS', 'STRATEGY', 'LASTTRANSITIONTIME']);
    expect(row).toEqual(['podinfo', 'Progressing', '20', '1', 'canary', expect.stringMatching(/^[56]m\d*s?$/)]);
  });

  it('kubectl get rollouts -o wide adds interval, step weights, mirror and message', async () => {
    const [header, row] = table(await kubectl('get', 'rollouts', '-n', namespace, '-o', 'wide'));
    expect(header).toEqual([
      'NAME', 'PHASE', 'WEIGHT', 'FAILEDCHECKS', 'STRATEGY', 'LASTTRANSITIONTIME', 'INTERVAL', 'STEPWEIGHTS', 'MIRROR', 'MESSAGE',
    ]);
    expect(row?.slice(6)).toEqual(['30s', '[10,20,40,80]', '50', 'request-success-rate 97.2 < 99']);
  });

  it('answers to the short name ro and the category flowshift', async () => {
    expect(await kubectl('get', 'ro', '-n', namespace, '-o', 'name')).toBe('rollout.flowshift.io/podinfo\n');
    expect(await kubectl('get', 'flowshift', '-n', namespace, '-o', 'name')).toContain('rollout.flowshift.io/podinfo');
  });

  it('kubectl explain rollout.spec.analysis.metrics prints the field descriptions', async () => {
    const text = (await kubectl('explain', 'rollout.spec.analysis.metrics')).replace(/\s+/g, ' ');
    expect(text).toContain('Metric checks; every one must pass for a tick to count as passed.');
    for (const field of ['name', 'interval', 'query', 'templateRef', 'templateVariables', 'thresholdRange', 'compare']) {
      expect(text).toMatch(new RegExp(`\\b${field}\\s+<`));
    }
    expect(text).toContain('request-success-rate (% of non-5xx responses), request-duration (p99 latency in ms) and error-budget-burn (burn rate of an error budget, with errorBudget) are built in');
    expect(text).toContain('Range the metric value must stay in for the check to pass.');
  });

  it('fills defaults the API promises', async () => {
    const created = (await api.getNamespacedCustomObject({ group, version, plural: 'rollouts', namespace, name: 'podinfo' })) as ReturnType<
      typeof validRollout
    >;
    expect(created.spec).toMatchObject({ provider: 'istio', progressDeadlineSeconds: 600, suspend: false, service: { portName: 'http' } });
    expect(created.spec.analysis).toMatchObject({ interval: '30s', threshold: 3, primaryReadyThreshold: 100, canaryReadyThreshold: 100 });
    expect(created.spec.analysis?.alerts?.[0]?.severity).toBe('warn');
    expect(created.spec.analysis?.webhooks?.[0]).toMatchObject({ timeout: '10s', retries: 0 });
    expect(await tryCreate(namespace, 'rollouts', { ...validRollout('bare'), spec: { ...validRollout().spec, analysis: undefined } })).toMatchObject({ code: 201 });
    const bare = (await api.getNamespacedCustomObject({ group, version, plural: 'rollouts', namespace, name: 'bare' })) as ReturnType<typeof validRollout>;
    expect(bare.spec.analysis).toEqual({ interval: '1m', threshold: 5, primaryReadyThreshold: 100, canaryReadyThreshold: 100, historyLimit: 10 });
  });

  it('validates status written through the status subresource', async () => {
    const err: unknown = await patchStatus('podinfo', { phase: 'Running' }).catch((e: unknown) => e);
    expect(statusCode(err)).toBe(422);
    expect(String(err)).toContain('status.phase');
  });
});
