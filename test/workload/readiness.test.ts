import type { V1Deployment } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { deploymentReadiness } from '../../src/workload/readiness.js';

function deployment(replicas: number, status: { replicas: number; updated: number; available: number }): V1Deployment {
  return {
    metadata: { generation: 2 },
    spec: { replicas, selector: {}, template: {} },
    status: { observedGeneration: 2, replicas: status.replicas, updatedReplicas: status.updated, availableReplicas: status.available },
  };
}

describe('deploymentReadiness of an autoscaled Deployment', () => {
  it('stays ready while its autoscaler adds pods: judged on the floor, not on the count of the moment', () => {
    const scalingUp = deployment(6, { replicas: 6, updated: 6, available: 3 });
    expect(deploymentReadiness(scalingUp, 100).ready).toBe(false);
    expect(deploymentReadiness(scalingUp, 100, 3)).toEqual({ ready: true, message: '' });
  });

  it('is not ready below the floor, or while pods of another template remain', () => {
    expect(deploymentReadiness(deployment(6, { replicas: 6, updated: 6, available: 2 }), 100, 3)).toMatchObject({ ready: false, message: '2 of 3 replicas available (100% needed)' });
    expect(deploymentReadiness(deployment(6, { replicas: 8, updated: 4, available: 8 }), 100, 3)).toMatchObject({ ready: false, message: '4 of 8 replicas updated' });
  });

  it('applies the ready threshold to the floor', () => {
    expect(deploymentReadiness(deployment(6, { replicas: 6, updated: 6, available: 2 }), 50, 4).ready).toBe(true);
  });
});
