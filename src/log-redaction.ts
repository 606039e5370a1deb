// The root logger's redaction: errors scrubbed of credentials and Redis
// command arguments, every URL of a line redacted (see redact.ts). Apart from
// redact.ts so the API's validation, which shows URLs, does not load pino.
import { pino, type LoggerOptions } from 'pino';
import { isRecord } from './json.js';
import { HIDDEN, redactUrlsIn } from './redact.js';

/** Nested errors (a cause, a Cluster's last node error) deeper than this are not scrubbed further. */
const MAX_ERROR_DEPTH = 5;

/**
 * An error as a log line carries it: pino's serialization (message, stack,
 * own fields, nested errors), with URLs redacted in every string and a
 * Redis `command` reduced to its name. ioredis puts the failed command on
 * the error, and AUTH's arguments are the username and password.
 */
export function loggableError(err: unknown, depth = 0): unknown {
  if (typeof err === 'string') return redactUrlsIn(err);
  const serialized: unknown = err instanceof Error ? pino.stdSerializers.err(err) : err;
  if (!isRecord(serialized) || depth > MAX_ERROR_DEPTH) return serialized;
  return Object.fromEntries(Object.entries(serialized).map(([key, value]) => [key, loggableField(key, value, depth)]));
}

function loggableField(key: string, value: unknown, depth: number): unknown {
  if (key === 'command') return isRecord(value) && typeof value['name'] === 'string' ? { name: value['name'] } : HIDDEN;
  if (typeof value === 'string') return redactUrlsIn(value);
  if (Array.isArray(value)) return value.map((item: unknown) => (isErrorLike(item) ? loggableError(item, depth + 1) : item));
  return isErrorLike(value) ? loggableError(value, depth + 1) : value;
}

/** pino's test for an error (nested ones are already serialized into plain objects). */
function isErrorLike(value: unknown): boolean {
  return value instanceof Error || (isRecord(value) && typeof value['message'] === 'string');
}

/** An error logged under another name than `err` is serialized as `err` is. */
function loggableFields(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).map(([key, value]) => [key, value instanceof Error ? loggableError(value) : value]));
}

/**
 * The root logger's redaction (main.ts builds it with these; child loggers
 * inherit serializers, formatters and hooks). Paths name fields that are
 * secrets whatever their value; the serializer and the formatter scrub
 * errors; the last step redacts every URL of the finished line, the message
 * and the child's bindings included.
 */
export function logRedaction(): Pick<LoggerOptions, 'redact' | 'serializers' | 'formatters' | 'hooks'> {
  return {
    redact: ['*.headers.authorization', '*.authorization', '*.token', '*.password', '*.secret'],
    serializers: { err: (err: unknown) => loggableError(err) },
    formatters: { log: loggableFields },
    hooks: { streamWrite: redactUrlsIn },
  };
}
