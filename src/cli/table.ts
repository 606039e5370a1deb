/** Column gap of kubectl's table printer (a tabwriter with padding 3). */
const GAP = '   ';

/** Rows as left-aligned columns, the way kubectl prints tables; trailing blanks trimmed. */
export function formatTable(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join(GAP)
      .trimEnd(),
  );
}
