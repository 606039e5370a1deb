import { kinds, type KindDefinition } from '../api/schema/index.js';
import { GROUP, VERSION } from '../api/names.js';
import { celProblems } from '../api/cel.js';
import { structuralProblems } from '../api/structural.js';
import type { AlertProvider, MetricTemplate, Rollout, TargetRef } from '../api/types.gen.js';
import { TargetKind } from '../api/schema/enums.js';
import type { V1StatefulSet } from '@kubernetes/client-node';
import { sideBySideProblem } from '../workload/side-by-side.js';
import { statefulSetProblem } from '../workload/partition.js';
import type { Workload } from '../workload/workload.js';
import { servicePortProblem } from '../checks/service-port.js';
import { validationProblems, type ReadTemplate } from '../checks/spec.js';
import type { LintDocument } from './documents.js';
import { isRecord } from '../json.js';

/** One problem found by lint, at the line of the field it names. */
export interface LintProblem {
  readonly file: string;
  readonly line: number;
  readonly path: string;
  /** What is wrong and, in parentheses, the fix. */
  readonly message: string;
}

/** A flowshift object of a linted file, once its shape is what the API server accepts. */
export interface LintedObject {
  readonly document: LintDocument;
  readonly kind: KindDefinition;
  readonly object: Record<string, unknown>;
  /** The object's schema problems (offline); a Rollout is only checked further when there are none. */
  readonly valid: boolean;
}

export const API_VERSION = `${GROUP}/${VERSION}`;

/** `file:line field: message (fix)`, one per line: the shape editors and CI annotate. */
export function formatProblem(p: LintProblem): string {
  return `${p.file}:${p.line} ${p.path}: ${p.message}`;
}

/** A problem string of the controller ("spec.x: what (fix)") at the line of its field. */
export function atField(document: LintDocument, text: string): LintProblem {
  const match = /^((?:spec|metadata)[\w.[\]-]*): ([\s\S]*)$/.exec(text);
  const path = match?.[1] ?? 'spec';
  return { file: document.file, line: document.lineOf(path), path, message: match?.[2] ?? text };
}

/** The flowshift objects of the documents, with what the API server's schema would refuse in each. */
export function schemaCheck(documents: readonly LintDocument[]): { objects: LintedObject[]; problems: LintProblem[] } {
  const objects: LintedObject[] = [];
  const problems: LintProblem[] = [];
  for (const document of documents) {
    const value = document.value;
    if (!isRecord(value) || typeof value['apiVersion'] !== 'string' || !value['apiVersion'].startsWith(`${GROUP}/`)) continue;
    const at = (path: string, message: string): number => problems.push({ file: document.file, line: document.lineOf(path), path, message });
    const kind = kinds.find((k) => k.kind === value['kind']);
    if (!kind) {
      at('kind', `unknown kind ${JSON.stringify(value['kind'])} in ${GROUP} (use one of ${kinds.map((k) => k.kind).join(', ')})`);
      continue;
    }
    const structural = structuralProblems(kind.spec, value['spec'], 'spec');
    // The API server evaluates the CEL rules on values of the right types only.
    const rules = structural.length ? [] : celProblems(kind.spec, value['spec'], 'spec', kind.singular);
    const found = [...topLevelProblems(value), ...[...structural, ...rules].map((p) => ({ path: p.path, message: `${p.message} (${p.fix})` }))];
    for (const p of found) at(p.path, p.message);
    objects.push({ document, kind, object: value, valid: found.length === 0 });
  }
  return { objects, problems };
}

function topLevelProblems(value: Record<string, unknown>): { path: string; message: string }[] {
  const out: { path: string; message: string }[] = [];
  if (value['apiVersion'] !== API_VERSION) out.push({ path: 'apiVersion', message: `${String(value['apiVersion'])} is not served (use ${API_VERSION})` });
  const metadata = value['metadata'];
  if (!isRecord(metadata) || typeof metadata['name'] !== 'string' || metadata['name'] === '') out.push({ path: 'metadata.name', message: 'required value missing (name the object)' });
  if (value['spec'] === undefined) out.push({ path: 'spec', message: 'required value missing (add spec)' });
  return out;
}

/** Where the checks beyond the schema find what a Rollout refers to: the linted files, then (with --cluster) the cluster. */
export interface LintSources {
  readonly readTemplate: ReadTemplate;
  /** The target spec.targetRef names, of its kind. */
  readonly readTarget: (namespace: string, ref: TargetRef) => Promise<Workload | undefined>;
  readonly readSecret: (namespace: string, name: string) => Promise<Record<string, string> | undefined>;
  readonly readProvider: (namespace: string, name: string) => Promise<AlertProvider | undefined>;
}

