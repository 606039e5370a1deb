import type { V1PodTemplateSpec } from '@kubernetes/client-node';

/**
 * Why the canary's pods of a DaemonSet cannot run beside the primary's, or
 * undefined. During a release each node runs one pod of each: a host port
 * (or the host's network, where every container port is a host port) can be
 * bound by only one of them, so the canary's pods would never schedule, or
 * crash, and the release could only fail. Refused before anything is
 * created, naming the field and the way out. Pure: the controller (observe)
 * and `kubectl flowshift lint` ask the same question.
 */
export function sideBySideProblem(name: string, template: V1PodTemplateSpec | undefined): string | undefined {
  const spec = template?.spec;
  const field = 'spec.template.spec';
  const fix = 'a DaemonSet released by a Rollout runs two pods per node during a release (remove it and reach the pods through the Services flowshift generates, or release this DaemonSet without a Rollout)';
  if (spec?.hostNetwork) return `DaemonSet ${name}: ${field}.hostNetwork is true, so the canary's and the primary's pods would bind the same ports of each node; ${fix}`;
  for (const group of ['initContainers', 'containers'] as const) {
    for (const [i, container] of (spec?.[group] ?? []).entries()) {
      const j = (container.ports ?? []).findIndex((p) => p.hostPort !== undefined && p.hostPort !== 0);
      if (j >= 0) {
        const port = container.ports?.[j]?.hostPort ?? 0;
        return `DaemonSet ${name}: ${field}.${group}[${i}].ports[${j}].hostPort ${port} can be bound by one pod per node, so the canary's pods could not run beside the primary's; ${fix}`;
      }
    }
  }
  return undefined;
}
