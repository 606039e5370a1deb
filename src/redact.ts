/**
 * Credentials never reach a log line, a status, an Event or an error message:
 * every URL is shown without its user and password.
 */
const HIDDEN = '***';

/**
 * `scheme://user:password@` up to the last `@` before the path, so a
 * password with an unescaped `@` (a URL that does not parse) is hidden too.
 */
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#]*@/gi;

/** `redis://:secret@host:6379/0` → `redis://***@host:6379/0`; anything else unchanged. */
export function redactUrl(raw: string): string {
  return redactUrlsIn(raw);
}

/** Removes the credentials of every URL in free text, such as an error message. */
export function redactUrlsIn(text: string): string {
  return text.replace(USERINFO, `$1${HIDDEN}@`);
}
