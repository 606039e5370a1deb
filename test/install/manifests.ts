import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A rendered manifest, typed as far as these tests read it. */
export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string> };
  readonly [field: string]: unknown;
}

export interface PolicyRule {
  readonly apiGroups?: readonly string[];
  readonly resources?: readonly string[];
  readonly verbs: readonly string[];
  readonly resourceNames?: readonly string[];
  readonly nonResourceURLs?: readonly string[];
}

/** `kubectl kustomize <dir>` (kubectl's built-in kustomize, as `kubectl apply -k` uses it). */
export async function render(dir: string): Promise<Manifest[]> {
  const { stdout } = await promisify(execFile)('kubectl', ['kustomize', join(ROOT, dir)], { maxBuffer: 16 * 1024 * 1024 });
  return parseAllDocuments(stdout).map((doc) => doc.toJS() as Manifest | null).filter((m): m is Manifest => m !== null);
}

export function find(manifests: readonly Manifest[], kind: string, name: string): Manifest {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in: ${manifests.map((m) => `${m.kind}/${m.metadata.name}`).join(', ')}`);
  return found;
}

/** Each granted (group, resource, verb), e.g. "apps/deployments:patch"; the core group is "". */
export function grants(rules: readonly PolicyRule[]): string[] {
  return rules.flatMap((r) =>
    (r.apiGroups ?? []).flatMap((g) => (r.resources ?? []).flatMap((res) => r.verbs.map((v) => grantKey(g, res, v)))),
  );
}

export function grantKey(group: string, resource: string, verb: string): string {
  return `${group}/${resource}:${verb}`;
}

/** Every rule field holding "*", named, e.g. "rule 3 verbs". */
export function wildcards(rules: readonly PolicyRule[]): string[] {
  return rules.flatMap((r, i) =>
    (['apiGroups', 'resources', 'verbs', 'resourceNames', 'nonResourceURLs'] as const)
      .filter((field) => (r[field] ?? []).some((v) => v.includes('*')))
      .map((field) => `rule ${i} ${field}: ${JSON.stringify(r[field])}`),
  );
}
