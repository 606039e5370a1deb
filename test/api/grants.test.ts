import { describe, expect, it } from 'vitest';
import { ALL_NAMESPACES, allowedNamespacesField, grantProblem, type Grantor } from '../../src/api/grants.js';
import { structuralProblems } from '../../src/api/structural.js';

const FIELD = 'spec.analysis.metrics[0].templateRef';

function shared(namespace: string | undefined, allowedNamespaces?: string[]): Grantor {
  return { metadata: { name: 'latency', namespace }, spec: allowedNamespaces ? { allowedNamespaces } : {} };
}

describe('grantProblem', () => {
  it('lets a Rollout use an object of its own namespace, granted or not', () => {
    expect(grantProblem(FIELD, 'MetricTemplate', 'team-a', shared('team-a'))).toBeUndefined();
    expect(grantProblem(FIELD, 'MetricTemplate', 'team-a', shared('team-a', ['team-b']))).toBeUndefined();
  });

  it('refuses an object of another namespace without allowedNamespaces, naming the field, the object, the namespace and both fixes', () => {
    expect(grantProblem(FIELD, 'MetricTemplate', 'team-a', shared('team-b'))).toBe(
      'spec.analysis.metrics[0].templateRef: MetricTemplate team-b/latency is in another namespace and does not grant team-a ' +
        '(its owner adds "team-a" to spec.allowedNamespaces, or copy the template into team-a)',
    );
  });

  it('refuses when allowedNamespaces lists other namespaces only, or is empty', () => {
    expect(grantProblem(FIELD, 'MetricTemplate', 'team-a', shared('platform', ['team-b', 'team-c']))).toContain('does not grant team-a');
    expect(grantProblem(FIELD, 'MetricTemplate', 'team-a', shared('platform', []))).toContain('does not grant team-a');
  });

  it('takes no prefix or pattern for a grant: "team" grants neither "team-a" nor "a"', () => {
    expect(grantProblem(FIELD, 'MetricTemplate', 'team-a', shared('platform', ['team', 'a', 'team-*']))).toContain('does not grant team-a');
  });

  it('allows a namespace the object lists, and every namespace for "*"', () => {
    expect(grantProblem(FIELD, 'MetricTemplate', 'team-a', shared('platform', ['team-b', 'team-a']))).toBeUndefined();
    expect(grantProblem(FIELD, 'MetricTemplate', 'team-a', shared('platform', [ALL_NAMESPACES]))).toBeUndefined();
  });

  it('never takes an object without a namespace for the Rollout\'s own', () => {
    expect(grantProblem(FIELD, 'MetricTemplate', 'team-a', shared(undefined))).toContain('is in another namespace and does not grant team-a');
  });

  it('tells the owner of an AlertProvider to grant, or the user to copy the provider with its Secret', () => {
    const provider: Grantor = { metadata: { name: 'slack', namespace: 'platform' }, spec: {} };
    expect(grantProblem('spec.analysis.alerts[1].providerRef', 'AlertProvider', 'team-a', provider)).toBe(
      'spec.analysis.alerts[1].providerRef: AlertProvider platform/slack is in another namespace and does not grant team-a ' +
        '(its owner adds "team-a" to spec.allowedNamespaces, or copy the provider and its Secret into team-a)',
    );
  });
});

describe('the spec.allowedNamespaces field', () => {
  const field = allowedNamespacesField('MetricTemplate', 'templateRef');
  const problems = (value: unknown): string[] => structuralProblems(field, value, 'spec.allowedNamespaces').map((p) => `${p.path}: ${p.message}`);

  it('accepts namespace names and "*"', () => {
    expect(problems(['team-a', 'b2', ALL_NAMESPACES])).toEqual([]);
  });

  it('refuses anything else: no patterns, no upper case, no duplicates, at most 256', () => {
    expect(problems(['team-*'])).toEqual([expect.stringMatching(/^spec\.allowedNamespaces\[0\]: "team-\*" does not match/)]);
    expect(problems(['**'])).toHaveLength(1);
    expect(problems(['Team-A'])).toHaveLength(1);
    expect(problems(['team-a', 'team-a'])).toEqual([expect.stringMatching(/^spec\.allowedNamespaces\[1\]: duplicate value "team-a"/)]);
    expect(problems(Array.from({ length: 257 }, (_, i) => `ns-${i}`))).toEqual([expect.stringContaining('more than 256')]);
  });

  it('says who can grant, and that the Secret stays in the granting namespace', () => {
    expect(field.description).toContain('Only someone who may edit this MetricTemplate in its own namespace can grant');
    expect(field.description).toContain('Its Secret is still read from this namespace only');
  });
});
