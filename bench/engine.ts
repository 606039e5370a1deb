// npm run bench:engine [-- --rollouts 200 --interval 5s] [--replicas 3] [--idle --idle-window 2m] (--help lists every option)
//
// Drives N Rollouts through a release at once on the test environment (real
// kube-apiserver, etcd, Redis, Prometheus) with the built controller as its
// own process(es), and prints every figure against the target of issue 15:
// tick lag, ticks per second, API requests per tick and writes per release
// (the controller's count, the API server's counters and its audit log),
// controller RSS, the time from a failing check to rewritten routes, and
// Rollouts that went through a step twice or skipped one. --idle counts the
// requests and Prometheus queries of Rollouts with nothing to do;
// --replicas N runs N controllers on one Redis against a one-replica baseline.
import { parseArgs } from 'node:util';
import { readArguments, usage } from './cli.js';
import { formatTable, summary } from './report.js';
import { OPTION_HELP, OPTIONS, scenarioOptions } from './options.js';
import { runScenario } from './scenarios.js';

const NAME = 'npm run bench:engine';
const HELP = usage(NAME, 'Releases N Rollouts at once on a fresh test environment and prints every figure against its target.', OPTION_HELP, OPTIONS);
const options = readArguments(NAME, HELP, (args) => {
  const { values } = parseArgs({ args, options: OPTIONS });
  return scenarioOptions(values, `${NAME} -- ${args.join(' ')}`.trim().replace(/ --$/, ''));
});
const report = await runScenario(options);
process.stdout.write(`\n${formatTable([report])}\n${summary([report])}\n`);
