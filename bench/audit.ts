import { closeSync, openSync, readSync, statSync } from 'node:fs';

/** Verbs of the audit log that change something. */
export const AUDIT_WRITE_VERBS: ReadonlySet<string> = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

/** The requests one user made, from the API server's audit log (one JSON event per line). */
export interface AuditCounts {
  /** Completed requests by verb (create, get, list, watch, patch, …). */
  readonly byVerb: Map<string, number>;
  /** Completed writes by "resource[/subresource]". */
  readonly writesByResource: Map<string, number>;
  /** Writes the API server refused, by "resource[/subresource] HTTP-code" (409: a conflict, computed from a stale version). */
  readonly refusedWrites: Map<string, number>;
}

interface AuditEvent {
  stage?: string;
  verb?: string;
  user?: { username?: string };
  objectRef?: { resource?: string; subresource?: string };
  responseStatus?: { code?: number };
}

/** Counts `username`'s requests in audit log lines; a request counts once, at its ResponseComplete stage. */
export function countAudit(lines: Iterable<string>, username: string): AuditCounts {
  const byVerb = new Map<string, number>();
  const writesByResource = new Map<string, number>();
  const refusedWrites = new Map<string, number>();
  const add = (map: Map<string, number>, key: string): void => {
    map.set(key, (map.get(key) ?? 0) + 1);
  };
  for (const line of lines) {
    if (!line.includes(username)) continue;
    const event = JSON.parse(line) as AuditEvent;
    if (event.user?.username !== username || event.stage !== 'ResponseComplete' || !event.verb) continue;
    add(byVerb, event.verb);
    if (!AUDIT_WRITE_VERBS.has(event.verb)) continue;
    const resource = [event.objectRef?.resource ?? '?', event.objectRef?.subresource].filter(Boolean).join('/');
    add(writesByResource, resource);
    const code = event.responseStatus?.code ?? 0;
    if (code >= 400) add(refusedWrites, `${resource} ${code}`);
  }
  return { byVerb, writesByResource, refusedWrites };
}

export function totalOf(counts: ReadonlyMap<string, number>, keys?: ReadonlySet<string>): number {
  let n = 0;
  for (const [k, v] of counts) if (!keys || keys.has(k)) n += v;
  return n;
}

/** Size of a file now, to read only what is appended after. */
export function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** The complete lines of `file` between two byte offsets. */
export function linesBetween(file: string, from: number, to = fileSize(file)): string[] {
  if (to <= from) return [];
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(to - from);
    readSync(fd, buf, 0, buf.length, from);
    const text = buf.toString('utf8');
    // A line still being written at `to` is left out whole.
    return text.slice(0, text.lastIndexOf('\n') + 1).split('\n').filter((l) => l.startsWith('{'));
  } finally {
    closeSync(fd);
  }
}
