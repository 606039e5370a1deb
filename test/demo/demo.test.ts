// The one-command demo, run as a newcomer would (`npm run demo`), in its
// non-interactive mode: it starts its own environment besides the suite's.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../../devenv/env/processes.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runDemo(): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'demo', '--', '--non-interactive'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Running, and not a zombie (an exited child its parent has not reaped yet is gone for our purpose). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Watchdogs (devenv/env/watchdog.sh <owner> <child>) still guarding one of `pids`. */
function watchdogsOf(pids: readonly number[]): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    let args: string[];
    try {
      args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    const at = args.findIndex((a) => a.endsWith('watchdog.sh'));
    if (at >= 0 && pids.includes(Number(args[at + 2]))) found.push(`${entry}: ${args.join(' ')}`);
  }
  return found;
}

/** The phases the plugin's status view showed, in order, each run of one phase once. */
function phasesShown(stdout: string): string[] {
  const all = [...stdout.matchAll(/^ {2}│ Phase: +(\S+)/gm)].map((m) => m[1] ?? '');
  return all.filter((phase, i) => phase !== all[i - 1]);
}

describe('npm run demo -- --non-interactive', () => {
  it('promotes the healthy release after the gate held, rolls back the faulty one, posts both to Slack and leaves no process behind', async () => {
    const run = await runDemo();
    const context = `\n--- stdout ---\n${run.stdout}\n--- stderr ---\n${run.stderr}`;
    expect(run.code, context).toBe(0);
    const out = run.stdout;

    // A view is drawn on each change the poll sees, so a short phase (Promoting, Finalising) may not be among them.
    const phases = phasesShown(out);
    expect(phases.slice(phases.indexOf('Initialized'), phases.indexOf('WaitingPromotion') + 1), context).toEqual(['Initialized', 'Progressing', 'WaitingPromotion']);
    expect(phases.slice(phases.indexOf('Succeeded'))).toEqual(['Succeeded', 'Progressing', 'Failed']);

    // The gate held: still WaitingPromotion two ticks later; the release went on only after the plugin's approve.
    expect(out).toMatch(/10s later the phase is WaitingPromotion: the gate holds until someone approves/);
    const approved = out.search(/^ {2}podinfo: revision \w+ approved/m);
    expect(approved).toBeGreaterThan(out.indexOf('Phase:    WaitingPromotion'));
    expect(approved).toBeLessThan(out.indexOf('Phase:    Succeeded'));

    expect(out).toMatch(/Message: +rolled back: 2 failed checks \(request-success-rate [\d.]+ < 99/);
    expect(out).toContain('routes after the rollback: primary 100 / canary 0');

    expect(out).toMatch(/^\[ *\d+s\] slack #deploys ▸ Waiting on a gate: demo\/podinfo/m);
    expect(out).toMatch(/^\[ *\d+s\] slack #deploys ▸ Promotion complete: demo\/podinfo \(demo\): promotion of revision \w+ complete/m);
    expect(out).toMatch(/^\[ *\d+s\] slack #deploys ▸ Rolled back: demo\/podinfo \(demo\): .*request-success-rate: [\d.]+ \(bound ≥ 99\): failed/m);
    expect(out).toContain('healthy release promoted: yes; gate held until approved: yes; faulty release rolled back: yes');

    const pidLine = /started pids: (.+)$/m.exec(out)?.[1] ?? '';
    const pids = pidLine.split(' ').map((p) => Number(p.split('=')[1]));
    expect(pidLine.split(' ').map((p) => p.split('=')[0]).sort()).toEqual(['controller', 'etcd', 'kube-apiserver', 'prometheus', 'redis-server']);
    expect(pids.filter(alive)).toEqual([]);
    // Each watchdog ends within a second of its server; wait for that rather than race it.
    await waitFor('the watchdogs of the demo servers to end', () => Promise.resolve(watchdogsOf(pids).length === 0), { timeoutMs: 15_000, intervalMs: 250 });

    const kubeconfig = /export KUBECONFIG=(\S+)/.exec(out)?.[1] ?? '';
    expect(kubeconfig).toMatch(/flowshift-env-/);
    expect(existsSync(dirname(kubeconfig))).toBe(false);
  }, 300_000);
});
