import { PrometheusDriver, type PrometheusConnectionOptions } from 'prometheus-query';
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

type Interceptors = Required<Pick<PrometheusConnectionOptions, 'requestInterceptor' | 'responseInterceptor'>>;

/** The HTTP response behind a prometheus-query call, seen by our interceptor. */
interface SeenResponse {
  readonly status: number;
  readonly statusText: string;
  readonly data: unknown;
}

/**
 * Prometheus through prometheus-query. The library rejects with plain objects
 * (not Errors), drops the HTTP status of non-JSON error bodies and parses
 * "+Inf" as NaN, so this class watches the raw HTTP response with interceptors
 * and turns every case into a QueryOutcome itself.
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
    let seen: SeenResponse | undefined;
    const driver = new PrometheusDriver(this.connection(interceptors(signal, (response) => (seen = response))));
    const timeoutMs = this.options.timeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
    try {
      // Prometheus' own evaluation timeout, so a heavy query stops there too.
      await driver.instantQuery(query, undefined, `${Math.max(1, Math.ceil(timeoutMs / 1000))}s`);
    } catch (rejection: unknown) {
      if (signal?.aborted) return abortedOutcome(signal, this.shown);
      return outcomeOfRejection(rejection, seen, timeoutMs, this.shown);
    }
    if (!seen || !isRecord(seen.data)) return unexpectedResponse('no response body');
    return parseQueryData(seen.data['data']);
  }

  private connection(hooks: Interceptors): PrometheusConnectionOptions {
    const { auth, headers, timeoutMs } = this.options;
    const allHeaders: Record<string, string> = { ...headers };
    if (auth?.kind === 'bearer') allHeaders['Authorization'] = `Bearer ${auth.token}`;
    return {
      endpoint: this.address,
      baseURL: '/api/v1/',
      headers: allHeaders,
      timeout: timeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS,
      requestInterceptor: hooks.requestInterceptor,
      responseInterceptor: hooks.responseInterceptor,
      ...(auth?.kind === 'basic' ? { auth: { username: auth.username, password: auth.password } } : {}),
    };
  }
}

function interceptors(signal: AbortSignal | undefined, record: (response: SeenResponse) => void): Interceptors {
  const remember = (response: unknown): void => {
    if (!isRecord(response)) return;
    const status = typeof response['status'] === 'number' ? response['status'] : 0;
    const statusText = typeof response['statusText'] === 'string' ? response['statusText'] : '';
    record({ status, statusText, data: response['data'] });
  };
  return {
    requestInterceptor: {
      onFulfilled: (config) => {
        if (signal) config.signal = signal;
        config.maxRedirects = 0;
        config.maxContentLength = MAX_RESPONSE_BYTES;
        return config;
      },
    },
    responseInterceptor: {
      onFulfilled: (response) => {
        remember(response);
        return response;
      },
      onRejected: (error: unknown) => {
        if (isRecord(error)) remember(error['response']);
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      },
    },
  };
}

/** Maps what prometheus-query rejected with (a plain object, or an Error of its own) to an outcome. */
function outcomeOfRejection(
  rejection: unknown,
  seen: SeenResponse | undefined,
  timeoutMs: number,
  address: string,
): QueryOutcome {
  const fields = isRecord(rejection) ? rejection : {};
  if (seen && seen.status >= 300 && seen.status < 400) {
    return { kind: QueryOutcomeKind.QueryError, errorType: 'redirect', httpStatus: seen.status, message: `HTTP ${seen.status} from ${address}: redirects are not followed; set the address Prometheus answers on` };
  }
  const errorType = stringField(fields, 'errorType');
  const message = stringField(fields, 'error') ?? (rejection instanceof Error ? rejection.message : String(rejection));
  switch (errorType) {
    case 'timeout_error':
      return { kind: QueryOutcomeKind.Timeout, message: `no answer from ${address} within ${timeoutMs} ms` };
    case 'network_error':
    case 'ssl_error':
      return networkOutcome(stringField(fields, 'code'), message, address);
    case 'http_error':
      return httpErrorOutcome(fields, message);
    case undefined:
    default:
      if (seen && seen.status >= 400) return httpStatusOutcome(seen);
      return unexpectedResponse(message);
  }
}

/** Aborted by the caller: the tick's deadline (a timeout) or shutting down. */
function abortedOutcome(signal: AbortSignal, address: string): QueryOutcome {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'TimeoutError') {
    return { kind: QueryOutcomeKind.Timeout, message: `no answer from ${address} before the tick's deadline` };
  }
  return { kind: QueryOutcomeKind.Unreachable, message: 'query aborted' };
}

function networkOutcome(code: string | undefined, message: string, address: string): QueryOutcome {
  if (code === 'ERR_CANCELED') return { kind: QueryOutcomeKind.Unreachable, message: 'query aborted' };
  if (message.includes('maxContentLength')) {
    return { kind: QueryOutcomeKind.QueryError, errorType: 'response_too_large', message: `the answer from ${address} is larger than ${MAX_RESPONSE_BYTES} bytes: make the query return one series` };
  }
  const detail = [code && !message.includes(code) ? code : '', message].filter(Boolean).join(' ') || 'network error';
  return { kind: QueryOutcomeKind.Unreachable, message: `${address} unreachable: ${detail}` };
}

function httpErrorOutcome(fields: Record<string, unknown>, message: string): QueryOutcome {
  const payload = fields['prometheus'];
  const promType = isRecord(payload) ? stringField(payload, 'errorType') : undefined;
  const httpStatus = typeof fields['httpStatus'] === 'number' ? fields['httpStatus'] : undefined;
  // Prometheus reports its own evaluation timeout as errorType "timeout" (HTTP 503).
  if (promType === 'timeout') return { kind: QueryOutcomeKind.Timeout, message };
  return {
    kind: QueryOutcomeKind.QueryError,
    errorType: promType ?? 'http_error',
    message,
    ...(httpStatus === undefined ? {} : { httpStatus }),
  };
}

/** An HTTP error whose body is not Prometheus JSON, e.g. a 401 from an auth proxy. */
function httpStatusOutcome(seen: SeenResponse): QueryOutcome {
  const body = typeof seen.data === 'string' ? seen.data.trim().slice(0, 200) : '';
  const text = `HTTP ${seen.status}${seen.statusText ? ` ${seen.statusText}` : ''}`;
  return {
    kind: QueryOutcomeKind.QueryError,
    errorType: 'http_error',
    message: body ? `${text}: ${body}` : text,
    httpStatus: seen.status,
  };
}

function stringField(record: Record<string, unknown>, key: string): string | undefined {
  const value = record[key];
  return typeof value === 'string' ? value : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
