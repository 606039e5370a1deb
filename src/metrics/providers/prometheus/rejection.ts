import { QueryOutcomeKind, type QueryFailure } from '../../provider.js';
import { isRecord } from '../../../json.js';
import { OUTBOUND_REFUSED } from '../../../http/outbound-policy.js';

/**
 * What prometheus-query rejects with, typed. The driver throws plain objects
 * ({ status: 'error', errorType, error, … }), not Errors; anything else (an
 * Error from its result parsing, a string) is `other`.
 */
export type DriverRejection =
  | { readonly errorType: 'timeout_error' | 'ssl_error' | 'network_error'; readonly message: string; readonly code?: string }
  | { readonly errorType: 'http_error'; readonly message: string; readonly httpStatus?: number; readonly prometheusErrorType?: string }
  | { readonly errorType: 'client_error'; readonly message: string }
  | { readonly errorType: 'other'; readonly message: string };

export function readRejection(rejection: unknown): DriverRejection {
  if (!isRecord(rejection) || rejection instanceof Error) {
    return { errorType: 'other', message: rejection instanceof Error ? rejection.message : String(rejection) };
  }
  const message = stringField(rejection, 'error') ?? 'no message';
  const errorType = rejection['errorType'];
  switch (errorType) {
    case 'timeout_error':
    case 'ssl_error':
    case 'network_error': {
      const code = stringField(rejection, 'code');
      return { errorType, message, ...(code === undefined ? {} : { code }) };
    }
    case 'http_error': {
      const httpStatus = rejection['httpStatus'];
      const payload = rejection['prometheus'];
      const prometheusErrorType = isRecord(payload) ? stringField(payload, 'errorType') : undefined;
      return {
        errorType,
        message,
        ...(typeof httpStatus === 'number' ? { httpStatus } : {}),
        ...(prometheusErrorType === undefined ? {} : { prometheusErrorType }),
      };
    }
    case 'client_error':
      return { errorType, message };
    default:
      return { errorType: 'other', message };
  }
}

export interface RejectionContext {
  /** The address as messages show it. */
  readonly address: string;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
}

/**
 * The outcome of a query that got no answer flowshift could judge (an answer
 * is judged from the HTTP response itself, see judgeAnswer).
 */
export function rejectionOutcome(rejection: DriverRejection, context: RejectionContext): QueryFailure {
  const { address } = context;
  switch (rejection.errorType) {
    case 'timeout_error':
      return { kind: QueryOutcomeKind.Timeout, message: `no answer from ${address} within ${context.timeoutMs} ms` };
    case 'ssl_error':
    case 'network_error':
      return networkOutcome(rejection, context);
    case 'http_error':
      // Prometheus reports its own evaluation timeout as errorType "timeout" (HTTP 503).
      if (rejection.prometheusErrorType === 'timeout') return { kind: QueryOutcomeKind.Timeout, message: rejection.message };
      return {
        kind: QueryOutcomeKind.QueryError,
        errorType: rejection.prometheusErrorType ?? 'http_error',
        message: rejection.message,
        ...(rejection.httpStatus === undefined ? {} : { httpStatus: rejection.httpStatus }),
      };
    case 'client_error':
    case 'other':
      return { kind: QueryOutcomeKind.QueryError, errorType: 'unexpected_response', message: rejection.message };
    default:
      return unreachableCase(rejection);
  }
}

/** OpenSSL's certificate verification failures, as Node names them (they do not start with ERR_SSL). */
const UNTRUSTED_CERTIFICATE = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
]);

function networkOutcome(rejection: { readonly message: string; readonly code?: string }, context: RejectionContext): QueryFailure {
  const { code, message } = rejection;
  if (message.startsWith('maxContentLength')) {
    return { kind: QueryOutcomeKind.QueryError, errorType: 'response_too_large', message: `the answer from ${context.address} is larger than ${context.maxResponseBytes} bytes: make the query return one series` };
  }
  if (code === 'ERR_CANCELED') return { kind: QueryOutcomeKind.Unreachable, message: 'query aborted' };
  if (code === OUTBOUND_REFUSED) return { kind: QueryOutcomeKind.Unreachable, message: `${context.address}: ${message}` };
  const detail = [code && !message.includes(code) ? code : '', message].filter(Boolean).join(' ') || 'network error';
  if (code && UNTRUSTED_CERTIFICATE.has(code)) {
    return { kind: QueryOutcomeKind.Unreachable, message: `${context.address} unreachable: TLS: ${detail}: its certificate is not trusted (a private CA goes in the secretRef Secret as ca.crt)` };
  }
  if (code === 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED') {
    return { kind: QueryOutcomeKind.Unreachable, message: `${context.address} unreachable: TLS: ${code}: it asks for a client certificate (tls.crt and tls.key in the secretRef Secret)` };
  }
  // OpenSSL's own text for these is a source location; the code says it.
  if (code?.startsWith('ERR_SSL_')) return { kind: QueryOutcomeKind.Unreachable, message: `${context.address} unreachable: TLS: ${code}` };
  if (code && /^ERR_(TLS|OSSL)_/.test(code)) {
    return { kind: QueryOutcomeKind.Unreachable, message: `${context.address} unreachable: TLS: ${detail}` };
  }
  return { kind: QueryOutcomeKind.Unreachable, message: `${context.address} unreachable: ${detail}` };
}

function unreachableCase(value: never): never {
  throw new Error(`unhandled rejection ${JSON.stringify(value)}`);
}

function stringField(record: Record<string, unknown>, key: string): string | undefined {
  const value = record[key];
  return typeof value === 'string' ? value : undefined;
}

