/** One thing wrong with a Rollout that the API server cannot see. */
export interface ValidationProblem {
  /** Field path as the API server writes it, e.g. spec.analysis.webhooks[0].url. */
  readonly path: string;
  /** What is wrong, naming the value. */
  readonly message: string;
  /** What to change. */
  readonly fix: string;
  /** Stable identifier of the rule, for searching docs and logs. */
  readonly code: string;
}

export function problem(code: string, path: string, message: string, fix: string): ValidationProblem {
  return { code, path, message, fix };
}
