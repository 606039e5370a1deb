import { describe, expect, it } from 'vitest';
import { boundsOf, copyInSync, copySpec, primaryCopy, scaleTargetProblem } from '../../src/workload/autoscaler/spec.js';
import type { AutoscalerObject } from '../../src/workload/autoscaler/kinds.js';
import { rollout } from '../support/rollouts.js';

const app = rollout({ name: 'web', namespace: 'shop', metadata: { uid: 'uid-1' } });
const hpa: AutoscalerObject = {
  metadata: { name: 'web', namespace: 'shop', labels: { team: 'a' }, annotations: { note: 'mine' } },
  spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 2, maxReplicas: 9, metrics: [{ type: 'Resource' }] },
  status: { desiredReplicas: 4 },
};

describe('the primary copy of an autoscaler', () => {
  it('carries the user spec, scaling <target>-primary, with the user labels and no annotations, owned by the Rollout', () => {
    const copy = primaryCopy('HorizontalPodAutoscaler', 'autoscaling/v2', hpa, app);
    expect(copy.metadata?.name).toBe('web-primary');
    expect(copy.metadata?.labels).toEqual({ team: 'a', 'app.kubernetes.io/managed-by': 'flowshift' });
    expect(copy.metadata?.annotations).toBeUndefined();
    expect(copy.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'Rollout', name: 'web', uid: 'uid-1', controller: true });
    expect(copy.spec).toEqual({ ...hpa.spec, scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web-primary' } });
    expect(copyInSync(copy, hpa, app)).toBe(true);
    expect(copyInSync(copy, { ...hpa, spec: { ...hpa.spec, maxReplicas: 12 } }, app)).toBe(false);
  });

  it('gives the HPA KEDA makes for a copied ScaledObject a name of its own', () => {
    const so: AutoscalerObject = { metadata: { name: 'web' }, spec: { scaleTargetRef: { name: 'web' }, advanced: { horizontalPodAutoscalerConfig: { name: 'web-hpa' } } } };
    expect(copySpec(so, app)).toEqual({ scaleTargetRef: { name: 'web-primary' }, advanced: { horizontalPodAutoscalerConfig: { name: 'web-hpa-primary' } } });
  });

  it('reads the bounds of each kind with their API defaults', () => {
    expect(boundsOf('HorizontalPodAutoscaler', hpa)).toEqual({ min: 2, max: 9, desired: 4 });
    expect(boundsOf('HorizontalPodAutoscaler', { spec: { maxReplicas: 5 } })).toEqual({ min: 1, max: 5, desired: undefined });
    // The API server writes desiredReplicas 0 into a new HPA's status: nothing asked for yet.
    expect(boundsOf('HorizontalPodAutoscaler', { spec: { maxReplicas: 5 }, status: { desiredReplicas: 0 } }).desired).toBeUndefined();
    expect(boundsOf('ScaledObject', { spec: {} })).toEqual({ min: 0, max: 100, desired: undefined });
  });

  it('refuses an autoscaler that scales another workload, naming the field and the fix', () => {
    expect(scaleTargetProblem('HorizontalPodAutoscaler', hpa, app)).toBeUndefined();
    const other = { ...hpa, spec: { ...hpa.spec, scaleTargetRef: { kind: 'Deployment', name: 'api' } } };
    expect(scaleTargetProblem('HorizontalPodAutoscaler', other, app)).toBe(
      'spec.autoscalerRef.name: HorizontalPodAutoscaler shop/web scales Deployment api, not the target Deployment web: set its scaleTargetRef to Deployment web, or name the autoscaler that scales it',
    );
    // A ScaledObject's scaleTargetRef kind defaults to Deployment.
    expect(scaleTargetProblem('ScaledObject', { metadata: { name: 'web' }, spec: { scaleTargetRef: { name: 'web' } } }, app)).toBeUndefined();
    expect(scaleTargetProblem('ScaledObject', { metadata: { name: 'web' }, spec: { scaleTargetRef: { kind: 'StatefulSet', name: 'web' } } }, app)).toContain('scales StatefulSet web');
  });
});
