// The Argo CD health check of docs/gitops.md, run as Argo CD runs it: the
// Lua from the guide's argocd-cm, in Debian's Lua 5.1 (Argo CD's gopher-lua
// has Lua 5.1's semantics), with the object in the global `obj`.
import { spawnSync } from 'node:child_process';
import MarkdownIt from 'markdown-it';
import { parseAllDocuments } from 'yaml';
import { readPage } from '../docs/markdown.js';

/** The argocd-cm key Argo CD reads a Rollout's health check from. */
export const HEALTH_KEY = 'resource.customizations.health.flowshift.io_Rollout';

/** What the health check returned: Healthy, Progressing, Degraded, Suspended … and why. */
export interface ArgoHealth {
  readonly status: string;
  readonly message: string;
}

/** The Lua of the argocd-cm ConfigMap shown in docs/gitops.md: the one users copy. */
export function healthScript(page = 'docs/gitops.md'): string {
  const fences = new MarkdownIt().parse(readPage(page), {}).filter((t) => t.type === 'fence' && t.info.trim() === 'yaml');
  const scripts = fences.flatMap((fence) =>
    parseAllDocuments(fence.content).flatMap((doc) => {
      const value: unknown = doc.toJS();
      const data = (value as { kind?: string; data?: Record<string, unknown> } | null)?.data;
      const script = data?.[HEALTH_KEY];
      return (value as { kind?: string } | null)?.kind === 'ConfigMap' && typeof script === 'string' ? [script] : [];
    }),
  );
  if (scripts.length !== 1) throw new Error(`${page}: expected one argocd-cm with ${HEALTH_KEY}, found ${scripts.length}`);
  return scripts[0] as string;
}

/** `obj` run through `script` by `lua5.1`, which must be on PATH. */
export function argoHealth(script: string, obj: unknown): ArgoHealth {
  const program = [
    `obj = ${luaValue(obj)}`,
    // A chunk of its own, as Argo CD loads it: its `return` is the health.
    `local hs = assert(loadstring(${luaString(script)}, "health.lua"))()`,
    'io.write(tostring(hs.status), "\\n", tostring(hs.message))',
  ].join('\n');
  const run = spawnSync('lua5.1', ['-'], { input: program, encoding: 'utf8' });
  if (run.error) throw run.error;
  if (run.status !== 0) throw new Error(`lua5.1 exited ${String(run.status)}: ${run.stderr}`);
  const [status = '', ...message] = run.stdout.split('\n');
  return { status, message: message.join('\n') };
}

/**
 * A JSON value as a Lua table constructor, as Argo CD hands objects to Lua:
 * objects keyed by string, arrays from index 1, numbers as numbers, null as nil.
 */
export function luaValue(value: unknown): string {
  if (value === null || value === undefined) return 'nil';
  if (typeof value === 'string') return luaString(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `{ ${value.map(luaValue).join(', ')} }`;
  if (typeof value === 'object') {
    return `{ ${Object.entries(value)
      .map(([k, v]) => `[${luaString(k)}] = ${luaValue(v)}`)
      .join(', ')} }`;
  }
  throw new Error(`no Lua value for a ${typeof value}`);
}

/** A Lua 5.1 string literal of `text`'s UTF-8 bytes: printable ASCII as is, every other byte as a decimal escape. */
export function luaString(text: string): string {
  let out = '"';
  for (const byte of Buffer.from(text, 'utf8')) {
    const printable = byte >= 0x20 && byte < 0x7f && byte !== 0x22 && byte !== 0x5c;
    out += printable ? String.fromCharCode(byte) : `\\${String(byte).padStart(3, '0')}`;
  }
  return `${out}"`;
}
