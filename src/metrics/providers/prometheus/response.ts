import { QueryOutcomeKind, type QueryFailure, type QueryOutcome, type RangeOutcome, type RangeSeries } from '../../provider.js';
import { isRecord } from '../../../json.js';

/** An HTTP answer from Prometheus (or whatever answers at its address); `data` is the body, parsed when it was JSON. */
export interface PrometheusAnswer {
  readonly status: number;
  readonly statusText: string;
  readonly data: unknown;
}

/**
 * Judges an answer from the response itself rather than from what
 * prometheus-query made of it: the driver reads "+Inf" as NaN and drops the
 * status and body of an answer that is not Prometheus JSON (a 401 from an
 * auth proxy, a redirect). `address` is the one messages show; `parse` reads
 * the `data` of a successful answer (an instant or a range query's).
 */
export function judgeAnswer<T>(answer: PrometheusAnswer, address: string, parse: (data: unknown) => T | QueryFailure): T | QueryFailure {
  const { status, data } = answer;
  if (status >= 300 && status < 400) {
    return { kind: QueryOutcomeKind.QueryError, errorType: 'redirect', httpStatus: status, message: `HTTP ${status} from ${address}: redirects are not followed; set the address Prometheus answers on` };
  }
  if (status >= 400) return isRecord(data) && data['status'] === 'error' ? prometheusError(data, status) : httpStatusOutcome(answer);
  if (!isRecord(data)) return unexpectedResponse(data ? 'the answer is not JSON' : 'no response body');
  if (data['status'] === 'error') return prometheusError(data, status);
  return parse(data['data']);
}

/** Prometheus' own error answer ({"status":"error","errorType":…,"error":…}). */
function prometheusError(json: Record<string, unknown>, httpStatus: number): QueryFailure {
  const errorType = stringField(json, 'errorType') ?? 'http_error';
  const message = stringField(json, 'error') ?? `HTTP ${httpStatus}`;
  // Prometheus reports its own evaluation timeout as errorType "timeout" (HTTP 503).
  if (errorType === 'timeout') return { kind: QueryOutcomeKind.Timeout, message };
  return { kind: QueryOutcomeKind.QueryError, errorType, message, httpStatus };
}

/** An HTTP error whose body is not Prometheus JSON, e.g. a 401 from an auth proxy. */
function httpStatusOutcome(answer: PrometheusAnswer): QueryFailure {
  const body = typeof answer.data === 'string' ? answer.data.trim().slice(0, 200) : '';
  const text = `HTTP ${answer.status}${answer.statusText ? ` ${answer.statusText}` : ''}`;
  return {
    kind: QueryOutcomeKind.QueryError,
    errorType: 'http_error',
    message: body ? `${text}: ${body}` : text,
    httpStatus: answer.status,
  };
}

/** How many series' labels a multiple-series outcome keeps for its message. */
const MAX_SERIES_SHOWN = 3;

/**
 * Parses the `data` member of a successful /api/v1/query response
 * ({ resultType, result }) from the raw JSON, where sample values are still
 * Prometheus' strings ("+Inf", "NaN", "0.25").
 */
export function parseQueryData(data: unknown): QueryOutcome {
  if (!isRecord(data)) return unexpectedResponse('response has no data');
  const resultType = data['resultType'];
  const result = data['result'];
  switch (resultType) {
    case 'scalar':
      return sampleOutcome(Array.isArray(result) ? result[1] : undefined);
    case 'vector':
      return Array.isArray(result) ? vectorOutcome(result) : unexpectedResponse('vector result is not a list');
    case 'matrix':
      return unexpectedResponse('the query returns a range vector; use an expression that returns one instant value');
    case 'string':
      return unexpectedResponse('the query returns a string, not a number');
    default:
      return unexpectedResponse(`unknown resultType ${JSON.stringify(resultType)}`);
  }
}

/**
 * Parses the `data` of a successful /api/v1/query_range response: a matrix
 * of series, each sample value still Prometheus' string. A sample that is
 * not a number fails the whole answer; NaN and ±Inf are kept for the caller
 * to judge.
 */
export function parseRangeData(data: unknown): RangeOutcome {
  if (!isRecord(data)) return unexpectedResponse('response has no data');
  const result = data['result'];
  if (data['resultType'] !== 'matrix' || !Array.isArray(result)) return unexpectedResponse(`expected a matrix from a range query, got ${JSON.stringify(data['resultType'])}`);
  const series: RangeSeries[] = [];
  for (const entry of result) {
    if (!isRecord(entry) || !Array.isArray(entry['values'])) return unexpectedResponse('matrix series without values (a native histogram? use its _bucket series)');
    const points: (readonly [number, number])[] = [];
    for (const sample of entry['values'] as unknown[]) {
      const [time, raw] = Array.isArray(sample) ? (sample as unknown[]) : [];
      const value = parseSampleValue(raw);
      if (typeof time !== 'number' || value === undefined) return unexpectedResponse(`range sample ${JSON.stringify(sample)} is not [time, value]`);
      points.push([time, value]);
    }
    series.push({ labels: labelsOf(entry['metric']), points });
  }
  return { kind: 'series', series };
}

function vectorOutcome(result: readonly unknown[]): QueryOutcome {
  const [first] = result;
  if (first === undefined) return { kind: QueryOutcomeKind.NoData };
  if (result.length > 1) {
    return {
      kind: QueryOutcomeKind.MultipleSeries,
      count: result.length,
      series: result.slice(0, MAX_SERIES_SHOWN).map((s) => labelsOf(isRecord(s) ? s['metric'] : undefined)),
    };
  }
  if (!isRecord(first)) return unexpectedResponse('vector sample is not an object');
  if (first['histogram'] !== undefined) {
    return unexpectedResponse('the query returns a native histogram; wrap it in histogram_quantile() or histogram_sum()');
  }
  const value = first['value'];
  return sampleOutcome(Array.isArray(value) ? value[1] : undefined);
}

function sampleOutcome(raw: unknown): QueryOutcome {
  const value = parseSampleValue(raw);
  if (value === undefined) return unexpectedResponse(`sample value ${JSON.stringify(raw)} is not a number`);
  if (!Number.isFinite(value)) return { kind: QueryOutcomeKind.NotFinite, value };
  return { kind: QueryOutcomeKind.Value, value };
}

/** Reads a sample value as Prometheus spells it: "+Inf", "-Inf", "NaN" or a decimal. */
export function parseSampleValue(raw: unknown): number | undefined {
  if (typeof raw !== 'string' || raw.trim() === '') return undefined;
  switch (raw) {
    case '+Inf':
    case 'Inf':
      return Infinity;
    case '-Inf':
      return -Infinity;
    case 'NaN':
      return NaN;
    default: {
      const value = Number(raw);
      return Number.isNaN(value) ? undefined : value;
    }
  }
}

export function unexpectedResponse(message: string): QueryFailure {
  return { kind: QueryOutcomeKind.QueryError, errorType: 'unexpected_response', message };
}

function labelsOf(metric: unknown): Record<string, string> {
  if (!isRecord(metric)) return {};
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(metric)) if (typeof value === 'string') labels[key] = value;
  return labels;
}

function stringField(record: Record<string, unknown>, key: string): string | undefined {
  const value = record[key];
  return typeof value === 'string' ? value : undefined;
}

