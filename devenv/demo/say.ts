/**
 * The demo's narration: every line starts with the seconds since the demo
 * began, so a reader of a transcript sees how long each part took.
 */
const t0 = Date.now();

function stamp(): string {
  return `[${((Date.now() - t0) / 1000).toFixed(0).padStart(4)}s]`;
}

/** A line of narration. */
export function say(text: string): void {
  process.stdout.write(`${stamp()} ${text}\n`);
}

/** The heading of a part of the walk-through. */
export function heading(text: string): void {
  process.stdout.write(`\n${stamp()} ==== ${text} ====\n`);
}

/** Lines printed as they are, indented under the narration (the plugin's view). */
export function block(lines: readonly string[], prefix = '  │ '): void {
  process.stdout.write(`${lines.map((l) => `${prefix}${l}`).join('\n')}\n`);
}
