import { describe, expect, it } from 'vitest';
import type { Rollout } from '../../src/api/types.gen.js';
import { claimProblems } from '../../src/checks/spec.js';
import { mergePorts } from '../../src/router/services.js';
import { withConfigCopies } from '../../src/workload/config-copies.js';
import { rollout } from '../support/rollouts.js';

describe('mergePorts', () => {
  const ours = [{ name: 'http', port: 9898, targetPort: 8080, protocol: 'TCP' }];

  it('rewrites its own port by name, keeping the allocated nodePort', () => {
    const merged = mergePorts([{ name: 'http', port: 9898, targetPort: 9898, protocol: 'TCP', nodePort: 31000 }], ours);
    expect(merged).toEqual([{ name: 'http', port: 9898, targetPort: 8080, protocol: 'TCP', nodePort: 31000 }]);
  });

  it('keeps ports others added', () => {
    const metrics = { name: 'metrics', port: 9797, targetPort: 9797, protocol: 'TCP', nodePort: 31001 };
    expect(mergePorts([{ name: 'http', port: 9898 }, metrics], ours)).toEqual([...ours, metrics]);
  });

  it('adds its port when missing, replacing another name on the same port number', () => {
    expect(mergePorts([{ name: 'web', port: 9898 }, { name: 'admin', port: 1 }], ours)).toEqual([{ name: 'admin', port: 1 }, ...ours]);
  });
});

describe('claimProblems', () => {
  const claimant = (name: string, target: string, created: string, service?: string): Rollout =>
    rollout({ name, namespace: 'apps', target, metadata: { uid: name, creationTimestamp: created }, spec: { service: { port: 80, ...(service ? { name: service } : {}) } } });
  const first = claimant('web', 'web', '2026-01-01T00:00:00Z');

  it('refuses the later of two Rollouts of one Deployment, naming the first', () => {
    const later = claimant('web-2', 'web', '2026-01-02T00:00:00Z', 'web-two');
    expect(claimProblems(later, [first, later])).toEqual([expect.stringContaining('Deployment apps/web is already released by Rollout apps/web')]);
    expect(claimProblems(first, [first, later])).toEqual([]);
  });

  it('refuses a later Rollout reusing a service name', () => {
    const later = claimant('api', 'api', '2026-01-02T00:00:00Z', 'web');
    expect(claimProblems(later, [first, later])).toEqual([expect.stringContaining('service name "web" is already used by Rollout apps/web')]);
  });

  it('ignores Rollouts of other namespaces', () => {
    const elsewhere = { ...first, metadata: { ...first.metadata, namespace: 'other', uid: 'x' } };
    expect(claimProblems(claimant('web-2', 'web', '2026-01-02T00:00:00Z'), [elsewhere])).toEqual([]);
  });
});

describe('withConfigCopies', () => {
  it('points every reference to a copied config at its -primary copy, and leaves the rest', () => {
    const template = {
      spec: {
        volumes: [
          { name: 'a', configMap: { name: 'cm' } },
          { name: 'b', secret: { secretName: 'sec' } },
          { name: 'c', projected: { sources: [{ configMap: { name: 'cm' } }, { secret: { name: 'other' } }] } },
        ],
        containers: [
          {
            name: 'app',
            envFrom: [{ configMapRef: { name: 'cm' } }, { secretRef: { name: 'sec' } }],
            env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'sec', key: 'k' } } }],
          },
        ],
      },
    };
    const out = withConfigCopies(template, { configMaps: ['cm'], secrets: ['sec'] });
    expect(out.spec?.volumes?.map((v) => v.configMap?.name ?? v.secret?.secretName ?? v.projected?.sources?.map((s) => s.configMap?.name ?? s.secret?.name))).toEqual([
      'cm-primary',
      'sec-primary',
      ['cm-primary', 'other'],
    ]);
    expect(out.spec?.containers[0]?.envFrom).toEqual([{ configMapRef: { name: 'cm-primary' } }, { secretRef: { name: 'sec-primary' } }]);
    expect(out.spec?.containers[0]?.env?.[0]?.valueFrom?.secretKeyRef?.name).toBe('sec-primary');
    expect(template.spec.volumes[0]?.configMap?.name).toBe('cm');
  });
});