/** The controller's own validation of every Rollout, and its service port against a target found in the sources. */
export async function controllerCheck(objects: readonly LintedObject[], sources: LintSources, namespaceOf: (o: LintedObject) => string): Promise<LintProblem[]> {
  const problems: LintProblem[] = [];
  for (const o of objects) {
    if (o.kind.kind !== 'Rollout' || !isRecord(o.object['spec'])) continue;
    const rollout = withNamespace(o.object as unknown as Rollout, namespaceOf(o));
    let found: string[];
    try {
      found = await validationProblems(rollout, sources.readTemplate);
    } catch {
      // A spec the API server would refuse can trip rules written for accepted ones: its schema problems are reported.
      if (o.valid) throw new Error(`the controller's validation failed on ${o.document.file}`);
      continue;
    }
    for (const text of found) problems.push(atField(o.document, text));
  }
  return problems;
}

/**
 * The service port against the target, a DaemonSet's pods against
 * running two per node, a StatefulSet against what a gradual release needs, when the sources have the target (offline: only
 * from the files). The controller refuses the same (checks/references.ts,
 * workload/side-by-side.ts).
 */
export async function portCheck(objects: readonly LintedObject[], sources: LintSources, namespaceOf: (o: LintedObject) => string): Promise<LintProblem[]> {
  const problems: LintProblem[] = [];
  for (const o of objects) {
    const spec = o.object['spec'];
    if (o.kind.kind !== 'Rollout' || !isRecord(spec) || !isRecord(spec['service']) || !isRecord(spec['targetRef'])) continue;
    const rollout = o.object as unknown as Rollout;
    const { kind } = rollout.spec.targetRef;
    const target = await sources.readTarget(namespaceOf(o), rollout.spec.targetRef);
    if (!target) continue;
    const port = servicePortProblem(rollout.spec.service, kind, target);
    if (port) problems.push(atField(o.document, port));
    const refused = kindProblem(rollout, namespaceOf(o), target);
    if (refused) problems.push(atField(o.document, `spec.targetRef: ${refused}`));
  }
  return problems;
}

/** What the controller's Target of this kind refuses (workload/side-by-side.ts, workload/partition.ts). */
function kindProblem(rollout: Rollout, namespace: string, target: Workload): string | undefined {
  switch (rollout.spec.targetRef.kind) {
    case TargetKind.Deployment:
      return undefined;
    case TargetKind.DaemonSet:
      return sideBySideProblem(`${namespace}/${rollout.spec.targetRef.name}`, target.spec?.template);
    case TargetKind.StatefulSet:
      return statefulSetProblem({ ...target, metadata: { ...target.metadata, namespace } } as V1StatefulSet, rollout.spec.service.name ?? rollout.spec.targetRef.name);
  }
}

export function withNamespace<T extends { metadata: { namespace?: string } }>(object: T, namespace: string): T {
  return { ...object, metadata: { ...object.metadata, namespace } };
}

/** MetricTemplates and targets (Deployments, DaemonSets) among the linted documents, by namespace/name. */
export function fileSources(documents: readonly LintDocument[], defaultNamespace: string): LintSources {
  const byKey = (kind: string): Map<string, unknown> => {
    const found = new Map<string, unknown>();
    for (const d of documents) {
      const v = d.value;
      if (!isRecord(v) || v['kind'] !== kind || !isRecord(v['metadata'])) continue;
      const ns = typeof v['metadata']['namespace'] === 'string' ? v['metadata']['namespace'] : defaultNamespace;
      found.set(`${ns}/${String(v['metadata']['name'])}`, { ...v, metadata: { ...v['metadata'], namespace: ns } });
    }
    return found;
  };
  const templates = new Map([...byKey('MetricTemplate')].filter(([, t]) => isRecord(t) && isRecord(t['spec']) && typeof t['spec']['query'] === 'string'));
  const targets = new Map(Object.values(TargetKind).map((kind) => [kind as string, byKey(kind)]));
  const secrets = byKey('Secret');
  const providers = byKey('AlertProvider');
  return {
    readTemplate: (namespace, name) => Promise.resolve(templates.get(`${namespace}/${name}`) as MetricTemplate | undefined),
    readTarget: (namespace, ref) => Promise.resolve(targets.get(ref.kind)?.get(`${namespace}/${ref.name}`) as Workload | undefined),
    readSecret: (namespace, name) => Promise.resolve(secretData(secrets.get(`${namespace}/${name}`))),
    readProvider: (namespace, name) => Promise.resolve(providers.get(`${namespace}/${name}`) as AlertProvider | undefined),
  };
}

/** A Secret manifest's data as the API server would store it: data (base64) overlaid by stringData. */
function secretData(secret: unknown): Record<string, string> | undefined {
  if (!isRecord(secret)) return undefined;
  const strings = (v: unknown): Record<string, string> => (isRecord(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)])) : {});
  const data = Object.fromEntries(Object.entries(strings(secret['data'])).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
  return { ...data, ...strings(secret['stringData']) };
}
