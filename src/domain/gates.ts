import type { GateResult, ManualAction, RolloutSpec, RolloutStatus, WebhookSpec, WebhookType } from '../api/types.gen.js';
import { approvalOf, withApproval } from './controls.js';
import { nextStatus, shortRevision } from './status.js';
import type { Ask, Decision, GateAnswer, TickInput } from './model.js';

/** What the gates of one type say this tick. */
export type GateCheck =
  /** Some webhook answers are missing: the tick asks these webhooks and decides again. */
  | { readonly kind: 'ask'; readonly names: readonly string[] }
  | {
      readonly kind: 'answered';
      /** Every gate of the type said yes (also when the type has no gates). */
      readonly open: boolean;
      /** At least one gate said yes (what a rollback webhook needs). */
      readonly anyOpen: boolean;
      /** Every closed gate is one that has not answered yet (so nothing said no). */
      readonly onlyPending: boolean;
      readonly results: readonly GateAnswer[];
      /** The closed gates (or, for rollback, the open ones) in words. */
      readonly reason: string;
    };

/**
 * The kinds of gate. A webhook is asked over HTTP by the tick (gates/asker.ts
 * holds one asker per kind it asks); a manual gate is opened by an approval
 * (the flowshift.io/approve annotation) and answered here, from the tick's input.
 */
export const GateKind = { Webhook: 'webhook', Manual: 'manual' } as const;
export type GateKind = (typeof GateKind)[keyof typeof GateKind];
/** The kinds the tick asks: every kind but the one an approval answers. */
export type AskedGateKind = Exclude<GateKind, typeof GateKind.Manual>;

export function gateKindOf(hook: WebhookSpec): GateKind {
  return hook.manual ? GateKind.Manual : GateKind.Webhook;
}

export function hooksOf(spec: RolloutSpec, type: WebhookType): WebhookSpec[] {
  return (spec.analysis?.webhooks ?? []).filter((h) => (h.type ?? 'rollout') === type);
}

/**
 * The answer of every gate of `type`: manual gates from the approval, webhook
 * gates from the answers the tick gathered. Missing webhook answers are asked
 * for, so nothing moves forward without them.
 */
export function checkGates(input: TickInput, type: WebhookType, only?: (hook: WebhookSpec) => boolean): GateCheck {
  const hooks = hooksOf(input.spec, type).filter((h) => !only || only(h));
  const approval = approvalOf(input);
  const missing = hooks.filter((h) => gateKindOf(h) !== GateKind.Manual && !input.gates?.[h.name]).map((h) => h.name);
  if (missing.length) return { kind: 'ask', names: missing };
  const results = hooks.map((h): GateAnswer => (gateKindOf(h) === GateKind.Manual ? manualResult(input, h, type, approval) : (input.gates?.[h.name] as GateAnswer)));
  const open = results.every((r) => r.open);
  const anyOpen = results.some((r) => r.open);
  const closed = results.filter((r) => !r.open);
  const onlyPending = closed.length > 0 && closed.every((r) => r.pending);
  const telling = type === 'rollback' ? results.filter((r) => r.open) : closed;
  return { kind: 'answered', open, anyOpen, onlyPending, results, reason: telling.map(describeGate).join('; ') };
}

export function describeGate(result: GateResult): string {
  return `${result.type} gate ${result.name} ${result.message}`;
}

function manualResult(input: TickInput, hook: WebhookSpec, type: WebhookType, approval: ManualAction | undefined): GateResult {
  const message = approval
    ? `approved by ${approval.by} at ${approval.at}`
    : `waits for an approval of revision ${shortRevision(input.observed.revision)} (kubectl flowshift approve, annotation flowshift.io/approve)`;
  const before = input.status.gates?.find((g) => g.name === hook.name);
  // An unchanged answer keeps its time, so a closed manual gate does not rewrite the status every tick.
  const time = before && before.open === Boolean(approval) && before.message === message ? before.time : input.observed.now.toISOString();
  return { name: hook.name, type, open: Boolean(approval), message, time };
}

/** `prev` updated with `results`, in spec order, without gates the spec no longer has. A pending answer is written as the closed answer its message describes. */
export function mergeGates(spec: RolloutSpec, prev: readonly GateResult[] | undefined, results: readonly GateAnswer[]): GateResult[] {
  const byName = new Map((prev ?? []).map((g) => [g.name, g]));
  for (const { pending: _pending, ...r } of results) byName.set(r.name, r);
  return (spec.analysis?.webhooks ?? []).flatMap((h) => {
    const g = byName.get(h.name);
    return g ? [g] : [];
  });
}

/** A decision that only asks: the tick asks these gates and decides again. Never written. */
export function ask(input: TickInput, names: readonly string[]): Decision {
  return askFor(input, names.map((name) => ({ kind: 'gate', name })));
}

/** A decision that only asks (gates, an analysis, the alerts check): the tick gathers the answers and decides again. Never written. */
export function askFor(input: TickInput, asks: readonly Ask[]): Decision {
  return { status: nextStatus(input, {}, input.status.message ?? ''), actions: [], events: [], asks };
}

/** The status with the approval that opens this release's manual gates, if the spec has any. */
export function recordApproval(input: TickInput, status: RolloutStatus): RolloutStatus {
  const manual = (input.spec.analysis?.webhooks ?? []).some((h) => h.manual);
  return withApproval(status, manual ? approvalOf(input) : undefined);
}

/** Every webhook answer gathered this tick lands in status.gates, whatever the decision; so does the approval in force. */
export function recordAnswers(input: TickInput, decision: Decision): Decision {
  if (decision.asks) return decision;
  // rollout webhooks are checks: their answers are the analysis' evidence, not gate state.
  const answers = Object.values(input.gates ?? {}).filter((a) => a.type !== 'rollout');
  const status = answers.length ? { ...decision.status, gates: mergeGates(input.spec, decision.status.gates, answers) } : decision.status;
  return { ...decision, status: recordApproval(input, status) };
}
