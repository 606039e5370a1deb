/** One option as `--help` shows it: a value's placeholder (none for a switch) and what it does. */
export interface OptionHelp {
  readonly value?: string;
  readonly text: string;
}

/** The `--help` text: the usage line, then each option with its default. */
export function usage(command: string, about: string, help: Readonly<Record<string, OptionHelp>>, defaults: Readonly<Record<string, { readonly type: string; readonly default?: unknown }>>): string {
  const rows = Object.entries(help).map(([name, h]) => {
    const fallback = defaults[name]?.default;
    const shown = typeof fallback === 'string' && fallback !== '' ? ` (default ${fallback})` : '';
    return [`--${name}${h.value ? ` ${h.value}` : ''}`, `${h.text}${shown}`] as const;
  });
  const width = Math.max(...rows.map(([flag]) => flag.length));
  return `Usage: ${command} [-- options]\n\n${about}\n\nOptions:\n${rows.map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`).join('\n')}\n  ${'--help'.padEnd(width)}  this text\n`;
}

/**
 * Reads a benchmark's arguments with `parse`. `--help` prints `help` and exits
 * 0; anything `parse` throws is a bad argument (parsing starts nothing): one
 * line naming it, and exit 2, with no stack trace.
 */
export function readArguments<T>(command: string, help: string, parse: (args: string[]) => T): T {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(help);
    process.exit(0);
  }
  try {
    return parse(args);
  } catch (err) {
    process.stderr.write(`${command}: ${err instanceof Error ? err.message : String(err)}\nSee: ${command} -- --help\n`);
    process.exit(2);
  }
}

/** `--name raw` as a whole number of at least `min` (any, without one); what else it is, in one line naming the option. */
export function wholeNumber(name: string, raw: string, min?: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || (min !== undefined && n < min)) throw new Error(`--${name} ${raw}: expected a whole number${min === undefined ? '' : ` ≥ ${min}`}`);
  return n;
}
