/**
 * A table printed by kubectl (or like it) as records keyed by header, cut at
 * the header's column starts, so a blank cell stays a blank cell.
 */
export function columns(output: string): Record<string, string>[] {
  const [header = '', ...rows] = output.trimEnd().split('\n');
  const starts = [...header.matchAll(/\S+/g)].map((m) => ({ name: m[0], at: m.index }));
  return rows.map((row) =>
    Object.fromEntries(starts.map((col, i) => [col.name, row.slice(col.at, starts[i + 1]?.at ?? row.length).trim()])),
  );
}
