// The grant of a shared object: a MetricTemplate or AlertProvider serves the
// Rollouts of its own namespace, and those of the namespaces its owner lists
// in spec.allowedNamespaces. The field and the rule are written here once; the
// preflight, the analysis and the alerts all ask grantProblem(), so no two
// copies of the rule can drift apart. In api/ because every room that uses a
// shared object (analysis, notifier, checks) may import it.
import { array, string, type Schema } from './schema/builders.js';

/** In spec.allowedNamespaces: every namespace. */
export const ALL_NAMESPACES = '*';

export type GrantingKind = 'MetricTemplate' | 'AlertProvider';

/** The parts of a shared object the grant reads. */
export interface Grantor {
  readonly metadata: { readonly name?: string | undefined; readonly namespace?: string | undefined };
  readonly spec: { readonly allowedNamespaces?: readonly string[] | undefined };
}

/** What the user copies instead of asking for a grant: a provider is useless without its Secret. */
const COPY: Readonly<Record<GrantingKind, string>> = {
  MetricTemplate: 'the template',
  AlertProvider: 'the provider and its Secret',
};

/**
 * Why a Rollout of `referencingNamespace` may not use `object`, named at
 * `field` with the fix; undefined when it may: the object is in the same
 * namespace, or its spec.allowedNamespaces lists that namespace or "*".
 * An object without a namespace is never taken for the Rollout's own.
 */
export function grantProblem(field: string, kind: GrantingKind, referencingNamespace: string, object: Grantor): string | undefined {
  const owner = object.metadata.namespace;
  if (owner === referencingNamespace) return undefined;
  const allowed = object.spec.allowedNamespaces ?? [];
  if (allowed.includes(referencingNamespace) || allowed.includes(ALL_NAMESPACES)) return undefined;
  const name = `${owner ?? ''}/${object.metadata.name ?? ''}`;
  return (
    `${field}: ${kind} ${name} is in another namespace and does not grant ${referencingNamespace} ` +
    `(its owner adds "${referencingNamespace}" to spec.allowedNamespaces, or copy ${COPY[kind]} into ${referencingNamespace})`
  );
}

/** A namespace name (DNS-1123 label) or exactly "*". */
const GRANTEE_PATTERN = '^(\\*|[a-z0-9]([-a-z0-9]*[a-z0-9])?)$';

/** The spec.allowedNamespaces field of a kind others may reference across namespaces. */
export function allowedNamespacesField(kind: GrantingKind, reference: string): Schema {
  return array(
    `Namespaces whose Rollouts may use this ${kind} (${reference} with a namespace), besides its own namespace, which always may; "*" grants every namespace. ` +
      `Default: none. Its Secret is still read from this namespace only, never from the Rollout's. ` +
      `Only someone who may edit this ${kind} in its own namespace can grant: a Rollout's author cannot grant themselves. See docs/multi-tenancy.md.`,
    string('A namespace name, or "*" for every namespace.', { pattern: GRANTEE_PATTERN, minLength: 1, maxLength: 63 }),
    { maxItems: 256, 'x-kubernetes-list-type': 'set' },
  );
}
