/**
 * Whether two values would serialise to the same JSON, whatever the order of
 * their keys (a key whose value is undefined counts as absent, a Date as its
 * ISO text). The cheap way to compare desired with observed before a write:
 * it stops at the first difference and builds no strings.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Date || b instanceof Date) return dateText(a) === dateText(b);
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return normal(a) === normal(b);
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && sameArrays(a, b);
  return sameRecords(a as Record<string, unknown>, b as Record<string, unknown>);
}

function sameArrays(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  // JSON writes an undefined element as null.
  return a.every((x, i) => sameJson(x ?? null, b[i] ?? null));
}

function sameRecords(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  let defined = 0;
  for (const key of Object.keys(a)) {
    if (a[key] === undefined) continue;
    defined++;
    if (!sameJson(a[key], b[key])) return false;
  }
  return defined === Object.keys(b).filter((key) => b[key] !== undefined).length;
}

function dateText(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : value;
}

/** Undefined outside an object or array serialises as nothing; compared like null, as stableJson did. */
function normal(value: unknown): unknown {
  return value === undefined ? null : value;
}
