import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { uncheckableRules } from '../../src/api/cel.js';
import { kinds } from '../../src/api/schema/index.js';
import { lintTexts } from '../../src/lint/lint.js';
import { segments } from '../../src/lint/documents.js';

const EXAMPLES = fileURLToPath(new URL('../../deploy/examples', import.meta.url));

async function lint(text: string): Promise<string[]> {
  const { problems } = await lintTexts([{ file: 'r.yaml', text }], { namespace: 'default' });
  return problems.map((p) => `${p.line} ${p.path}: ${p.message}`);
}

const rollout = (spec: string): string => `apiVersion: flowshift.io/v1alpha1
kind: Rollout
metadata:
  name: podinfo
spec:
  targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}
  service:
    port: 9898
${spec}`;

describe('lint, offline', () => {
  it.each(readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml')))('finds nothing in deploy/examples/%s', async (file) => {
    const { problems } = await lintTexts([{ file, text: readFileSync(join(EXAMPLES, file), 'utf8') }], { namespace: 'default' });
    expect(problems).toEqual([]);
  });

  it('evaluates every CEL rule of every kind offline', () => {
    for (const kind of kinds) expect(uncheckableRules(kind.spec), kind.kind).toEqual([]);
  });

  it('names a schema problem at the line of its field, with the fix', async () => {
    const found = await lint(rollout(`  strategy:
    canary:
      stepWeights: [10, 20]
      mirror:
        percentage: "50"
`));
    expect(found).toEqual(['13 spec.strategy.canary.mirror.percentage: must be an integer, not a string (write an integer (without quotes))']);
  });

  it('names a missing required field at its parent', async () => {
    const found = await lint(`apiVersion: flowshift.io/v1alpha1
kind: Rollout
metadata:
  name: podinfo
spec:
  service:
    port: 9898
  strategy:
    canary: {stepWeights: [10]}
`);
    expect(found).toEqual(['5 spec.targetRef: required value missing (add targetRef)']);
  });

  it("evaluates a CEL rule the way the API server does, at the rule's fieldPath", async () => {
    const found = await lint(rollout(`  strategy:
    canary:
      stepWeights: [10, 20]
      maxWeight: 50
`));
    expect(found).toEqual(['12 spec.strategy.canary.maxWeight: maxWeight only applies with stepWeight; with stepWeights the last weight is the maximum (see kubectl explain rollout.spec.strategy.canary.maxWeight)']);
  });

  it('passes what the CEL rules accept: an int and a double bound compared', async () => {
    const found = await lint(rollout(`  strategy:
    canary: {stepWeights: [10, 20]}
  analysis:
    metrics:
      - name: latency
        query: vector(1)
        thresholdRange: {min: 1, max: 2.5}
`));
    expect(found).toEqual([]);
  });

  it("runs the controller's validation: the rendered PromQL of a metric, and says a refused field once", async () => {
    const found = await lint(rollout(`  strategy:
    canary: {stepWeights: [10, 20]}
  analysis:
    webhooks:
      - name: load
        type: rollout
        url: ftp://loadtester/
    metrics:
      - name: errors
        query: sum(rate(x[{{ interval }}])
        thresholdRange: {max: 1}
`));
    expect(found).toEqual([
      '15 spec.analysis.webhooks[0].url: must be an absolute http or https URL (see kubectl explain rollout.spec.analysis.webhooks.url)',
      expect.stringMatching(/^18 spec\.analysis\.metrics\[0\]\.query: 1:\d+: invalid PromQL/),
    ]);
  });

  it('reports a YAML syntax error with its line', async () => {
    const found = await lint('kind: Rollout\nspec:\n  a: [1, 2\n  b: 3\n');
    expect(found[0]).toMatch(/^\d+ \(yaml\): .+\(fix the YAML syntax\)$/);
  });

  it('leaves objects of other API groups alone', async () => {
    expect(await lint('apiVersion: v1\nkind: Secret\nmetadata: {name: x}\nstringData: {a: b}\n')).toEqual([]);
  });

  it('reads API server field paths back into segments', () => {
    expect(segments('.spec.analysis.metrics[0].query')).toEqual(['spec', 'analysis', 'metrics', 0, 'query']);
  });
});
