// Declarative edits of a plain JSON object by path ("spec.analysis.metrics[0].query"),
// so an invalid-object case reads as the one mistake it makes.

type Json = Record<string, unknown>;

function segments(path: string): (string | number)[] {
  return path.split('.').flatMap((part) =>
    [...part.matchAll(/([^[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] === undefined ? (m[1] ?? '') : Number(m[2]))),
  );
}

/** Sets `path` to `value` (undefined deletes it), creating objects on the way. */
export function setPath(target: object, path: string, value: unknown): void {
  const keys = segments(path);
  const last = keys.pop();
  if (last === undefined) throw new Error('empty path');
  let node = target as Json;
  for (const key of keys) {
    const next = (node as Record<string | number, unknown>)[key];
    if (typeof next !== 'object' || next === null) throw new Error(`${path}: nothing at ${String(key)}`);
    node = next as Json;
  }
  if (value === undefined) {
    if (Array.isArray(node) && typeof last === 'number') node.splice(last, 1);
    else Reflect.deleteProperty(node, last);
  } else {
    (node as Record<string | number, unknown>)[last] = value;
  }
}

/** A deep copy of `base` with every edit applied. */
export function edited<T extends object>(base: T, edits: Readonly<Record<string, unknown>>): T {
  const copy = structuredClone(base);
  for (const [path, value] of Object.entries(edits)) setPath(copy, path, value);
  return copy;
}
