#!/usr/bin/env node
import { Command } from 'commander';
import { cliContext, type Cli, type GlobalOptions } from './context.js';
import { requestControl } from './control.js';
import { CliError, describeFailure } from './errors.js';
import { listRollouts } from './get.js';
import { lint, type LintOptions } from './lint.js';
import { setSuspended } from './pause.js';
import { showStatus } from './status.js';

/**
 * kubectl-flowshift: found by kubectl's plugin discovery on PATH, so
 * `kubectl flowshift …` runs it with everything after "flowshift". kubectl
 * passes its global flags only as typed, so they are parsed here, before or
 * after the command.
 */
function program(): Command {
  const root = new Command('kubectl flowshift')
    .description('Watch and steer flowshift Rollouts. Kubernetes RBAC decides: whoever may patch a Rollout may act on it.')
    .option('--kubeconfig <path>', 'kubeconfig file (default: KUBECONFIG, then ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context to use')
    .option('-n, --namespace <namespace>', "namespace (default: the context's namespace, else default)")
    .showHelpAfterError()
    .configureOutput({ outputError: (text, write) => write(`error: ${text.replace(/^error: /, '')}`) });

  const withCli = (cmd: Command): Cli => cliContext(cmd.optsWithGlobals<GlobalOptions>());

  root
    .command('status')
    .description('show phase, weight, step, checks, metrics, gates and message; -w redraws on every change')
    .argument('<name>', 'Rollout name')
    .option('-w, --watch', 'keep watching and redraw on every change')
    .action((name: string, opts: { watch?: boolean }, cmd: Command) => showStatus(withCli(cmd), name, opts.watch ?? false));
  root
    .command('get')
    .description('list Rollouts like `kubectl get rollouts -o wide`, with the step')
    .option('-A, --all-namespaces', 'list Rollouts in all namespaces')
    .action((opts: { allNamespaces?: boolean }, cmd: Command) => listRollouts(withCli(cmd), opts.allNamespaces ?? false));
  for (const action of ['approve', 'abort', 'retry'] as const) {
    root
      .command(action)
      .description(DESCRIPTIONS[action])
      .argument('<name>', 'Rollout name')
      .action((name: string, _opts: unknown, cmd: Command) => requestControl(withCli(cmd), action, name));
  }
  root
    .command('pause')
    .description('set spec.suspend: the controller changes nothing until resume')
    .argument('<name>', 'Rollout name')
    .action((name: string, _opts: unknown, cmd: Command) => setSuspended(withCli(cmd), name, true));
  root
    .command('resume')
    .description('clear spec.suspend: the release goes on where it stood')
    .argument('<name>', 'Rollout name')
    .action((name: string, _opts: unknown, cmd: Command) => setSuspended(withCli(cmd), name, false));
  root
    .command('lint')
    .description('check Rollouts, MetricTemplates and AlertProviders before applying them: the API schema and the controller validation offline; --cluster also dry-runs them and resolves their references in the current context')
    .argument('<files...>', 'YAML files, or - for standard input')
    .option('--cluster', 'also ask the current context: server-side dry-run (CEL rules included) and every reference resolved; changes nothing')
    .option('--prometheus-url <url>', "the controller's --prometheus-url, to check metrics that use it (default: PROMETHEUS_URL)")
    .action(async (files: string[], _opts: unknown, cmd: Command) => {
      process.exitCode = await lint(files, cmd.optsWithGlobals<LintOptions>(), (text) => process.stdout.write(text));
    });
  return root;
}

const DESCRIPTIONS = {
  approve: 'open the manual gates of the release in progress, for its revision only',
  abort: 'roll the release in progress back now: all traffic to the primary',
  retry: 'release the Failed revision again from weight 0, without changing the pod template',
} as const;

try {
  await program().parseAsync(process.argv);
} catch (err) {
  process.stderr.write(`error: ${describeFailure(err)}\n`);
  process.exitCode = err instanceof CliError ? err.exitCode : 1;
}
