import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './manifests.js';

/** One instruction of a Dockerfile stage, continuation lines joined. */
export interface Instruction {
  readonly op: string;
  readonly args: string;
}

export interface Stage {
  readonly from: string;
  readonly name: string | undefined;
  readonly instructions: readonly Instruction[];
}

/** The Dockerfile's stages, with ARG defaults substituted into FROM. */
export function readDockerfile(file = join(ROOT, 'Dockerfile')): Stage[] {
  const lines = readFileSync(file, 'utf8')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const args = new Map<string, string>();
  const stages: { from: string; name: string | undefined; instructions: Instruction[] }[] = [];
  for (const line of lines) {
    const [op = '', ...rest] = line.split(/\s+/);
    const text = rest.join(' ');
    const upper = op.toUpperCase();
    if (upper === 'ARG' && stages.length === 0) {
      const [key = '', value = ''] = text.split('=');
      args.set(key, value);
    } else if (upper === 'FROM') {
      const [image = '', , name] = text.replace(/\$\{(\w+)\}/g, (_, k: string) => args.get(k) ?? '').split(/\s+/);
      stages.push({ from: image, name, instructions: [] });
    } else {
      stages.at(-1)?.instructions.push({ op: upper, args: text });
    }
  }
  return stages;
}

/** `COPY [--from=stage] a b dest` as its parts. */
export function copyOf(instruction: Instruction): { from: string | undefined; sources: string[]; dest: string } {
  const parts = instruction.args.split(/\s+/);
  const from = parts[0]?.startsWith('--from=') ? parts.shift()?.slice('--from='.length) : undefined;
  const dest = parts.pop() ?? '';
  return { from, sources: parts, dest };
}
