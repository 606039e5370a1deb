// Semantic validation of a Rollout: the rules the CRD schema and its CEL
// rules cannot express. Pure: no I/O, every problem reported at once.
import type { Rollout } from './types.gen.js';
import {
  builtinMetricsNeedIstio,
  durationsParse,
  gatesCanFire,
  namesAreUnique,
  webhookUrlsAreHttp,
  webhooksAreCallableOrManual,
} from './validation/analysis-rules.js';
import type { ValidationProblem } from './validation/problem.js';
import { burnWindowsFitInterval } from './validation/error-budget-rules.js';
import { derivedNamesFit, gatewayRefsResolve, namesAreNotReserved, stepWeightCanStep } from './validation/route-rules.js';

export type { ValidationProblem } from './validation/problem.js';

const rules: readonly ((rollout: Rollout) => ValidationProblem[])[] = [
  derivedNamesFit,
  namesAreNotReserved,
  gatewayRefsResolve,
  stepWeightCanStep,
  builtinMetricsNeedIstio,
  namesAreUnique,
  durationsParse,
  webhookUrlsAreHttp,
  webhooksAreCallableOrManual,
  gatesCanFire,
  burnWindowsFitInterval,
];

/**
 * Every problem with a Rollout the API server does not catch, in spec order
 * of the rules. An empty list means the Rollout can be released as written.
 */
export function validateRollout(rollout: Rollout): ValidationProblem[] {
  return rules.flatMap((rule) => rule(rollout));
}
