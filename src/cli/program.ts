import { Argument, Command, Option } from 'commander';
import { COMPLETE_COMMAND, ROLLOUT_ARGUMENT, Shell, complete, completionScript } from './completion.js';
import { cliContext, type Cli, type GlobalOptions } from './context.js';
import { requestControl } from './control.js';
import { runDashboard, type DashboardOptions } from './dashboard/command.js';
import { listRollouts } from './get.js';
import { lint, type LintOptions } from './lint.js';
import { runBacktest, type BacktestOptions } from './backtest.js';
import { OutputFormat } from './output.js';
import { setSuspended } from './pause.js';
import { setImage } from './set-image.js';
import { showStatus } from './status.js';
import { parseRevision, undo } from './undo.js';
import { showVersion } from './version.js';

/** The name kubectl's plugin discovery finds on PATH, and the one the completion scripts complete. */
export const PROGRAM = 'kubectl-flowshift';

const rollout = (): Argument => new Argument(`<${ROLLOUT_ARGUMENT}>`, 'Rollout name');
const output = (): Option => new Option('-o, --output <format>', 'print machine-readable output instead of the view').choices(Object.values(OutputFormat));

/**
 * kubectl-flowshift: found by kubectl's plugin discovery on PATH, so
 * `kubectl flowshift …` runs it with everything after "flowshift". kubectl
 * passes its global flags only as typed, so they are parsed here, before or
 * after the command.
 */
export function program(): Command {
  const root = new Command('kubectl flowshift')
    .description('Watch and steer flowshift Rollouts. Kubernetes RBAC decides: whoever may patch a Rollout may act on it.')
    .option('--kubeconfig <path>', 'kubeconfig file (default: KUBECONFIG, then ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context to use')
    .option('-n, --namespace <namespace>', "namespace (default: the context's namespace, else default)")
    .showHelpAfterError()
    .configureOutput({ outputError: (text, write) => write(`error: ${text.replace(/^error: /, '')}`) });

  addViews(root);
  addControls(root);
  addTargetCommands(root);
  addTools(root);
  return root;
}

const withCli = (cmd: Command): Cli => cliContext(cmd.optsWithGlobals<GlobalOptions>());

/** What shows a Rollout. */
function addViews(root: Command): void {
  root
    .command('status')
    .description('show phase, weight, step, checks, metrics, gates and message; -w redraws on every change')
    .addArgument(rollout())
    .option('-w, --watch', 'keep watching and redraw on every change')
    .addOption(output())
    .action((name: string, opts: { watch?: boolean; output?: OutputFormat }, cmd: Command) => showStatus(withCli(cmd), name, opts.watch ?? false, opts.output));
  root
    .command('get')
    .description('list Rollouts like `kubectl get rollouts -o wide`, with the step')
    .option('-A, --all-namespaces', 'list Rollouts in all namespaces')
    .addOption(output())
    .action((opts: { allNamespaces?: boolean; output?: OutputFormat }, cmd: Command) => listRollouts(withCli(cmd), opts.allNamespaces ?? false, opts.output));
  root
    .command('dashboard')
    .description('serve a live web page of the Rollouts (phase, weight, charts of each check, Events, approve/abort/retry/pause buttons) on this machine, with your kubeconfig and RBAC; prints its URL')
    .option('-A, --all-namespaces', 'show Rollouts in all namespaces')
    .option('--port <port>', 'port to listen on (0: any free port)', '3100')
    .option('--address <address>', 'address to listen on: loopback only, unless --allow-remote', '127.0.0.1')
    .option('--allow-remote', 'allow a non-loopback --address: the dashboard has no login, and acts with your credentials for anyone who reaches it')
    .action((opts: DashboardOptions, cmd: Command) => runDashboard(cmd.optsWithGlobals<GlobalOptions>(), opts, (text) => process.stdout.write(text)));
}

/** What steers a release: annotations the controller acts on, and spec.suspend. */
function addControls(root: Command): void {
  for (const action of ['approve', 'abort', 'retry'] as const) {
    root
      .command(action)
      .description(DESCRIPTIONS[action])
      .addArgument(rollout())
      .action((name: string, _opts: unknown, cmd: Command) => requestControl(withCli(cmd), action, name));
  }
  root
    .command('promote')
    .description('run the next check of the release now instead of at the end of the interval: a pass moves one step; gates still apply')
    .addArgument(rollout())
    .option('--full', 'skip the analysis and the remaining steps: promote as soon as the canary is ready and confirm-promotion gates open (recorded in status and an Event)')
    .action((name: string, opts: { full?: boolean }, cmd: Command) => requestControl(withCli(cmd), opts.full ? 'promoteFull' : 'promote', name));
  root
    .command('pause')
    .description('set spec.suspend: the controller changes nothing until resume')
    .addArgument(rollout())
    .action((name: string, _opts: unknown, cmd: Command) => setSuspended(withCli(cmd), name, true));
  root
    .command('resume')
    .description('clear spec.suspend: the release goes on where it stood')
    .addArgument(rollout())
    .action((name: string, _opts: unknown, cmd: Command) => setSuspended(withCli(cmd), name, false));
}

