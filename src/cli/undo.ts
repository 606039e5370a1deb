import type { V1Deployment, V1PodTemplateSpec } from '@kubernetes/client-node';
import type { Rollout } from '../api/types.gen.js';
import { primaryName } from '../api/names.js';
import { isNotFound } from '../kube/errors.js';
import { ownedBy } from '../kube/ownership.js';
import { sameJson } from '../kube/same-json.js';
import { TargetError } from '../workload/target.js';
import { templateFromPrimary } from '../workload/workload.js';
import { readRollout, type Cli } from './context.js';
import { CliError } from './errors.js';
import { releaseInProgress } from './step.js';
import { changeTarget, readTarget } from './target.js';

/** Where the Deployment controller numbers a ReplicaSet's revision, and the label it adds to its template. */
const DEPLOYMENT_REVISION = 'deployment.kubernetes.io/revision';
const POD_TEMPLATE_HASH = 'pod-template-hash';

/** A template to roll the target back to, and where it came from (for the message). */
interface Source {
  readonly template: V1PodTemplateSpec;
  readonly what: string;
}

/**
 * Rolls the target back to an earlier pod template. The target is the
 * canary, so what undo writes is released like any change (or, when it is
 * the template the primary runs, recognised as the promoted revision and not
 * released at all). Without --to-revision: the template the primary runs,
 * i.e. the last promoted one, flowshift's own record. With --to-revision N:
 * the target's ReplicaSet of revision N, the history `kubectl rollout undo`
 * reads, which exists only where a Deployment controller keeps it.
 */
export async function undo(cli: Cli, name: string, toRevision: number | undefined): Promise<void> {
  const rollout = await readRollout(cli, name);
  refuseMidRelease(rollout);
  const target = await readTarget(cli, rollout);
  const source = toRevision === undefined ? await promotedTemplate(cli, rollout, target) : await revisionTemplate(cli, target, toRevision);
  const written = await changeTarget(cli, rollout, (t) => {
    if (!t.spec || sameJson(t.spec.template, source.template)) return false;
    t.spec.template = source.template;
    return true;
  });
  const deployment = `Deployment ${rollout.spec.targetRef.name}`;
  cli.write(written ? `${name}: ${deployment} rolled back to ${source.what}\n` : `${name}: ${deployment} already has ${source.what}; nothing changed\n`);
}

/** --to-revision as typed: a positive integer, as kubectl rollout history numbers them. */
export function parseRevision(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new CliError(`--to-revision ${value}: a revision is a positive integer (see kubectl rollout history deployment/<target>)`, 2);
  return n;
}

/**
 * While a release runs, the target is its canary: undo would restart it (or
 * release the primary's own template against itself). abort says what is meant.
 */
function refuseMidRelease(rollout: Rollout): void {
  const phase = rollout.status?.phase;
  if (releaseInProgress(phase) || phase === 'Promoting' || phase === 'Finalising') {
    const name = rollout.metadata.name ?? '';
    throw new CliError(`${name} is ${phase}: undo changes the canary of the release in progress; abort it first (kubectl flowshift abort ${name}), then undo`);
  }
}

async function promotedTemplate(cli: Cli, rollout: Rollout, target: V1Deployment): Promise<Source> {
  const primary = await readPrimary(cli, rollout);
  try {
    return { template: templateFromPrimary('Deployment', primary, target), what: `the template of ${primary.metadata?.name ?? ''} (revision ${rollout.status?.lastPromotedSpec ?? 'unknown'}, the last promoted)` };
  } catch (err) {
    if (err instanceof TargetError) throw new CliError(err.message);
    throw err;
  }
}

async function readPrimary(cli: Cli, rollout: Rollout): Promise<V1Deployment> {
  const name = primaryName(rollout.spec.targetRef.name);
  let primary: V1Deployment;
  try {
    primary = await cli.clients.apps.readNamespacedDeployment({ name, namespace: cli.namespace });
  } catch (err) {
    if (isNotFound(err)) throw new CliError(`nothing to undo to: Deployment ${name} does not exist yet (the Rollout has not initialized), so no template was promoted`);
    throw err;
  }
  if (!ownedBy(primary.metadata, rollout)) throw new CliError(`Deployment ${name} is not the primary of rollout ${rollout.metadata.name ?? ''} (it has no ownerReference to it): its template is not a promoted one`);
  return primary;
}

async function revisionTemplate(cli: Cli, target: V1Deployment, revision: number): Promise<Source> {
  const name = target.metadata?.name ?? '';
  const list = await cli.clients.apps.listNamespacedReplicaSet({ namespace: cli.namespace });
  const owned = list.items.filter((rs) => (rs.metadata?.ownerReferences ?? []).some((o) => o.controller === true && o.uid === target.metadata?.uid));
  const found = owned.find((rs) => rs.metadata?.annotations?.[DEPLOYMENT_REVISION] === String(revision));
  if (!found?.spec?.template) {
    const kept = owned.map((rs) => Number(rs.metadata?.annotations?.[DEPLOYMENT_REVISION])).filter(Number.isFinite).sort((a, b) => a - b);
    throw new CliError(
      kept.length
        ? `Deployment ${name} has no revision ${revision}: the revisions kept are ${kept.join(', ')} (spec.revisionHistoryLimit of them, see kubectl rollout history deployment/${name})`
        : `Deployment ${name} has no revision history: no ReplicaSet of it exists (its Deployment controller keeps them; a cluster without one keeps none); undo without --to-revision restores the last promoted template`,
    );
  }
  const { [POD_TEMPLATE_HASH]: _hash, ...labels } = found.spec.template.metadata?.labels ?? {};
  const template = { ...found.spec.template, metadata: { ...found.spec.template.metadata, labels } };
  return { template, what: `revision ${revision} (ReplicaSet ${found.metadata?.name ?? ''})` };
}
