import { AsyncLocalStorage } from 'node:async_hooks';
import { PrometheusDriver, type PrometheusConnectionOptions } from 'prometheus-query';
import { redactUrl } from '../../../redact.js';
import { agentsFor, type PrometheusAgents, type PrometheusTls } from './agents.js';
import type { OutboundPolicy } from '../../../http/outbound-policy.js';
import { readRejection, rejectionOutcome } from './rejection.js';
import { judgeAnswer, parseQueryData, parseRangeData, unexpectedResponse, type PrometheusAnswer } from './response.js';
import { QueryOutcomeKind, type MetricsProvider, type QueryFailure, type QueryOutcome, type RangeOutcome, type RangeWindow } from '../../provider.js';
import { isRecord } from '../../../json.js';

export type { PrometheusTls } from './agents.js';

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
  /** CA, client certificate and insecureSkipVerify for an https address. */
  readonly tls?: PrometheusTls;
  /** Gives up on a query after this long; default 10 s. */
  readonly timeoutMs?: number;
  /** Set for a MetricTemplate's own address: every connection passes this policy. */
  readonly outbound?: OutboundPolicy;
  /** The largest answer read; MAX_RESPONSE_BYTES unless set (a backtest reads a week of points per series). */
  readonly maxResponseBytes?: number;
}

export const DEFAULT_QUERY_TIMEOUT_MS = 10_000;
/**
 * An answer larger than this is cut off and fails the check: a query
 * flowshift can judge returns one series, a few hundred bytes.
 */
export const MAX_RESPONSE_BYTES = 1024 * 1024;

/**
 * A kept-alive connection the server closed just as a query reused it fails
 * with a reset before any answer (a proxy in front of Prometheus may close
 * idle connections after a few seconds). A query only reads, so it is sent
 * again, within the same deadline, on another connection: as Go's HTTP
 * client retries a request that failed on a reused connection. Twice, since
 * the next kept-alive connection may have been closed as well.
 */
const RESET_RETRIES = 2;

function isReset(rejection: unknown): boolean {
  if (rejection === undefined) return false;
  const read = readRejection(rejection);
  return read.errorType === 'network_error' && (read.code === 'ECONNRESET' || read.code === 'EPIPE');
}

type Interceptors = Required<Pick<PrometheusConnectionOptions, 'requestInterceptor' | 'responseInterceptor'>>;

/** One instantQuery call: what its request needs and what its response was. */
interface Call {
  readonly signal: AbortSignal;
  answer?: PrometheusAnswer;
}

/**
 * The driver takes no per-request options, and its interceptors run on later
 * promise turns, when another query of the same tick may have started; the
 * call's signal reaches them, and its answer comes back, through the async
 * context of the call instead, so one driver serves every query of a provider.
 */
const currentCall = new AsyncLocalStorage<Call>();

/**
 * Prometheus' HTTP API through prometheus-query: every answer, failure and
 * refusal becomes a QueryOutcome here, never an exception. The driver rejects
 * with plain objects and reads "+Inf" as NaN, so answers are judged from the
 * raw response an interceptor keeps.
 */
export class PrometheusProvider implements MetricsProvider {
  readonly address: string;
  /** The address as messages show it: without credentials. */
  private readonly shown: string;
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;
  /** Undefined when the address is not a URL: the driver would fail every query anyway. */
  private readonly driver: PrometheusDriver | undefined;

  constructor(options: PrometheusProviderOptions) {
    this.address = options.address.replace(/\/+$/, '');
    this.shown = redactUrl(this.address);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
    this.maxResponseBytes = options.maxResponseBytes ?? MAX_RESPONSE_BYTES;
    this.driver = URL.canParse(this.address) ? new PrometheusDriver(connection(this.address, options, this.timeoutMs, this.maxResponseBytes)) : undefined;
  }

  /**
   * One query, bounded: no redirect is followed (it could carry credentials
   * elsewhere), at most MAX_RESPONSE_BYTES are read, and it ends at the
   * query timeout or when `signal` aborts (the tick's deadline), whichever
   * comes first.
   */
  instantQuery(query: string, signal?: AbortSignal): Promise<QueryOutcome> {
    // Prometheus' own evaluation timeout, so a heavy query stops there too.
    return this.exchange((driver) => driver.instantQuery(query, undefined, this.evaluationTimeout()), parseQueryData, signal);
  }

