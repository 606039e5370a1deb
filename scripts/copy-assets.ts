// The files tsc does not emit: the dashboard's page (HTML, ES modules, CSS)
// from src/ into a build's output, at the same place relative to the
// compiled code that serves them (src/cli/dashboard/assets.ts). Run by
// `npm run build`, the plugin package and the tests' plugin build; plain
// Node runs it (type stripping), so the image build needs no tsx.
//
//   node scripts/copy-assets.ts <outDir>
import { cpSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Folders of src/ that hold files the program reads at run time, not code. */
export const ASSET_DIRS = ['cli/dashboard/static'];

export function copyAssets(outDir: string): void {
  for (const dir of ASSET_DIRS) cpSync(join(ROOT, 'src', dir), join(resolve(outDir), dir), { recursive: true });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [outDir] = process.argv.slice(2);
  if (!outDir) throw new Error('usage: node scripts/copy-assets.ts <outDir>');
  copyAssets(outDir);
}
