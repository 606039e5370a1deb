import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueryOutcome } from '../../src/metrics/provider.js';
import { PrometheusProvider } from '../../src/metrics/providers/prometheus/provider.js';
import { renderQuery } from '../../src/metrics/render.js';
import { addScrapeTarget, env, removeScrapeTarget } from '../support/env/context.js';
import { pollQuery } from '../devenv/sim/prometheus-poll.js';

/** One series per workload, each with its own value; the hostile names are real label values too. */
const WORKLOADS = ['podinfo', 'other-team', '.*', 'a|b', 'x"} or vector(1) or {a="', 'back\\slash', 'new\nline'];

/** Names that would select other workloads' series if pasted raw; none of them is a workload. */
const NO_SUCH_WORKLOAD = ['podinfo|other-team', '.+', 'other.*', '(?i)PODINFO', 'podinfo"} or {workload="other-team'];

const run = randomBytes(4).toString('hex');
const scrapeName = `render-escaping-${run}`;

/** The text exposition format's escapes for a label value. */
function labelValue(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
}

function exposition(): string {
  const lines = WORKLOADS.map((workload, index) => `flowshift_escape_probe{run="${run}",workload="${labelValue(workload)}"} ${index + 1}`);
  return `# TYPE flowshift_escape_probe gauge\n${lines.join('\n')}\n`;
}

let server: Server;
const provider = (): PrometheusProvider => new PrometheusProvider({ address: env().prometheusUrl });

function query(op: '=' | '=~', target: string): string {
  const rendered = renderQuery(`flowshift_escape_probe{run="${run}",workload${op}"{{ target }}"}`, {
    namespace: 'shop',
    target,
    service: target,
    interval: '1m',
  });
  if (!rendered.ok) throw new Error(rendered.error.message);
  return rendered.query;
}

beforeAll(async () => {
  server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(exposition());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  addScrapeTarget(env().prometheusTargetsDir, scrapeName, `127.0.0.1:${port}`);
  const scraped = (outcome: QueryOutcome): boolean => outcome.kind === 'value' && outcome.value === WORKLOADS.length;
  await pollQuery(env().prometheusUrl, `count(flowshift_escape_probe{run="${run}"})`, scraped);
});

afterAll(async () => {
  removeScrapeTarget(env().prometheusTargetsDir, scrapeName);
  await new Promise((resolve) => server.close(resolve));
});

describe('rendered queries against the real Prometheus', () => {
  it.each(WORKLOADS.map((workload, index) => [workload, index + 1] as const))(
    'a workload named %j gets its own series only, through = and =~',
    async (workload, value) => {
      expect(await provider().instantQuery(query('=', workload))).toEqual({ kind: 'value', value });
      expect(await provider().instantQuery(query('=~', workload))).toEqual({ kind: 'value', value });
    },
  );

  it.each(NO_SUCH_WORKLOAD)('a name %j that would match other workloads as a pattern matches nothing', async (workload) => {
    expect(await provider().instantQuery(query('=', workload))).toEqual({ kind: 'no-data' });
    expect(await provider().instantQuery(query('=~', workload))).toEqual({ kind: 'no-data' });
  });
});
