import { apiMessage, statusCode } from '../kube/errors.js';

/** A refusal or failure the user should read: printed without a stack, exits with `exitCode`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** The message for any error reaching main: the API server's own words for API errors. */
export function describeFailure(err: unknown): string {
  if (err instanceof CliError) return err.message;
  const code = statusCode(err);
  if (code === 401) return `unauthorized: the credentials of the current context were refused (${apiMessage(err)})`;
  if (code !== undefined) return apiMessage(err);
  return err instanceof Error ? err.message : String(err);
}
