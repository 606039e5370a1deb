import type { ServiceSpec } from '../api/types.gen.js';
import type { Workload } from '../workload/workload.js';

/**
 * Why the generated Services would forward to a port no container of the
 * target exposes, or undefined. A named targetPort must name a container
 * port (a Service cannot resolve it otherwise); a number must be declared
 * when the containers declare ports at all, since Kubernetes does not
 * require declaring a port a process listens on.
 */
export function servicePortProblem(service: ServiceSpec, kind: string, target: Workload): string | undefined {
  const ports = (target.spec?.template.spec?.containers ?? []).flatMap((c) => c.ports ?? []);
  const targetPort = service.targetPort ?? service.port;
  const field = service.targetPort === undefined ? 'spec.service.port' : 'spec.service.targetPort';
  const name = target.metadata?.name ?? '';
  const exposed = ports.map((p) => (p.name ? `${p.name} (${p.containerPort})` : String(p.containerPort))).join(', ');
  if (typeof targetPort === 'string' && !/^[0-9]+$/.test(targetPort)) {
    if (ports.some((p) => p.name === targetPort)) return undefined;
    return `${field}: no container of ${kind} ${name} has a port named "${targetPort}" (exposed: ${exposed || 'none'}; name one of them, or a port number)`;
  }
  const number = Number(targetPort);
  if (ports.length === 0 || ports.some((p) => p.containerPort === number)) return undefined;
  return `${field}: no container of ${kind} ${name} exposes port ${number} (exposed: ${exposed}; set spec.service.targetPort to one of them)`;
}
