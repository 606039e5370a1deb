import type { Rollout } from '../../api/types.gen.js';
import { statusObject, type StatusObject } from '../status-object.js';
import { describeStep } from '../step.js';

/**
 * One line of the dashboard's list: `status -o json`'s object (the same
 * fields, the same meaning) with what the list shows beside it. Computed by
 * the server, so the browser formats and never interprets a status.
 */
export interface RolloutRow extends StatusObject {
  /** "namespace/name": the list's key and the Rollout page's address. */
  readonly key: string;
  /** "step 2 of 3", as `status` prints it; null when no release counts steps. */
  readonly stepText: string | null;
  /** The gates the release waits on: closed gates of the current release. */
  readonly waitingGates: readonly string[];
}

export function rowOf(rollout: Rollout): RolloutRow {
  const object = statusObject(rollout);
  return {
    ...object,
    key: keyOf(rollout),
    stepText: describeStep(object.step ?? undefined) ?? null,
    waitingGates: object.gates.filter((g) => !g.open).map((g) => g.name),
  };
}

export function keyOf(rollout: Rollout): string {
  return `${rollout.metadata.namespace ?? 'default'}/${rollout.metadata.name ?? ''}`;
}
