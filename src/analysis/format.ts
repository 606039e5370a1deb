import { formatSampleValue } from '../metrics/provider.js';

/** A metric value for a message: two decimals at most, three significant digits below 1. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return formatSampleValue(value);
  if (value === 0) return '0';
  if (Math.abs(value) >= 1) return String(Number(value.toFixed(2)));
  return String(Number(value.toPrecision(3)));
}

/** A relative change in percent: whole numbers from 10%, one decimal below. */
export function formatPercent(percent: number): string {
  return percent >= 10 ? String(Math.round(percent)) : String(Number(percent.toFixed(1)));
}

/** A value with its unit: "312 ms", or "91.2" when the metric has none. */
export function withUnit(value: number, unit: string): string {
  return unit ? `${formatNumber(value)} ${unit}` : formatNumber(value);
}
