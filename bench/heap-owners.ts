/**
 * Where a V8 heap snapshot's live bytes are (`npm run bench:heap -- FILE`),
 * for the question issue 24 asks: what does each Rollout cost. DevTools
 * answers it per constructor ("Object": most of everything); this answers it
 * per owner. Every node reachable from the GC roots (weak edges ignored)
 * belongs to its nearest owner on the breadth-first tree from the roots:
 * an informer (named by its collection's path, so Rollouts, Deployments and
 * routes come apart), a prom-client metric (by its name), or an instance of a
 * class asked for with --owner. A tree, not dominators: a string shared by
 * two owners counts for the one the walk reached first, which is close enough
 * to rank owners and to divide by the number of Rollouts.
 */

/** The parts of a .heapsnapshot file read here (V8's JSON format). */
export interface HeapSnapshot {
  readonly snapshot: {
    readonly meta: {
      readonly node_fields: readonly string[];
      readonly node_types: readonly [readonly string[], ...unknown[]];
      readonly edge_fields: readonly string[];
      readonly edge_types: readonly [readonly string[], ...unknown[]];
    };
  };
  readonly nodes: readonly number[];
  readonly edges: readonly number[];
  readonly strings: readonly string[];
}

export interface Owner {
  readonly label: string;
  /** Self sizes of the owner and the nodes it reaches first, in bytes. */
  readonly bytes: number;
  /** Objects owning under this label (e.g. two histograms of one name). */
  readonly instances: number;
}

export interface OwnersReport {
  /** Self size of every node reachable from the roots. */
  readonly liveBytes: number;
  /** Largest first; what no owner reaches is under "(no owner)". */
  readonly owners: readonly Owner[];
}

const PROM_METRICS = new Set(['Histogram', 'Counter', 'Gauge', 'Summary']);
const NO_OWNER = '(no owner)';

/** The owners of `snapshot`'s live bytes; `classes` are constructor names that own what they reach, besides informers and metrics. */
export function heapOwners(snapshot: HeapSnapshot, classes: readonly string[] = []): OwnersReport {
  const graph = new Graph(snapshot);
  const owned = new Set(classes);
  const labelOf = (n: number): string | undefined => {
    if (graph.type(n) !== 'object') return undefined;
    const name = graph.name(n);
    if (name === 'ResilientInformer') return `informer ${graph.text(graph.child(graph.child(n, 'collection'), 'path')) ?? '?'}`;
    if (PROM_METRICS.has(name)) return `${name} ${graph.text(graph.child(n, 'name')) ?? '?'}`;
    return owned.has(name) ? name : undefined;
  };
  const owner = new Int32Array(graph.count).fill(-1);
  const labels = new Map<number, string>();
  const queue = new Int32Array(graph.count);
  let head = 0;
  let tail = 0;
  owner[0] = 0;
  labels.set(0, NO_OWNER);
  queue[tail++] = 0;
  while (head < tail) {
    const n = queue[head++] ?? 0;
    for (const to of graph.strongChildren(n)) {
      if (owner[to] !== -1) continue;
      const label = labelOf(to);
      if (label) labels.set(to, label);
      owner[to] = label ? to : (owner[n] ?? 0);
      queue[tail++] = to;
    }
  }
  const byLabel = new Map<string, { bytes: number; instances: Set<number> }>();
  let liveBytes = 0;
  for (let n = 0; n < graph.count; n++) {
    const o = owner[n] ?? -1;
    if (o === -1) continue;
    const size = graph.selfSize(n);
    liveBytes += size;
    const label = labels.get(o) ?? NO_OWNER;
    const entry = byLabel.get(label) ?? { bytes: 0, instances: new Set<number>() };
    entry.bytes += size;
    entry.instances.add(o);
    byLabel.set(label, entry);
  }
  const owners = [...byLabel].map(([label, e]) => ({ label, bytes: e.bytes, instances: e.instances.size })).sort((a, b) => b.bytes - a.bytes);
  return { liveBytes, owners };
}

