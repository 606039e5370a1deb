/** The eight heights of a sparkline, lowest first. */
const BARS = '▁▂▃▄▅▆▇█';

/** A measurement without a value (the query had no answer). A space would vanish at the end of a line. */
export const NO_VALUE = '·';

/** Equal values have no scale; mid height, so a steady metric does not read as one at its minimum. */
const FLAT = '▄';

/**
 * One character per value, its height scaled between the smallest and the
 * largest value given, so a short history reads at a glance. A missing value
 * is NO_VALUE; so is a non-finite one (JSON cannot carry them, but a NaN must
 * not turn every bar into a gap).
 */
export function sparkline(values: readonly (number | undefined)[]): string {
  const finite = values.filter(isFiniteNumber);
  const min = Math.min(...finite);
  const span = Math.max(...finite) - min;
  const bar = (value: number | undefined): string => {
    if (!isFiniteNumber(value)) return NO_VALUE;
    if (span === 0) return FLAT;
    return BARS.charAt(Math.round(((value - min) / span) * (BARS.length - 1)));
  };
  return values.map(bar).join('');
}

function isFiniteNumber(value: number | undefined): value is number {
  return value !== undefined && Number.isFinite(value);
}
