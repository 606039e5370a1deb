/** One figure of a benchmark, with the issue's target for it when it has one. */
export interface Row {
  readonly figure: string;
  readonly measured: string;
  readonly target?: string;
  /** Whether the measured value meets the target; undefined: no target, or not measurable in this run. */
  readonly pass?: boolean;
}

/** The figures of one scenario and the command that produced them. */
export interface ScenarioReport {
  readonly scenario: string;
  readonly command: string;
  readonly rows: readonly Row[];
}

export type Comparison = '<' | '<=' | '==' | '>=';

/** A row whose pass mark is computed from `value` against `bound`. */
export function targetRow(figure: string, value: number, comparison: Comparison, bound: number, unit: string, measured = `${format(value)}${unit}`): Row {
  const pass = comparison === '<' ? value < bound : comparison === '<=' ? value <= bound : comparison === '==' ? value === bound : value >= bound;
  const symbol = { '<': '<', '<=': '≤', '==': '=', '>=': '≥' }[comparison];
  return { figure, measured, target: `${symbol} ${format(bound)}${unit}`, pass: Number.isFinite(value) ? pass : false };
}

/** A number with as many decimals as its size deserves. */
export function format(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n) || Math.abs(n) >= 100) return n.toFixed(0);
  return Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2);
}

export function mark(row: Row): string {
  if (row.pass === undefined) return '';
  return row.pass ? 'pass' : 'MISS';
}

/**
 * A Markdown table (docs/benchmarks.md's tables are pasted from it): one line
 * per figure, the scenario and its command named on the first line of each.
 */
export function formatTable(reports: readonly ScenarioReport[]): string {
  const header = ['scenario', 'figure', 'measured', 'target', ''];
  const body = reports.flatMap((r) => r.rows.map((row, i) => [i === 0 ? r.scenario : '', row.figure, row.measured, row.target ?? '', mark(row)]));
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((cells) => (cells[c] ?? '').length)));
  const line = (cells: readonly string[]): string => `| ${cells.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join(' | ')} |`;
  const commands = reports.map((r) => `- ${r.scenario}: \`${r.command}\``);
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line), '', ...commands, ''].join('\n');
}

/** "n/m figures meet their target", for the last line of a run. */
export function summary(reports: readonly ScenarioReport[]): string {
  const judged = reports.flatMap((r) => r.rows.filter((row) => row.pass !== undefined).map((row) => ({ ...row, scenario: r.scenario })));
  const missed = judged.filter((row) => !row.pass);
  const names = missed.map((r) => (reports.length > 1 ? `${r.scenario}: ${r.figure}` : r.figure));
  return `${judged.length - missed.length}/${judged.length} figures meet their target${missed.length ? `; MISS: ${names.join('; ')}` : ''}`;
}
