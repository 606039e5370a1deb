import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { nodeHttp } from '../http/node-http.js';
import { redactUrl } from '../redact.js';
import { parseQueryData, unexpectedResponse } from './prometheus-response.js';
import { QueryOutcomeKind, type MetricsProvider, type QueryOutcome } from './provider.js';

/** How flowshift authenticates to Prometheus (from a MetricTemplate's secretRef). */
export type PrometheusAuth =
  | { readonly kind: 'bearer'; readonly token: string }
  | { readonly kind: 'basic'; readonly username: string; readonly password: string };

export interface PrometheusProviderOptions {
  /** Base address, e.g. http://prometheus.istio-system:9090 (no /api/v1). */
  readonly address: string;
  /** Extra request headers, e.g. X-Scope-OrgID for a multi-tenant backend. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly auth?: PrometheusAuth;
  /** Gives up on a query after this long; default 10 s. */
  readonly timeoutMs?: number;
}

export const DEFAULT_QUERY_TIMEOUT_MS = 10_000;
/**
 * An answer larger than this is cut off and fails the check: a query
 * flowshift can judge returns one series, a few hundred bytes.
 */
export const MAX_RESPONSE_BYTES = 1024 * 1024;

/**
 * Kept-alive connections to every Prometheus, shared by all queries (a
 * tick's queries run in parallel): at most 16 per Prometheus, 4 kept between
 * bursts (uncapped, a burst at 500 Rollouts left 47 open).
 */
const POOL = { keepAlive: true, maxSockets: 16, maxFreeSockets: 4 } as const;
const AGENTS = { 'http:': new nodeHttp.Agent(POOL), 'https:': new HttpsAgent(POOL) } as const;

/** How an HTTP exchange ended, before its body is judged. */
type Exchange =
  | { readonly kind: 'answered'; readonly status: number; readonly statusText: string; readonly body: string }
  | { readonly kind: 'failed'; readonly outcome: QueryOutcome };

/**
 * Prometheus' HTTP API (GET /api/v1/query), on Node's own HTTP client: every
 * answer, failure and refusal becomes a QueryOutcome here, never an
 * exception. Sample values are read from the raw JSON, so "+Inf" stays
 * infinite.
 */
export class PrometheusProvider implements MetricsProvider {
  readonly address: string;
  /** The address as messages show it: without credentials. */
  private readonly shown: string;
  private readonly options: PrometheusProviderOptions;

  constructor(options: PrometheusProviderOptions) {
    this.options = options;
    this.address = options.address.replace(/\/+$/, '');
    this.shown = redactUrl(this.address);
  }

  /**
   * One query, bounded: no redirect is followed (it could carry credentials
   * elsewhere), at most MAX_RESPONSE_BYTES are read, and it ends at the
   * query timeout or when `signal` aborts (the tick's deadline), whichever
   * comes first.
   */
  async instantQuery(query: string, signal?: AbortSignal): Promise<QueryOutcome> {
    if (signal?.aborted) return abortedOutcome(signal, this.shown);
    const timeoutMs = this.options.timeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
    let url: URL;
    try {
      url = new URL(`${this.address}/api/v1/query`);
    } catch {
      return { kind: QueryOutcomeKind.Unreachable, message: `${this.shown} is not a URL` };
    }
    url.searchParams.set('query', query);
    // Prometheus' own evaluation timeout, so a heavy query stops there too.
    url.searchParams.set('timeout', `${Math.max(1, Math.ceil(timeoutMs / 1000))}s`);
    const exchange = await this.exchange(url, timeoutMs, signal);
    if (exchange.kind === 'failed') return exchange.outcome;
    return this.judge(exchange);
  }