/** The snapshot's flat arrays read as a graph of node indexes. */
class Graph {
  readonly count: number;
  private readonly nodeFields: number;
  private readonly edgeFields: number;
  private readonly firstEdge: Uint32Array;
  private readonly at: { type: number; name: number; size: number; edges: number; edgeType: number; edgeName: number; to: number };
  private readonly nodeTypes: readonly string[];
  private readonly edgeTypes: readonly string[];

  constructor(private readonly s: HeapSnapshot) {
    const { node_fields, node_types, edge_fields, edge_types } = s.snapshot.meta;
    this.nodeFields = node_fields.length;
    this.edgeFields = edge_fields.length;
    this.nodeTypes = node_types[0];
    this.edgeTypes = edge_types[0];
    this.at = {
      type: node_fields.indexOf('type'),
      name: node_fields.indexOf('name'),
      size: node_fields.indexOf('self_size'),
      edges: node_fields.indexOf('edge_count'),
      edgeType: edge_fields.indexOf('type'),
      edgeName: edge_fields.indexOf('name_or_index'),
      to: edge_fields.indexOf('to_node'),
    };
    this.count = s.nodes.length / this.nodeFields;
    this.firstEdge = new Uint32Array(this.count + 1);
    let e = 0;
    for (let n = 0; n < this.count; n++) {
      this.firstEdge[n] = e;
      e += this.field(n, this.at.edges) * this.edgeFields;
    }
    this.firstEdge[this.count] = e;
  }

  type(n: number): string {
    return this.nodeTypes[this.field(n, this.at.type)] ?? '';
  }

  name(n: number): string {
    return this.s.strings[this.field(n, this.at.name)] ?? '';
  }

  selfSize(n: number): number {
    return this.field(n, this.at.size);
  }

  *strongChildren(n: number): Generator<number> {
    for (let e = this.firstEdge[n] ?? 0; e < (this.firstEdge[n + 1] ?? 0); e += this.edgeFields) {
      if (this.edgeTypes[this.s.edges[e + this.at.edgeType] ?? 0] === 'weak') continue;
      yield (this.s.edges[e + this.at.to] ?? 0) / this.nodeFields;
    }
  }

  /** The node a named property (or V8 internal field) of `n` points at; -1 when there is none. */
  child(n: number, property: string): number {
    if (n < 0) return -1;
    for (let e = this.firstEdge[n] ?? 0; e < (this.firstEdge[n + 1] ?? 0); e += this.edgeFields) {
      const type = this.edgeTypes[this.s.edges[e + this.at.edgeType] ?? 0];
      if ((type === 'property' || type === 'internal') && this.s.strings[this.s.edges[e + this.at.edgeName] ?? 0] === property) {
        return (this.s.edges[e + this.at.to] ?? 0) / this.nodeFields;
      }
    }
    return -1;
  }

  /** A string node's text; a concatenated one (a template literal's result) is its two halves. */
  text(n: number): string | undefined {
    if (n < 0) return undefined;
    const type = this.type(n);
    if (type === 'string') return this.name(n);
    if (type === 'concatenated string') return `${this.text(this.child(n, 'first')) ?? ''}${this.text(this.child(n, 'second')) ?? ''}`;
    return type === 'sliced string' ? this.name(n) : undefined;
  }

  private field(n: number, index: number): number {
    return this.s.nodes[n * this.nodeFields + index] ?? 0;
  }
}

/** The report as lines: the live total, then each owner's MB, instances and label. */
export function formatOwners(report: OwnersReport, top: number, perRollouts?: number): string[] {
  const mb = (bytes: number): string => (bytes / 2 ** 20).toFixed(2).padStart(8);
  const per = (bytes: number): string => (perRollouts ? `${(bytes / perRollouts).toFixed(0).padStart(7)} B/Rollout` : '');
  return [
    `live: ${mb(report.liveBytes).trim()} MB${perRollouts ? ` (${perRollouts} Rollouts)` : ''}`,
    ...report.owners.slice(0, top).map((o) => `${mb(o.bytes)} MB ${String(o.instances).padStart(6)}x ${per(o.bytes)}  ${o.label}`),
  ];
}
