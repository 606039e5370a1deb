// Draws src/ as rooms and the arrows between them, from the code's own
// imports (dependency-cruiser reads them; .dependency-cruiser.cjs names the
// rooms' allowed arrows, which `npm run lint` enforces). A room is a folder
// under src/, or a file directly in it. Rooms print from the bottom (the
// API's vocabulary) up to the entry points: each imports only rooms above
// its line.
//
//   npm run layout
import { readFileSync } from 'node:fs';
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

const options = await extractDepcruiseOptions('./.dependency-cruiser.cjs');
const reported = await cruise(['src'], { ...options, validate: true }, {}, { tsConfig: extractTSConfig('tsconfig.json') });
const result = reported.output as ICruiseResult;

const roomOf = (path: string): string => path.replace(/^src\//, '').split('/')[0] ?? path;
const rooms = new Map<string, { files: number; lines: number; imports: Set<string> }>();
for (const module of result.modules) {
  if (!module.source.startsWith('src/')) continue;
  const room = rooms.get(roomOf(module.source)) ?? { files: 0, lines: 0, imports: new Set<string>() };
  room.files += 1;
  room.lines += readFileSync(module.source, 'utf8').split('\n').length;
  for (const dependency of module.dependencies) {
    const to = roomOf(dependency.resolved);
    if (dependency.resolved.startsWith('src/') && to !== roomOf(module.source)) room.imports.add(to);
  }
  rooms.set(roomOf(module.source), room);
}

// Bottom up: a room prints once every room it imports has printed.
// Rooms that import each other can never be ready: they print last, marked.
const order: string[] = [];
const left = new Set(rooms.keys());
let circled: string[] = [];
while (left.size) {
  const ready = [...left].filter((r) => [...(rooms.get(r)?.imports ?? [])].every((i) => !left.has(i))).sort();
  if (!ready.length) {
    circled = [...left].sort();
    order.push(...circled);
    break;
  }
  for (const r of ready) left.delete(r);
  order.push(...ready);
}
const width = Math.max(...order.map((r) => r.length));
console.log(`${'room'.padEnd(width)}  files  lines  imports`);
for (const name of order) {
  const room = rooms.get(name);
  if (!room) continue;
  const mark = circled.includes(name) ? '  (in a circle of rooms)' : '';
  console.log(`${name.padEnd(width)}  ${String(room.files).padStart(5)}  ${String(room.lines).padStart(5)}  ${[...room.imports].sort().join(', ') || '-'}${mark}`);
}
const violations = result.summary.violations;
console.log(`\n${violations.length ? `${violations.length} imports break .dependency-cruiser.cjs:` : 'every import runs one way, as .dependency-cruiser.cjs allows'}`);
for (const v of violations) console.log(`  ${v.rule.name}: ${v.from} -> ${v.to}`);
process.exitCode = violations.length || circled.length ? 1 : 0;
