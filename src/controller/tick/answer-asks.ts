import type { Rollout } from '../../api/types.gen.js';
import { decide } from '../../domain/decide/decide.js';
import type { AlertsCheck, AnalysisVerdict, Ask, Decision, TickInput } from '../../domain/model.js';
import type { GateAsker } from '../../gates/asker.js';

/** Where the answers to decide()'s asks come from. */
export interface AskDeps {
  readonly gates: GateAsker;
  /** How long the tick may still wait for a gate (never past its deadline). */
  readonly gateWaitMs: () => number;
  /** One analysis run of the Rollout's metrics (its rollout webhooks are gates, asked apart). */
  readonly analyze: (rollout: Rollout) => Promise<AnalysisVerdict>;
  readonly checkAlerts: (rollout: Rollout) => Promise<AlertsCheck>;
}

/**
 * decide(), answering what it asks (gates, an analysis, the alerts check)
 * and deciding again with the answers, until it asks nothing more. Each round
 * answers at least one ask, so the loop ends; every call happens before the
 * status write, the commit point.
 */
export async function decideAnswering(deps: AskDeps, rollout: Rollout, first: TickInput): Promise<{ input: TickInput; decision: Decision }> {
  let input = first;
  let decision = decide(input);
  while (decision.asks?.length) {
    input = await answer(deps, rollout, input, decision.asks);
    decision = decide(input);
  }
  return { input, decision };
}

async function answer(deps: AskDeps, rollout: Rollout, input: TickInput, asks: readonly Ask[]): Promise<TickInput> {
  const gates = asks.flatMap((a) => (a.kind === 'gate' && !input.gates?.[a.name] ? [a.name] : []));
  const analysis = asks.some((a) => a.kind === 'analysis') && !input.verdict;
  const alerts = asks.some((a) => a.kind === 'alerts') && !input.alerts;
  const [answers, verdict, check] = await Promise.all([
    gates.length ? deps.gates.ask(rollout, gates, { revision: input.observed.revision, waitMs: deps.gateWaitMs() }) : [],
    analysis ? deps.analyze(rollout) : undefined,
    alerts ? deps.checkAlerts(rollout) : undefined,
  ]);
  if (answers.length === 0 && !verdict && !check) throw new Error(`decide() asked for what it cannot have: ${JSON.stringify(asks)}`);
  return {
    ...input,
    ...(answers.length ? { gates: { ...input.gates, ...Object.fromEntries(answers.map((a) => [a.name, a])) } } : {}),
    ...(verdict ? { verdict } : {}),
    ...(check ? { alerts: check } : {}),
  };
}
