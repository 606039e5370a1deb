import type { KubernetesObject } from '@kubernetes/client-node';

/** kubectl's copy of the whole object it applied: as large as the object, and never read by flowshift. */
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * Drops what an informer need not hold: managedFields (often larger than the
 * object itself) and kubectl's last-applied copy. Mutates and returns `obj`,
 * which has just been parsed from the wire and is not shared yet. Writes
 * built from a slim object are safe: an update without managedFields keeps
 * the server's, and flowshift never copies the last-applied annotation.
 */
export function slim<T extends KubernetesObject>(obj: T): T {
  const metadata = obj.metadata as { managedFields?: unknown; annotations?: Record<string, string> } | undefined;
  if (!metadata) return obj;
  delete metadata.managedFields;
  if (metadata.annotations && LAST_APPLIED in metadata.annotations) {
    const { [LAST_APPLIED]: _dropped, ...rest } = metadata.annotations;
    metadata.annotations = rest;
  }
  return obj;
}
