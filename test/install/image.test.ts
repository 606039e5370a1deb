import { execFile, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { IMAGE_NODE_ARGS } from '../../bench/options.js';
import { copyOf, readDockerfile, type Stage } from './dockerfile.js';
import { ROOT } from './manifests.js';

const run = promisify(execFile);
const stages = readDockerfile();
const runtime = stages.at(-1) as Stage;
const build = stages.find((s) => s.name === 'build');

function instructions(stage: Stage, op: string): string[] {
  return stage.instructions.filter((i) => i.op === op).map((i) => i.args);
}

describe('the container image (Dockerfile)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowshift-image-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('builds in a stage of its own and runs on a current Node LTS as a non-root user', () => {
    expect(build, 'a stage named "build"').toBeDefined();
    expect(runtime.from).toMatch(/^node:(22|24)\b/);
    expect(build?.from).toBe(runtime.from);
    const user = instructions(runtime, 'USER').at(-1) ?? '';
    expect(user, 'USER of the runtime stage').toMatch(/^[1-9]\d*(:[1-9]\d*)?$/);
    expect(instructions(runtime, 'ENTRYPOINT')).toEqual([`["node", ${IMAGE_NODE_ARGS.split(' ').map((a) => `"${a}"`).join(', ')}, "dist/main.js"]`]);
    // Only built JavaScript and production dependencies reach the runtime stage.
    const copies = runtime.instructions.filter((i) => i.op === 'COPY').map(copyOf);
    expect(copies.flatMap((c) => (c.from ? [`${c.from}:${c.sources.join(',')}`] : c.sources)).sort()).toEqual(['build:/src/dist', 'package-lock.json', 'package.json']);
    expect(instructions(runtime, 'RUN').join(' ')).toContain('npm ci --omit=dev');
  });

  it('runs its ENTRYPOINT with --help from a clean copy laid out as the runtime stage lays it out', async () => {
    // The build stage: the compiler from the repository, the sources the stage copies.
    const built = join(dir, 'build');
    await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(built, 'dist')]);
    // The runtime stage, step by step, in an empty folder standing for WORKDIR.
    const workdir = join(dir, 'app');
    mkdirSync(workdir);
    // The machine's settings (proxy, CA certificates), without those of the npm command running the tests.
    const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('npm_')));
    for (const step of runtime.instructions) {
      if (step.op === 'ENV') {
        const [key = '', value = ''] = step.args.split('=');
        env[key] = value;
      } else if (step.op === 'COPY') {
        const { from, sources } = copyOf(step);
        for (const source of sources) {
          const origin = from === 'build' ? join(built, basename(source)) : join(ROOT, source);
          cpSync(origin, join(workdir, basename(source)), { recursive: true });
        }
      } else if (step.op === 'RUN') {
        const result = spawnSync('sh', ['-c', step.args], { cwd: workdir, env, encoding: 'utf8', timeout: 300_000 });
        expect(result.status, `RUN ${step.args}\n${result.stderr}`).toBe(0);
      }
    }
    const installed = readdirSync(join(workdir, 'node_modules'));
    expect(installed).toContain('bullmq');
    expect(installed.filter((m) => ['vitest', 'typescript', 'eslint', 'tsx'].includes(m)), 'dev dependencies in the image').toEqual([]);
    const entrypoint = JSON.parse(instructions(runtime, 'ENTRYPOINT')[0] ?? '[]') as string[];
    const help = spawnSync(process.execPath, [...entrypoint.slice(1), '--help'], { cwd: workdir, env, encoding: 'utf8' });
    expect(help.status, help.stderr).toBe(0);
    expect(help.stderr).toContain('usage: flowshift');
    expect(help.stderr).toContain('--redis-sentinels');
  });
});
