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
  return withCause(err);
}

/** "fetch failed" says nothing: the network error that caused it (ECONNREFUSED, a TLS failure) does. */
function withCause(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause: unknown = err.cause;
  const detail = cause instanceof Error ? ((cause as NodeJS.ErrnoException).code ?? cause.message) : undefined;
  return detail && !err.message.includes(detail) ? `${err.message} (${detail})` : err.message;
}