  /** A range query, bounded like an instant one. */
  rangeQuery(query: string, window: RangeWindow, signal?: AbortSignal): Promise<RangeOutcome> {
    return this.exchange(
      (driver) => driver.rangeQuery(query, window.start, window.end, window.stepSeconds, this.evaluationTimeout()),
      parseRangeData,
      signal,
    );
  }

  private async exchange<T>(send: (driver: PrometheusDriver) => Promise<unknown>, parse: (data: unknown) => T | QueryFailure, signal?: AbortSignal): Promise<T | QueryFailure> {
    if (signal?.aborted) return abortedOutcome(signal, this.shown);
    if (!this.driver) return { kind: QueryOutcomeKind.Unreachable, message: `${this.shown} is not a URL` };
    const driver = this.driver;
    // axios' own timeout restarts with every byte received; this one bounds the whole exchange.
    const deadline = new AbortController();
    const timer = setTimeout(() => {
      deadline.abort();
    }, this.timeoutMs);
    const call: Call = { signal: signal ? AbortSignal.any([signal, deadline.signal]) : deadline.signal };
    let rejection: unknown;
    try {
      for (let attempt = 0; attempt <= RESET_RETRIES; attempt++) {
        rejection = undefined;
        try {
          await currentCall.run(call, () => send(driver));
        } catch (err: unknown) {
          rejection = err;
        }
        if (call.answer || call.signal.aborted || !isReset(rejection)) break;
      }
    } finally {
      clearTimeout(timer);
    }
    if (call.answer) return judgeAnswer(call.answer, this.shown, parse);
    if (signal?.aborted) return abortedOutcome(signal, this.shown);
    if (deadline.signal.aborted) return { kind: QueryOutcomeKind.Timeout, message: `no answer from ${this.shown} within ${this.timeoutMs} ms` };
    if (rejection === undefined) return unexpectedResponse('no response body');
    return rejectionOutcome(readRejection(rejection), { address: this.shown, timeoutMs: this.timeoutMs, maxResponseBytes: this.maxResponseBytes });
  }

  private evaluationTimeout(): string {
    return `${Math.max(1, Math.ceil(this.timeoutMs / 1000))}s`;
  }
}

function connection(address: string, options: PrometheusProviderOptions, timeoutMs: number, maxResponseBytes: number): PrometheusConnectionOptions {
  return {
    endpoint: endpointOf(address, options.auth),
    baseURL: '/api/v1/',
    headers: { ...options.headers, ...authorization(options.auth) },
    timeout: timeoutMs,
    ...interceptors(agentsFor(options.tls, options.outbound), maxResponseBytes),
  };
}

/**
 * axios sends an address's own user:password as basic auth in place of any
 * Authorization header; a secretRef's credentials are meant to win.
 */
function endpointOf(address: string, auth: PrometheusAuth | undefined): string {
  if (!auth) return address;
  const url = new URL(address);
  if (!url.username && !url.password) return address;
  url.username = '';
  url.password = '';
  return url.href.replace(/\/+$/, '');
}

function authorization(auth: PrometheusAuth | undefined): Record<string, string> {
  if (auth?.kind === 'bearer') return { Authorization: `Bearer ${auth.token}` };
  if (auth?.kind === 'basic') return { Authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` };
  return {};
}

function interceptors(agents: PrometheusAgents, maxResponseBytes: number): Interceptors {
  const remember = (response: unknown): void => {
    const call = currentCall.getStore();
    if (!call || !isRecord(response)) return;
    const status = typeof response['status'] === 'number' ? response['status'] : 0;
    const statusText = typeof response['statusText'] === 'string' ? response['statusText'] : '';
    call.answer = { status, statusText, data: response['data'] };
  };
  return {
    requestInterceptor: {
      onFulfilled: (config) => {
        const call = currentCall.getStore();
        if (call) config.signal = call.signal;
        config.maxRedirects = 0;
        config.maxContentLength = maxResponseBytes;
        // An HTTP(S)_PROXY in the controller's environment is not a way to Prometheus.
        config.proxy = false;
        config.httpAgent = agents.http;
        config.httpsAgent = agents.https;
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

/** Aborted by the caller: the tick's deadline (a timeout) or shutting down. */
function abortedOutcome(signal: AbortSignal, address: string): QueryFailure {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'TimeoutError') {
    return { kind: QueryOutcomeKind.Timeout, message: `no answer from ${address} before the tick's deadline` };
  }
  return { kind: QueryOutcomeKind.Unreachable, message: 'query aborted' };
}

