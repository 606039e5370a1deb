import type { ManualAction, RolloutStatus } from '../api/types.gen.js';
import type { TickInput } from './model.js';

type ControlInput = Pick<TickInput, 'controls' | 'status' | 'observed'>;

const RELEASING: ReadonlySet<string> = new Set(['Progressing', 'Waiting', 'WaitingPromotion']);

export function sameAction(a: ManualAction | undefined, b: ManualAction | undefined): boolean {
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
  return sameAction(retry, status.retry) ? undefined : retry;
}

/** The abort to act on now: the release of that revision is in progress, and this abort was not acted on yet. */
export function abortOf(input: ControlInput): ManualAction | undefined {
  const { abort } = input.controls ?? {};
  const { status } = input;
  if (!abort || !RELEASING.has(status.phase ?? '') || abort.revision !== status.lastAppliedSpec) return undefined;
  if (sameAction(abort, status.abort) || predatesRetry(abort, status.retry)) return undefined;
  return abort;
}

/**
 * The promote to act on now: the release of that revision is Progressing
 * (a check it can make due), and this promote was not acted on yet. It makes
 * one check due at once instead of one analysis.interval after the last; the
 * check still has to pass and every gate still has to open (approve opens
 * the manual ones), so it moves at most one step. Acted on once: the tick
 * whose check runs records it in status.promote.
 */
export function promoteOf(input: ControlInput): ManualAction | undefined {
  const { promote } = input.controls ?? {};
  const { status } = input;
  if (!promote || status.phase !== 'Progressing' || promote.revision !== status.lastAppliedSpec) return undefined;
  if (sameAction(promote, status.promote) || predatesRetry(promote, status.retry)) return undefined;
  return promote;
}

/**
 * The full promotion in force: asked for the revision being released, while
 * it is. Unlike promote it is a state, not a one-off: the release of that
 * revision skips its analysis and remaining steps from now on, and is
 * promoted behind its confirm-promotion gates (gates are someone's consent,
 * not a check: --full does not speak for them). Not carried over to a newer
 * revision, nor to a retry of the same one.
 */
export function fullPromotionOf(input: ControlInput): ManualAction | undefined {
  const { promoteFull } = input.controls ?? {};
  const { status } = input;
  if (!promoteFull || !RELEASING.has(status.phase ?? '') || promoteFull.revision !== status.lastAppliedSpec) return undefined;
  return predatesRetry(promoteFull, status.retry) ? undefined : promoteFull;
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
