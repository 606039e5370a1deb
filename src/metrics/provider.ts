/** What an instant query can come back with. Every way a query ends is a value of this union. */
export const QueryOutcomeKind = {
  /** Exactly one finite number. */
  Value: 'value',
  /** An empty result: no series matched. */
  NoData: 'no-data',
  /** One sample, but NaN, +Inf or -Inf. */
  NotFinite: 'not-finite',
  /** More than one series: the query does not reduce to one number. */
  MultipleSeries: 'multiple-series',
  /** Prometheus answered with an error (bad_data, execution, HTTP 401 …). */
  QueryError: 'query-error',
  /** Prometheus could not be reached (refused, DNS, TLS, aborted). */
  Unreachable: 'unreachable',
  /** No answer within the provider's timeout, or Prometheus' own evaluation timeout. */
  Timeout: 'timeout',
} as const;
export type QueryOutcomeKind = (typeof QueryOutcomeKind)[keyof typeof QueryOutcomeKind];

export interface ValueOutcome {
  readonly kind: typeof QueryOutcomeKind.Value;
  readonly value: number;
}

export interface NoDataOutcome {
  readonly kind: typeof QueryOutcomeKind.NoData;
}

export interface NotFiniteOutcome {
  readonly kind: typeof QueryOutcomeKind.NotFinite;
  /** NaN, Infinity or -Infinity. */
  readonly value: number;
}

export interface MultipleSeriesOutcome {
  readonly kind: typeof QueryOutcomeKind.MultipleSeries;
  readonly count: number;
  /** The label sets of the first few series, to name them in a message. */
  readonly series: readonly Readonly<Record<string, string>>[];
}

export interface QueryErrorOutcome {
  readonly kind: typeof QueryOutcomeKind.QueryError;
  /** Prometheus' errorType (bad_data, execution …), or http_error / unexpected_result. */
  readonly errorType: string;
  readonly message: string;
  readonly httpStatus?: number;
}

export interface UnreachableOutcome {
  readonly kind: typeof QueryOutcomeKind.Unreachable;
  readonly message: string;
}

export interface TimeoutOutcome {
  readonly kind: typeof QueryOutcomeKind.Timeout;
  readonly message: string;
}

export type QueryOutcome =
  | ValueOutcome
  | NoDataOutcome
  | NotFiniteOutcome
  | MultipleSeriesOutcome
  | QueryErrorOutcome
  | UnreachableOutcome
  | TimeoutOutcome;

/** Every way a query can end without an answer to judge. */
export type QueryFailure = QueryErrorOutcome | UnreachableOutcome | TimeoutOutcome;

/** One series of a range query: its labels and its samples, [unix seconds, value], oldest first. */
export interface RangeSeries {
  readonly labels: Readonly<Record<string, string>>;
  readonly points: readonly (readonly [number, number])[];
}

/** What a range query can come back with: its series (none when nothing matched), or a failure. */
export type RangeOutcome = { readonly kind: 'series'; readonly series: readonly RangeSeries[] } | QueryFailure;

/** The evaluation times of a range query: start, start + step, … up to end. */
export interface RangeWindow {
  readonly start: Date;
  readonly end: Date;
  readonly stepSeconds: number;
}

/** A metrics backend. Never throws: every failure is an outcome. */
export interface MetricsProvider {
  instantQuery(query: string, signal?: AbortSignal): Promise<QueryOutcome>;
  /** Evaluates a query at every step of a window (the sequential judge reads a release's intervals in one call). */
  rangeQuery(query: string, window: RangeWindow, signal?: AbortSignal): Promise<RangeOutcome>;
}

/** Spells a sample value the way Prometheus does (NaN, +Inf, -Inf). */
export function formatSampleValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}
