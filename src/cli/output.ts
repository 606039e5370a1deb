import { stringify } from 'yaml';

/** The machine-readable formats of `-o`, as kubectl names them (commander refuses any other by name). */
export const OutputFormat = { Json: 'json', Yaml: 'yaml' } as const;
export type OutputFormat = (typeof OutputFormat)[keyof typeof OutputFormat];

/** One document in `format`, ending in a newline: indented JSON as kubectl prints it, or YAML. */
export function render(value: unknown, format: OutputFormat): string {
  switch (format) {
    case OutputFormat.Json:
      return `${JSON.stringify(value, null, 4)}\n`;
    case OutputFormat.Yaml:
      return stringify(value, { lineWidth: 0 });
  }
}

/**
 * Several documents in a stream (status -w): JSON documents follow each
 * other as kubectl's watch prints them (jq reads the stream); YAML documents
 * are separated by `---`.
 */
export function renderNext(value: unknown, format: OutputFormat, first: boolean): string {
  return format === OutputFormat.Yaml && !first ? `---\n${render(value, format)}` : render(value, format);
}
