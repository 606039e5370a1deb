import { describe, expect, it } from 'vitest';
import { V1Deployment, V1DeploymentSpec, V1ObjectMeta } from '@kubernetes/client-node';
import { slim } from '../../src/kube/slim.js';

describe('slim: what an informer keeps of an object', () => {
  it('drops managedFields and the last-applied copy, keeps every other annotation, and leaves its input as it was', () => {
    const listed = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'podinfo',
        uid: 'u-1',
        resourceVersion: '7',
        managedFields: [{ manager: 'kubectl', operation: 'Apply' }],
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"big":"copy"}', 'flowshift.io/revision': 'abc' },
      },
      spec: { replicas: 2 },
    };
    const kept = slim(listed);
    expect(kept).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'podinfo', uid: 'u-1', resourceVersion: '7', annotations: { 'flowshift.io/revision': 'abc' } }, spec: { replicas: 2 } });
    expect(listed.metadata.managedFields).toHaveLength(1);
  });

  it("turns client-node's model classes into plain objects without their undefined fields, dates kept", () => {
    const created = new Date('2026-12-02T10:00:00Z');
    const d = Object.assign(new V1Deployment(), {
      metadata: Object.assign(new V1ObjectMeta(), { name: 'podinfo', namespace: 'shop', creationTimestamp: created, labels: undefined }),
      spec: Object.assign(new V1DeploymentSpec(), { replicas: 0, paused: undefined, selector: { matchLabels: { app: 'podinfo' } }, template: { metadata: {}, spec: { containers: [] } } }),
    });
    const kept = slim(d);
    expect(Object.getPrototypeOf(kept)).toBe(Object.prototype);
    expect(kept).toStrictEqual({ metadata: { name: 'podinfo', namespace: 'shop', creationTimestamp: created }, spec: { replicas: 0, selector: { matchLabels: { app: 'podinfo' } }, template: { metadata: {}, spec: { containers: [] } } } });
  });
});
