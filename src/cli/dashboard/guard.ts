import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** The header a control request carries the page's token in: a header no other origin can set without a CORS preflight, which the dashboard never grants. */
export const TOKEN_HEADER = 'x-flowshift-token';

export interface GuardSettings {
  /** The Host values the dashboard answers to ("127.0.0.1:3100", "localhost:3100"). */
  readonly hosts: ReadonlySet<string>;
  /** A random token of this run, embedded in the page it serves. */
  readonly token: string;
}

export interface Refusal {
  readonly status: number;
  readonly message: string;
}

/**
 * Why a request to the dashboard is refused, or undefined.
 * - Every request: the Host must be the dashboard's own, so a page whose
 *   name was rebound to 127.0.0.1 (DNS rebinding) is not answered.
 * - Requests that change something (POST): the Origin must be the
 *   dashboard's, and the page's token must come in TOKEN_HEADER: another
 *   local page can post a form, but can neither read the token nor set the header.
 */
export function refusalOf(method: string, headers: IncomingHttpHeaders, settings: GuardSettings): Refusal | undefined {
  const host = headers.host ?? '';
  if (!settings.hosts.has(host)) return { status: 421, message: `this dashboard does not answer for host "${host}"; open it at the URL it printed` };
  if (method === 'GET' || method === 'HEAD') return undefined;
  const origin = headers.origin;
  if (origin !== `http://${host}`) return { status: 403, message: `cross-origin request refused (Origin ${origin ?? 'missing'}); use the dashboard's own page` };
  if (!sameToken(headers[TOKEN_HEADER], settings.token)) return { status: 403, message: `request refused: the ${TOKEN_HEADER} header does not carry this run's token; reload the dashboard's page` };
  return undefined;
}

function sameToken(sent: string | string[] | undefined, token: string): boolean {
  if (typeof sent !== 'string') return false;
  const [a, b] = [Buffer.from(sent), Buffer.from(token)];
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The Host values of a dashboard on `host:port`: the address itself, and
 * localhost's names when it is loopback. On an unspecified address (0.0.0.0,
 * ::, with --allow-remote) browsers come by any of the machine's addresses
 * or its host name: `machine` lists them.
 */
export function hostsFor(host: string, port: number, machine: { readonly loopback: boolean; readonly names: () => readonly string[] }): Set<string> {
  const unspecified = host === '0.0.0.0' || host === '::';
  const names = [host, ...(machine.loopback || unspecified ? LOCALHOST : []), ...(unspecified ? machine.names() : [])];
  return new Set(names.map((n) => (n.includes(':') && !n.startsWith('[') ? `[${n}]:${port}` : `${n}:${port}`)));
}

const LOCALHOST = ['127.0.0.1', 'localhost', '::1'];
