import type { ManualAction, RolloutStatus } from '../api/types.gen.js';
import type { TickInput } from './model.js';

type ControlInput = Pick<TickInput, 'controls' | 'status' | 'observed'>;

const RELEASING: ReadonlySet<string> = new Set(['Progressing', 'Waiting', 'WaitingPromotion']);

function same(a: ManualAction | undefined, b: ManualAction | undefined): boolean {
  return a !== undefined && b !== undefined && a.revision === b.revision && a.by === b.by && a.at === b.at;
}

/** An action given before the last retry of the same revision belongs to the attempt that failed. */
function predatesRetry(action: ManualAction, retry: ManualAction | undefined): boolean {
  return retry !== undefined && retry.revision === action.revision && Date.parse(action.at) < Date.parse(retry.at);
}

/** The retry to act on now: the Rollout failed on exactly that revision, and this retry was not acted on yet. */
export function retryOf(input: ControlInput): ManualAction | undefined {
  const { retry } = input.controls ?? {};
  const { status, observed } = input;
  if (!retry || status.phase !== 'Failed' || retry.revision !== status.lastAppliedSpec || observed.revision !== retry.revision) return undefined;
  return same(retry, status.retry) ? undefined : retry;
}

/** The abort to act on now: the release of that revision is in progress, and this abort was not acted on yet. */
export function abortOf(input: ControlInput): ManualAction | undefined {
  const { abort } = input.controls ?? {};
  const { status } = input;
  if (!abort || !RELEASING.has(status.phase ?? '') || abort.revision !== status.lastAppliedSpec) return undefined;
  if (same(abort, status.abort) || predatesRetry(abort, status.retry)) return undefined;
  return abort;
}

/**
 * The approval that opens the manual gates of the revision being released
 * (the observed one): an approval for another revision never carries over,
 * nor one given before a retry of this revision.
 */
export function approvalOf(input: ControlInput): ManualAction | undefined {
  const { approve } = input.controls ?? {};
  if (!approve || approve.revision !== input.observed.revision) return undefined;
  return predatesRetry(approve, retryOf(input) ?? input.status.retry) ? undefined : approve;
}

/** The status with `approval` set to the approval in force, or without one. */
export function withApproval(status: RolloutStatus, approval: ManualAction | undefined): RolloutStatus {
  const { approval: _previous, ...rest } = status;
  return approval ? { ...rest, approval } : rest;
}