/** What changes the target Deployment, the user's own object, with the user's RBAC. */
function addTargetCommands(root: Command): void {
  const set = root.command('set').description('change the Rollout\'s target Deployment');
  set
    .command('image')
    .description('set container images of the target Deployment (its containers and init containers): a new revision, released by flowshift')
    .addArgument(rollout())
    .argument('<container=image...>', 'one or more container=image')
    .action((name: string, images: string[], _opts: unknown, cmd: Command) => setImage(withCli(cmd), name, images));
  root
    .command('undo')
    .description('roll the target Deployment back to the template the primary runs (the last promoted), or with --to-revision to one of its ReplicaSet revisions')
    .addArgument(rollout())
    .option('--to-revision <revision>', 'a revision of the target as `kubectl rollout history` numbers it (needs the ReplicaSets a Deployment controller keeps)')
    .action((name: string, opts: { toRevision?: string }, cmd: Command) => undo(withCli(cmd), name, opts.toRevision === undefined ? undefined : parseRevision(opts.toRevision)));
}

function addTools(root: Command): void {
  root
    .command('version')
    .description("print the plugin's version and the controller's (the image tag of the controller Deployments you can see)")
    .action((_opts: unknown, cmd: Command) => showVersion(() => withCli(cmd), (text) => process.stdout.write(text)));
  root
    .command('lint')
    .description('check Rollouts, MetricTemplates and AlertProviders before applying them: the API schema and the controller validation offline; --cluster also dry-runs them and resolves their references in the current context')
    .argument('<files...>', 'YAML files, or - for standard input')
    .option('--cluster', 'also ask the current context: server-side dry-run (CEL rules included) and every reference resolved; changes nothing')
    .option('--prometheus-url <url>', "the controller's --prometheus-url, to check metrics that use it (default: PROMETHEUS_URL)")
    .action(async (files: string[], _opts: unknown, cmd: Command) => {
      process.exitCode = await lint(files, cmd.optsWithGlobals<LintOptions>(), (text) => process.stdout.write(text));
    });
  root
    .command('backtest')
    .description("evaluate a Rollout's analysis over Prometheus' history, with the controller's own code: where would a release have been rolled back? (docs/backtest.md)")
    .argument('<rollout>', 'a YAML file holding the Rollout (- for standard input), or the name of a Rollout in the cluster')
    .requiredOption('--since <when>', 'start of the window: a time before now (7d, 36h) or an RFC 3339 time')
    .option('--until <when>', 'end of the window (default: now)')
    .option('--against <workload>', "whose history stands in for the canary: primary (default), canary, or a workload's name", 'primary')
    .option('--prometheus <url>', "the Prometheus of metrics without a MetricTemplate address, as this machine reaches it (default: PROMETHEUS_URL)")
    .option('--checks-per-release <n>', "passed checks a release needs to promote (default: the strategy's steps or iterations)")
    .option('--chart <file.html>', 'also write a self-contained HTML chart of every metric against its bounds, rollbacks marked')
    .addOption(output())
    .action(async (target: string, _opts: unknown, cmd: Command) => {
      process.exitCode = await runBacktest(target, cmd.optsWithGlobals<BacktestOptions>(), (text) => process.stdout.write(text));
    });
  root
    .command('completion')
    .description(`print a completion script: bash (source <(${PROGRAM} completion bash)), zsh, or fish`)
    .addArgument(new Argument('<shell>', 'the shell').choices(Object.values(Shell)))
    .action((shell: Shell) => {
      process.stdout.write(completionScript(shell, PROGRAM));
    });
  root
    .command(COMPLETE_COMMAND, { hidden: true })
    .description('the candidates for the last of the words typed (called by the completion scripts)')
    .argument('[words...]')
    .action(async (words: string[]) => {
      const candidates = await complete(root, words, rolloutNames);
      process.stdout.write(candidates.map((c) => `${c}\n`).join(''));
    });
}

const DESCRIPTIONS = {
  approve: 'open the manual gates of the release in progress, for its revision only',
  abort: 'roll the release in progress back now: all traffic to the primary',
  retry: 'release the Failed revision again from weight 0, without changing the pod template',
} as const;

/** Rollout names in the namespace typed (or the context's); none when the cluster cannot be asked, so a shell never shows an error. */
async function rolloutNames(options: GlobalOptions): Promise<string[]> {
  try {
    const cli = cliContext(options);
    return (await cli.rollouts.list(cli.namespace)).map((r) => r.metadata.name ?? '').sort();
  } catch {
    return [];
  }
}
