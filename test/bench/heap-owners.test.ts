import { describe, expect, it } from 'vitest';
import { formatOwners, heapOwners, type HeapSnapshot } from '../../bench/heap-owners.js';

/**
 * A snapshot in V8's layout: node fields [type, name, id, self_size,
 * edge_count], edge fields [type, name_or_index, to_node] (to_node is an
 * index into `nodes`, times the node field count).
 */
function snapshot(nodes: readonly [type: number, name: string, size: number, edges: readonly [type: number, name: string, to: number][]][]): HeapSnapshot {
  const strings: string[] = [];
  const s = (text: string): number => {
    const at = strings.indexOf(text);
    return at >= 0 ? at : strings.push(text) - 1;
  };
  return {
    snapshot: {
      meta: {
        node_fields: ['type', 'name', 'id', 'self_size', 'edge_count'],
        node_types: [['hidden', 'object', 'string', 'concatenated string', 'synthetic']],
        edge_fields: ['type', 'name_or_index', 'to_node'],
        edge_types: [['property', 'internal', 'weak', 'element']],
      },
    },
    nodes: nodes.flatMap(([type, name, size, edges], id) => [type, s(name), id, size, edges.length]),
    edges: nodes.flatMap(([, , , edges]) => edges.flatMap(([type, name, to]) => [type, s(name), to * 5])),
    strings,
  };
}

const [OBJECT, STRING, CONS, ROOT] = [1, 2, 3, 4];
const [PROPERTY, WEAK] = [0, 2];

describe('heapOwners', () => {
  // 0 root → 1 informer (path "/apis/" + "x") → 4 cache → 5 object; 0 → 6 Histogram "d" → 8 values;
  // 0 → 9 plain object → 10 RolloutIndex → 11; 0 -weak→ 12 (unreachable but for a weak edge).
  const heap = snapshot([
    [ROOT, '', 0, [[PROPERTY, 'a', 1], [PROPERTY, 'b', 6], [PROPERTY, 'c', 9], [WEAK, 'w', 12]]],
    [OBJECT, 'ResilientInformer', 10, [[PROPERTY, 'collection', 2], [PROPERTY, 'objects', 4]]],
    [OBJECT, 'Object', 5, [[PROPERTY, 'path', 3]]],
    [CONS, '', 3, [[1, 'first', 13], [1, 'second', 14]]],
    [OBJECT, 'Map', 100, [[PROPERTY, 'x', 5]]],
    [OBJECT, 'Object', 1000, []],
    [OBJECT, 'Histogram', 20, [[PROPERTY, 'name', 7], [PROPERTY, 'hashMap', 8]]],
    [STRING, 'd', 2, []],
    [OBJECT, 'Object', 300, []],
    [OBJECT, 'Object', 7, [[PROPERTY, 'index', 10]]],
    [OBJECT, 'RolloutIndex', 40, [[PROPERTY, 'm', 11]]],
    [OBJECT, 'Map', 60, []],
    [OBJECT, 'Object', 5000, []],
    [STRING, '/apis/', 1, []],
    [STRING, 'x', 1, []],
  ]);

  it('gives each live node to its nearest owner on the walk from the roots, and names informers by their path and metrics by their name', () => {
    const report = heapOwners(heap, ['RolloutIndex']);
    expect(report.liveBytes).toBe(10 + 5 + 3 + 100 + 1000 + 20 + 2 + 300 + 7 + 40 + 60 + 1 + 1);
    expect(report.owners).toEqual([
      { label: 'informer /apis/x', bytes: 10 + 5 + 3 + 100 + 1000 + 1 + 1, instances: 1 },
      { label: 'Histogram d', bytes: 322, instances: 1 },
      { label: 'RolloutIndex', bytes: 100, instances: 1 },
      { label: '(no owner)', bytes: 7, instances: 1 },
    ]);
  });

  it('leaves a class not asked for to the owner above it', () => {
    const labels = heapOwners(heap).owners.map((o) => `${o.label} ${o.bytes}`);
    expect(labels).toContain('(no owner) 107');
    expect(labels.some((l) => l.startsWith('RolloutIndex'))).toBe(false);
  });

  it('prints MB, instances and bytes per Rollout', () => {
    const lines = formatOwners(heapOwners(heap, ['RolloutIndex']), 2, 10);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe('live: 0.00 MB (10 Rollouts)');
    expect(lines[1]).toMatch(/^\s+0\.00 MB\s+1x\s+112 B\/Rollout {2}informer \/apis\/x$/);
  });
});
