// `npm run package:plugin`: the kubectl plugin as a krew archive. Builds the
// CLI, gathers the packages it imports at run time, writes a reproducible
// tar.gz and its sha256 into the krew manifest (plugins/flowshift.yaml).
//
// Why not one bundled file: that needs a bundler (esbuild, say), a new
// package this project does not have yet. So the archive is the compiled
// dist/ with the production packages the CLI reaches, and needs Node on PATH
// (package.json "engines"), as docs/plugin.md says.
//
//   tsx scripts/package-plugin.ts [--out DIR] [--manifest FILE]
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cruise } from 'dependency-cruiser';
import { parseDocument, isMap, isSeq } from 'yaml';
import { BROWSER_PACKAGES } from '../src/cli/dashboard/assets.js';
import { copyAssets } from './copy-assets.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ENTRY = 'dist/cli/main.js';
/** Files no one needs at run time: types, source maps, TypeScript sources. */
const DEV_ONLY = /(\.d\.[cm]?ts|\.map|(?<!\.d)\.ts)$/;

interface PackageJson {
  readonly name: string;
  readonly version: string;
  readonly license?: string;
  readonly engines?: Record<string, string>;
  readonly dependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
}

const readJson = (file: string): PackageJson => JSON.parse(readFileSync(file, 'utf8')) as PackageJson;

export async function packagePlugin(out: string, manifest: string): Promise<{ archive: string; sha256: string }> {
  const project = readJson(join(ROOT, 'package.json'));
  const stage = mkdtempSync(join(tmpdir(), 'flowshift-plugin-'));
  try {
    build(stage, project);
    copyPackages(stage, await runtimePackages(stage));
    mkdirSync(out, { recursive: true });
    const archive = join(out, `kubectl-flowshift-v${project.version}.tar.gz`);
    writeArchive(stage, archive);
    const sha256 = createHash('sha256').update(readFileSync(archive)).digest('hex');
    writeManifest(manifest, project.version, basename(archive), sha256);
    return { archive, sha256 };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/** dist/ compiled without source maps, the package.json the version is read from, the LICENSE. */
function build(stage: string, project: PackageJson): void {
  const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(stage, 'dist'), '--sourceMap', 'false'], { cwd: ROOT, stdio: 'inherit' });
  copyAssets(join(stage, 'dist'));
  const { name, version, license, engines } = project;
  writeFileSync(join(stage, 'package.json'), `${JSON.stringify({ name, version, license, type: 'module', engines, bin: { 'kubectl-flowshift': ENTRY } }, null, 2)}\n`);
  if (existsSync(join(ROOT, 'LICENSE'))) cpSync(join(ROOT, 'LICENSE'), join(stage, 'LICENSE'));
  chmodSync(join(stage, ENTRY), 0o755);
}

/** The packages the CLI imports (read from the compiled imports, not a list kept by hand), with everything they depend on. */
async function runtimePackages(stage: string): Promise<Map<string, string>> {
  const result = await cruise([join(stage, ENTRY)], { doNotFollow: { path: 'node_modules' }, baseDir: ROOT });
  if (typeof result.output === 'string') throw new Error('dependency-cruiser returned text, not modules');
  const direct = new Set<string>();
  for (const m of result.output.modules) {
    // The stage has no node_modules yet, so a package import is known by its bare specifier, not by where it resolves.
    for (const d of m.dependencies) if (!d.coreModule && !/^[./]/.test(d.module)) direct.add(packageName(d.module));
  }
  const found = new Map<string, string>();
  const visit = (name: string, from: string): void => {
    if (name.startsWith('@types/')) return;
    const dir = resolvePackage(name, from);
    if (!dir || found.has(dir)) return;
    found.set(dir, name);
    const pkg = readJson(join(dir, 'package.json'));
    for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies, ...pkg.peerDependencies })) visit(dep, dir);
  };
  // Served to the browser from their files, never imported: no import names them.
  for (const name of BROWSER_PACKAGES) direct.add(name);
  for (const name of [...direct].sort()) visit(name, ROOT);
  return found;
}

/** "@scope/name/sub" → "@scope/name"; "name/sub" → "name". */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return (specifier.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1)).join('/');
}

/** The folder Node would load `name` from, looking up from `from` as its resolver does; undefined for a missing optional one. */
function resolvePackage(name: string, from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    if (dirname(dir) === dir) return undefined;
  }
}

/** Each package at the place it has under node_modules, so nested versions still resolve as they did. */
function copyPackages(stage: string, packages: Map<string, string>): void {
  const modules = realpathSync(join(ROOT, 'node_modules'));
  for (const dir of [...packages.keys()].sort()) {
    const to = join(stage, 'node_modules', relative(modules, dir));
    cpSync(dir, to, {
      recursive: true,
      // Nested node_modules are copied as the packages they hold, when reached.
      filter: (src) => !DEV_ONLY.test(src) && !relative(dir, src).split(sep).includes('node_modules'),
    });
  }
}

/** Sorted names, one fixed time and owner, gzip without a name or time: the same tree gives the same bytes. */
function writeArchive(stage: string, archive: string): void {
  const tar = execFileSync('tar', ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '--format=gnu', '-C', stage, '-cf', '-', '.'], { maxBuffer: 1 << 30 });
  writeFileSync(archive, execFileSync('gzip', ['-9', '-n'], { input: tar, maxBuffer: 1 << 30 }));
}

/** The manifest's version, every platform's uri (the release asset of this version) and sha256. */
function writeManifest(file: string, version: string, asset: string, sha256: string): void {
  const doc = parseDocument(readFileSync(file, 'utf8'));
  doc.setIn(['spec', 'version'], `v${version}`);
  const platforms = doc.getIn(['spec', 'platforms']);
  if (!isSeq(platforms)) throw new Error(`${file}: spec.platforms is not a list`);
  for (const platform of platforms.items) {
    if (!isMap(platform)) throw new Error(`${file}: a platform is not a map`);
    const uri = String(platform.get('uri'));
    platform.set('uri', `${uri.slice(0, uri.indexOf('/releases/download/'))}/releases/download/v${version}/${asset}`);
    platform.set('sha256', sha256);
  }
  writeFileSync(file, doc.toString({ lineWidth: 0 }));
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { out: { type: 'string', default: join(ROOT, 'dist-plugin') }, manifest: { type: 'string', default: join(ROOT, 'plugins/flowshift.yaml') } } });
  const { archive, sha256 } = await packagePlugin(values.out, values.manifest);
  process.stdout.write(`${archive}\nsha256 ${sha256} written to ${values.manifest}\n`);
}
