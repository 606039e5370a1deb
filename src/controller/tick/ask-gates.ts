import type { Rollout } from '../../api/types.gen.js';
import { decide } from '../../domain/decide/decide.js';
import type { Decision, TickInput } from '../../domain/model.js';
import type { GateAsker } from '../../gates/asker.js';

/**
 * decide(), asking the webhooks it names and deciding again with their
 * answers, until it needs none. Each round answers at least one webhook, so
 * the loop ends; the calls happen before the status write, the commit point.
 */
export async function decideWithGates(gates: GateAsker, rollout: Rollout, first: TickInput): Promise<{ input: TickInput; decision: Decision }> {
  let input = first;
  let decision = decide(input);
  while (decision.asks?.length) {
    const names = decision.asks.filter((n) => !input.gates?.[n]);
    const answers = await gates.ask(rollout, names, { revision: input.observed.revision });
    if (answers.length === 0) throw new Error(`decide() asked for webhooks it cannot have: ${decision.asks.join(', ')}`);
    input = { ...input, gates: { ...input.gates, ...Object.fromEntries(answers.map((a) => [a.name, a])) } };
    decision = decide(input);
  }
  return { input, decision };
}
