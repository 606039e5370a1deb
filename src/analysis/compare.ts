import type { MetricComparison } from '../api/types.gen.js';
import { formatNumber, formatPercent, withUnit } from './format.js';

/** A relative gate's bound: a share of the primary's value, or an amount in the metric's unit. */
export type CompareBound =
  | { readonly kind: 'percent'; readonly amount: number }
  | { readonly kind: 'absolute'; readonly amount: number };

export type ParsedBound = { readonly ok: true; readonly bound: CompareBound } | { readonly ok: false; readonly message: string };

const PERCENT = /^(\d+(?:\.\d+)?|\.\d+)\s*%$/;

/** Reads `maxIncrease` / `maxDecrease`: "20%" (of the primary's value), or 0.5 / "0.5" (absolute). */
export function parseCompareBound(raw: number | string): ParsedBound {
  if (typeof raw === 'number') return absolute(raw, String(raw));
  const text = raw.trim();
  const percent = PERCENT.exec(text);
  if (percent) return { ok: true, bound: { kind: 'percent', amount: Number(percent[1]) } };
  if (text === '') return { ok: false, message: 'is empty; use a percentage like "20%" or an amount like 0.5' };
  return absolute(Number(text), JSON.stringify(raw));
}

function absolute(amount: number, shown: string): ParsedBound {
  if (!Number.isFinite(amount)) {
    return { ok: false, message: `${shown} is not a number; use a percentage like "20%" or an amount like 0.5` };
  }
  if (amount < 0) return { ok: false, message: `${shown} is negative; the direction is in the field name` };
  return { ok: true, bound: { kind: 'absolute', amount } };
}

export interface ComparisonVerdict {
  readonly passed: boolean;
  readonly message: string;
}

/** The bounds of a comparison, already parsed. */
export interface ComparisonBounds {
  readonly maxIncrease?: CompareBound;
  readonly maxDecrease?: CompareBound;
}

/** Parses both bounds of a comparison; the first invalid one is returned as an error naming its field. */
export function parseComparison(compare: MetricComparison): { ok: true; bounds: ComparisonBounds } | { ok: false; message: string } {
  const bounds: { maxIncrease?: CompareBound; maxDecrease?: CompareBound } = {};
  for (const field of ['maxIncrease', 'maxDecrease'] as const) {
    const raw = compare[field];
    if (raw === undefined) continue;
    const parsed = parseCompareBound(raw);
    if (!parsed.ok) return { ok: false, message: `compare.${field} ${parsed.message}` };
    bounds[field] = parsed.bound;
  }
  return { ok: true, bounds };
}

/**
 * Judges the canary against the primary. Only the bound in the direction the
 * canary moved applies: a canary faster than its primary never fails a
 * maxIncrease latency gate.
 */
export function compareWithPrimary(
  name: string,
  canary: number,
  primary: number,
  bounds: ComparisonBounds,
  unit: string,
): ComparisonVerdict {
  const delta = canary - primary;
  const direction = delta > 0 ? 'above' : delta < 0 ? 'below' : 'equal';
  const bound = direction === 'below' ? bounds.maxDecrease : bounds.maxIncrease;
  const shownBound = bound ?? bounds.maxIncrease ?? bounds.maxDecrease;
  const boundText = describeBounds(bounds, unit);
  const subject = `${name} ${withUnit(canary, unit)}`;
  const base = `primary ${withUnit(primary, unit)}`;
  const suffix = boundText ? ` (${boundText})` : '';
  if (direction === 'equal') return { passed: true, message: `${subject} equals ${base}${suffix}` };
  const change = describeChange(Math.abs(delta), primary, shownBound, unit);
  const passed = bound === undefined || Math.abs(delta) <= allowed(bound, primary);
  return { passed, message: `${subject} is ${change} ${direction} ${base}${suffix}` };
}

/** The largest change a bound allows, in the metric's unit. */
function allowed(bound: CompareBound, primary: number): number {
  const amount = bound.kind === 'percent' ? (Math.abs(primary) * bound.amount) / 100 : bound.amount;
  // Tolerate floating-point noise: 120 vs 100 at "20%" is on the bound, not over it.
  return amount + 1e-9 * Math.max(1, Math.abs(primary));
}

function describeChange(change: number, primary: number, bound: CompareBound | undefined, unit: string): string {
  if (bound?.kind === 'absolute' || primary === 0) return withUnit(change, unit);
  return `${formatPercent((change / Math.abs(primary)) * 100)}%`;
}

function describeBounds(bounds: ComparisonBounds, unit: string): string {
  const parts: string[] = [];
  if (bounds.maxIncrease) parts.push(`max +${describeBound(bounds.maxIncrease, unit)}`);
  if (bounds.maxDecrease) parts.push(`max -${describeBound(bounds.maxDecrease, unit)}`);
  return parts.join(', ');
}

function describeBound(bound: CompareBound, unit: string): string {
  return bound.kind === 'percent' ? `${formatNumber(bound.amount)}%` : withUnit(bound.amount, unit);
}
