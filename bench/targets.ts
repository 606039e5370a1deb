// npm run bench:targets [-- --only one,200,500,1000,idle,replicas,idle10k,replicas1000] [--max-rollouts 20]
//
// Runs every scenario of issues 15 and 24 in turn, each on a fresh environment, and
// prints one table of every figure against its target (the tables
// of docs/benchmarks.md are this output). --max-rollouts caps N to check the
// benchmark itself quickly; its figures are then not the issue's.
import { parseArgs } from 'node:util';
import { readArguments, usage } from './cli.js';
import { formatTable, summary, type ScenarioReport } from './report.js';
import { OPTIONS, scenarioOptions } from './options.js';
import { runScenario } from './scenarios.js';
import { log } from './workload.js';

/** The scenarios, as bench:engine arguments, in the order they run (a Map: an object would put "200" before "one"). */
const SCENARIOS: ReadonlyMap<string, readonly string[]> = new Map([
  ['one', ['--rollouts', '1', '--interval', '10s']],
  ['200', ['--rollouts', '200', '--interval', '10s', '--failing-every', '0']],
  ['500', ['--rollouts', '500', '--interval', '5s']],
  ['1000', ['--rollouts', '1000', '--interval', '10s']],
  ['idle', ['--rollouts', '1000', '--interval', '10s', '--idle', '--idle-window', '2m']],
  ['replicas', ['--rollouts', '200', '--interval', '10s', '--replicas', '3']],
  // Issue 24's scale: the start-up sync and idle cost of 10,000, and 1,000 releasing at once on three replicas.
  ['idle10k', ['--rollouts', '10000', '--interval', '10s', '--idle', '--idle-window', '1m', '--batch', '50']],
  ['replicas1000', ['--rollouts', '1000', '--interval', '10s', '--replicas', '3']],
]);
const NAMES = [...SCENARIOS.keys()].join(',');

const NAME = 'npm run bench:targets';
const TARGET_OPTIONS = { only: { type: 'string', default: NAMES }, 'max-rollouts': { type: 'string' } } as const;
const HELP = usage(
  NAME,
  "Runs the issue's scenarios in turn, each on a fresh environment, and prints one table of every figure against its target.",
  {
    only: { value: '<names>', text: 'the scenarios to run, comma-separated' },
    'max-rollouts': { value: '<n>', text: "caps every scenario's Rollouts, to check the benchmark itself quickly (its figures are then not the targets')" },
  },
  TARGET_OPTIONS,
);
const { names, cap } = readArguments(NAME, HELP, (args) => {
  const { values } = parseArgs({ args, options: TARGET_OPTIONS });
  const max = values['max-rollouts'] === undefined ? Infinity : Number(values['max-rollouts']);
  if (!(max >= 1)) throw new Error(`--max-rollouts ${values['max-rollouts'] ?? ''}: expected a number ≥ 1`);
  const only = values.only.split(',');
  const unknown = only.find((name) => !SCENARIOS.has(name));
  if (unknown !== undefined) throw new Error(`--only ${unknown}: no such scenario (${NAMES.replaceAll(',', ', ')})`);
  return { names: only, cap: max };
});
const reports: ScenarioReport[] = [];
for (const name of names) {
  const args = capRollouts(SCENARIOS.get(name) ?? [], cap);
  log(`scenario ${name}: ${args.join(' ')}`);
  const { values: parsed } = parseArgs({ args: [...args], options: OPTIONS });
  const report = await runScenario(scenarioOptions(parsed, `npm run bench:engine -- ${args.join(' ')}`));
  reports.push(report);
  process.stderr.write(`\n${formatTable([report])}\n`);
}
process.stdout.write(`\n${formatTable(reports)}\n${summary(reports)}\n`);

function capRollouts(args: readonly string[], max: number): string[] {
  const i = args.indexOf('--rollouts');
  const n = Number(args[i + 1]);
  if (i < 0 || n <= max) return [...args];
  return [...args.slice(0, i + 1), String(max), ...args.slice(i + 2)];
}
