import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generatedFiles } from '../../scripts/gen-api.js';
import type { Schema } from '../../src/api/schema/builders.js';
import { kinds } from '../../src/api/schema/index.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function readOrEmpty(path: string): string {
  try {
    return readFileSync(join(ROOT, path), 'utf8');
  } catch {
    return '';
  }
}

/** Every field below a node, with its path, so a rule can name the offender. */
function fields(path: string, schema: Schema): { path: string; schema: Schema }[] {
  const children = Object.entries(schema.properties ?? {}).flatMap(([name, field]) => fields(`${path}.${name}`, field));
  const items = schema.items ? fields(`${path}[]`, schema.items).slice(1) : [];
  return [{ path, schema }, ...children, ...items];
}

describe('generated API files', () => {
  const files = generatedFiles();

  it('renders the three CRDs (and the chart copies), the TypeScript types and the field reference', () => {
    expect([...files.keys()].sort()).toEqual([
      'charts/flowshift/crds/alertproviders.flowshift.io.yaml',
      'charts/flowshift/crds/metrictemplates.flowshift.io.yaml',
      'charts/flowshift/crds/rollouts.flowshift.io.yaml',
      'charts/flowshift/dashboards/flowshift-controller.json',
      'charts/flowshift/dashboards/flowshift-release.json',
      'crds/alertproviders.flowshift.io.yaml',
      'crds/metrictemplates.flowshift.io.yaml',
      'crds/rollouts.flowshift.io.yaml',
      'docs/rollout-reference.md',
      'src/api/types.gen.ts',
    ]);
  });

  for (const [path, expected] of files) {
    it(`${path} matches what npm run gen writes`, () => {
      expect(readOrEmpty(path), `${path} is stale: run npm run gen`).toBe(expected);
    });
  }
});

describe('the API definition', () => {
  const all = kinds.flatMap((kind) => [
    ...fields(`${kind.kind}.spec`, kind.spec),
    ...(kind.status ? fields(`${kind.kind}.status`, kind.status) : []),
  ]);

  it('describes every field, so kubectl explain is useful', () => {
    expect(all.filter((f) => f.schema.description.trim() === '').map((f) => f.path)).toEqual([]);
  });

  it('types every field (int-or-string counts as a type)', () => {
    const untyped = all.filter((f) => f.schema.type === undefined && !f.schema['x-kubernetes-int-or-string']);
    expect(untyped.map((f) => f.path)).toEqual([]);
  });

  it('bounds every list and string a CEL rule reads, so the rule cost stays within budget', () => {
    const unbounded = all.filter(
      (f) =>
        (f.schema['x-kubernetes-validations'] ?? []).length > 0 &&
        ((f.schema.type === 'array' && f.schema.maxItems === undefined) ||
          (f.schema.type === 'string' && f.schema.maxLength === undefined)),
    );
    expect(unbounded.map((f) => f.path)).toEqual([]);
  });
});