  private exchange(url: URL, timeoutMs: number, signal: AbortSignal | undefined): Promise<Exchange> {
    // An address's own user:password is sent as basic auth by Node, unless a secretRef's Authorization is set.
    const headers: Record<string, string> = { Accept: 'application/json', ...this.options.headers, ...authorization(this.options.auth) };
    const agent = url.protocol === 'https:' ? AGENTS['https:'] : AGENTS['http:'];
    return new Promise((resolve) => {
      const settle = (exchange: Exchange): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(exchange);
      };
      const req = (url.protocol === 'https:' ? httpsRequest : nodeHttp.request)(url, { headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) {
            req.destroy();
            settle({ kind: 'failed', outcome: tooLarge(this.shown) });
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => settle({ kind: 'answered', status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (err) => settle({ kind: 'failed', outcome: networkOutcome(err, this.shown) }));
      });
      const timer = setTimeout(() => {
        req.destroy();
        settle({ kind: 'failed', outcome: { kind: QueryOutcomeKind.Timeout, message: `no answer from ${this.shown} within ${timeoutMs} ms` } });
      }, timeoutMs);
      const onAbort = (): void => {
        req.destroy();
        settle({ kind: 'failed', outcome: abortedOutcome(signal ?? AbortSignal.abort(), this.shown) });
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      req.on('error', (err) => settle({ kind: 'failed', outcome: networkOutcome(err, this.shown) }));
      req.end();
    });
  }

  private judge(answer: Extract<Exchange, { kind: 'answered' }>): QueryOutcome {
    const { status } = answer;
    if (status >= 300 && status < 400) {
      return { kind: QueryOutcomeKind.QueryError, errorType: 'redirect', httpStatus: status, message: `HTTP ${status} from ${this.shown}: redirects are not followed; set the address Prometheus answers on` };
    }
    const json = parseJson(answer.body);
    if (status >= 400) return isRecord(json) && json['status'] === 'error' ? prometheusError(json, status) : httpStatusOutcome(answer);
    if (!isRecord(json)) return unexpectedResponse(answer.body ? 'the answer is not JSON' : 'no response body');
    if (json['status'] === 'error') return prometheusError(json, status);
    return parseQueryData(json['data']);
  }
}

function authorization(auth: PrometheusAuth | undefined): Record<string, string> {
  if (auth?.kind === 'bearer') return { Authorization: `Bearer ${auth.token}` };
  if (auth?.kind === 'basic') return { Authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` };
  return {};
}

/** Aborted by the caller: the tick's deadline (a timeout) or shutting down. */
function abortedOutcome(signal: AbortSignal, address: string): QueryOutcome {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'TimeoutError') {
    return { kind: QueryOutcomeKind.Timeout, message: `no answer from ${address} before the tick's deadline` };
  }
  return { kind: QueryOutcomeKind.Unreachable, message: 'query aborted' };
}

function networkOutcome(err: Error, address: string): QueryOutcome {
  const code = (err as NodeJS.ErrnoException).code;
  const detail = [code && !err.message.includes(code) ? code : '', err.message].filter(Boolean).join(' ') || 'network error';
  return { kind: QueryOutcomeKind.Unreachable, message: `${address} unreachable: ${detail}` };
}

function tooLarge(address: string): QueryOutcome {
  return { kind: QueryOutcomeKind.QueryError, errorType: 'response_too_large', message: `the answer from ${address} is larger than ${MAX_RESPONSE_BYTES} bytes: make the query return one series` };
}

/** Prometheus' own error answer ({"status":"error","errorType":…,"error":…}). */
function prometheusError(json: Record<string, unknown>, httpStatus: number): QueryOutcome {
  const errorType = stringField(json, 'errorType') ?? 'http_error';
  const message = stringField(json, 'error') ?? `HTTP ${httpStatus}`;
  // Prometheus reports its own evaluation timeout as errorType "timeout" (HTTP 503).
  if (errorType === 'timeout') return { kind: QueryOutcomeKind.Timeout, message };
  return { kind: QueryOutcomeKind.QueryError, errorType, message, httpStatus };
}

/** An HTTP error whose body is not Prometheus JSON, e.g. a 401 from an auth proxy. */
function httpStatusOutcome(answer: { readonly status: number; readonly statusText: string; readonly body: string }): QueryOutcome {
  const body = answer.body.trim().slice(0, 200);
  const text = `HTTP ${answer.status}${answer.statusText ? ` ${answer.statusText}` : ''}`;
  return {
    kind: QueryOutcomeKind.QueryError,
    errorType: 'http_error',
    message: body ? `${text}: ${body}` : text,
    httpStatus: answer.status,
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function stringField(record: Record<string, unknown>, key: string): string | undefined {
  const value = record[key];
  return typeof value === 'string' ? value : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
