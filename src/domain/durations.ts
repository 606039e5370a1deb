const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** Parses a Go-style duration such as "1m", "30s", "1m30s" or "250ms" into milliseconds. */
export function parseDuration(text: string): number | undefined {
  const parts = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/.test(text) ? text.match(/\d+(?:\.\d+)?(?:ms|s|m|h)/g) : null;
  if (!parts) return undefined;
  let total = 0;
  for (const part of parts) {
    const unit = /ms|s|m|h$/.exec(part)?.[0] as keyof typeof UNIT_MS;
    total += Number(part.slice(0, part.length - unit.length)) * UNIT_MS[unit];
  }
  return total;
}

/** Formats milliseconds the way users write intervals: "1m", "90s", "250ms". */
export function formatDuration(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
