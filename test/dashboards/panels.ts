import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DASHBOARDS_DIR = fileURLToPath(new URL('../../dashboards', import.meta.url));

/** One PromQL expression of a dashboard, and where it sits. */
export interface DashboardQuery {
  readonly dashboard: string;
  /** Panel title, "annotation: <name>" or "variable: <name>". */
  readonly where: string;
  readonly expr: string;
}

interface Dashboard {
  readonly title: string;
  readonly panels?: { title: string; targets?: { expr?: string }[] }[];
  readonly annotations?: { list?: { name: string; expr?: string }[] };
  readonly templating?: { list?: { name: string; type: string; query?: { query?: string } | string }[] };
}

/**
 * Every PromQL expression of every dashboard: panel targets, annotations, and
 * the series behind each label_values() variable (Grafana syntax, not PromQL),
 * as `count by (label) (series)`.
 */
export function dashboardQueries(dir = DASHBOARDS_DIR): DashboardQuery[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  return files.flatMap((file) => {
    const d = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Dashboard;
    const panels = (d.panels ?? []).flatMap((p) => (p.targets ?? []).flatMap((t) => (t.expr ? [{ dashboard: d.title, where: p.title, expr: t.expr }] : [])));
    const annotations = (d.annotations?.list ?? []).flatMap((a) => (a.expr ? [{ dashboard: d.title, where: `annotation: ${a.name}`, expr: a.expr }] : []));
    const variables = (d.templating?.list ?? []).flatMap((v) => {
      const query = typeof v.query === 'string' ? v.query : v.query?.query;
      const m = v.type === 'query' && query ? /^label_values\((.+),\s*(\w+)\)$/.exec(query) : null;
      return m ? [{ dashboard: d.title, where: `variable: ${v.name}`, expr: `count by (${m[2] ?? ''}) (${m[1] ?? ''})` }] : [];
    });
    return [...panels, ...annotations, ...variables];
  });
}

/** Grafana's variables, replaced by the values a user would have selected. */
export function substitute(expr: string, values: Readonly<Record<string, string>>): string {
  return expr.replace(/\$(__rate_interval|__interval|__range|[A-Za-z_]\w*)\b/g, (whole, name: string) => values[name] ?? whole);
}
