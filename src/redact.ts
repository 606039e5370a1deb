/**
 * Credentials never reach a log line, a status, an Event or an error message:
 * every URL is shown without its user, its password and the values of its
 * query (`?token=…`), and no logged error carries the arguments of the Redis
 * command that failed (a failed AUTH holds the password there).
 */
export const HIDDEN = '***';

/**
 * `scheme://user:password@` up to the last `@` before the path, so a
 * password with an unescaped `@` (a URL that does not parse) is hidden too.
 */
const USERINFO = /^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i;
/**
 * A URL inside free text: from its scheme up to a space, a quote or a
 * backslash (so in a JSON line it ends before an escape, which stays whole).
 */
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`\\]*/gi;
/** The query (without `?`) and the fragment (without `#`) of a URL. */
const QUERY = /\?([^#]*)/;
const FRAGMENT = /#.+$/;

/**
 * A URL as messages and logs show it: `https://user:pass@prom:9090/x?token=t`
 * → `https://***@prom:9090/x?token=***`. Parameter names stay (they say what
 * to fix); a fragment is hidden whole. Works on text that does not parse as
 * a URL; anything that is not a URL comes back unchanged.
 */
export function redactUrl(raw: string): string {
  return raw
    .replace(USERINFO, `$1${HIDDEN}@`)
    .replace(QUERY, (_query, params: string) => `?${params.split('&').map(hiddenParam).join('&')}`)
    .replace(FRAGMENT, `#${HIDDEN}`);
}

/** `token=abc` → `token=***`; a bare `abc` → `***`. */
function hiddenParam(param: string): string {
  const eq = param.indexOf('=');
  if (eq >= 0) return `${param.slice(0, eq + 1)}${HIDDEN}`;
  return param === '' ? param : HIDDEN;
}

/** Punctuation that ends a sentence or a parenthesis right after a URL, not part of it. */
const TRAILING = /[).,;:!]+$/;

/** Every URL in free text, such as an error message, shown as redactUrl shows it. */
export function redactUrlsIn(text: string): string {
  return text.replace(URL_IN_TEXT, (url) => {
    const tail = TRAILING.exec(url)?.[0] ?? '';
    return `${redactUrl(url.slice(0, url.length - tail.length))}${tail}`;
  });
}
