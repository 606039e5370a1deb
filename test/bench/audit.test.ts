import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { countAudit, linesBetween, totalOf, AUDIT_WRITE_VERBS } from '../../bench/audit.js';

const ME = 'system:serviceaccount:flowshift-system:flowshift-bench';
const event = (verb: string, resource: string, subresource?: string, user = ME, stage = 'ResponseComplete', code = 200): string =>
  JSON.stringify({ kind: 'Event', stage, verb, user: { username: user }, objectRef: { resource, subresource, namespace: 'bench' }, responseStatus: { code } });

describe('countAudit', () => {
  const lines = [
    event('get', 'deployments'),
    event('patch', 'rollouts', 'status'),
    event('patch', 'rollouts', 'status', ME, 'ResponseComplete', 409),
    event('create', 'events'),
    event('watch', 'rollouts', undefined, ME, 'ResponseStarted'),
    event('watch', 'rollouts'),
    event('update', 'deployments', undefined, 'system:serviceaccount:flowshift-system:someone-else'),
  ];

  it('counts one user\'s completed requests by verb, and its writes by resource', () => {
    const counts = countAudit(lines, ME);
    expect(Object.fromEntries(counts.byVerb)).toEqual({ get: 1, patch: 2, create: 1, watch: 1 });
    expect(Object.fromEntries(counts.writesByResource)).toEqual({ 'rollouts/status': 2, events: 1 });
    expect(Object.fromEntries(counts.refusedWrites)).toEqual({ 'rollouts/status 409': 1 });
    expect(totalOf(counts.byVerb, AUDIT_WRITE_VERBS)).toBe(3);
    expect(totalOf(counts.byVerb)).toBe(5);
  });
});

describe('linesBetween', () => {
  it('reads the lines appended between two offsets, leaving out one still being written', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'bench-audit-')), 'audit.log');
    const first = `${event('get', 'a')}\n`;
    writeFileSync(file, `${first}${event('get', 'b')}\n{"partial`);
    expect(linesBetween(file, first.length).map((l) => (JSON.parse(l) as { objectRef: { resource: string } }).objectRef.resource)).toEqual(['b']);
    expect(linesBetween(file, 10, 10)).toEqual([]);
  });
});
