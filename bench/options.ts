import { parseArgs } from 'node:util';
import { wholeNumber, type OptionHelp } from './cli.js';
import { parseSeconds, type ScenarioOptions } from './scenarios.js';

/** The Node flags of the image's ENTRYPOINT (test/install/image.test.ts holds them equal): the benchmark runs the controller as it ships. */
export const IMAGE_NODE_ARGS = '--max-semi-space-size=2 --heap-growing-percent=25';

/** bench:engine's command-line options, with the defaults of a run without them. */
export const OPTIONS = {
  rollouts: { type: 'string', default: '200' },
  interval: { type: 'string', default: '5s' },
  replicas: { type: 'string', default: '1' },
  'failing-every': { type: 'string', default: '4' },
  idle: { type: 'boolean', default: false },
  'idle-window': { type: 'string', default: '2m' },
  batch: { type: 'string', default: '20' },
  concurrency: { type: 'string', default: '50' },
  'debug-log': { type: 'boolean', default: false },
  /** Node flags for the controllers, space-separated: --node-args="--max-semi-space-size=4"; --node-args= for none. */
  'node-args': { type: 'string', default: IMAGE_NODE_ARGS },
} as const;

/** What `--help` says of each option. */
export const OPTION_HELP: Readonly<Record<keyof typeof OPTIONS, OptionHelp>> = {
  rollouts: { value: '<n>', text: 'Rollouts released at once' },
  interval: { value: '<duration>', text: 'analysis interval of every Rollout, e.g. 10s' },
  replicas: { value: '<n>', text: 'controller processes on one Redis; above 1, a one-replica release runs first as the baseline' },
  'failing-every': { value: '<n>', text: "every n-th Rollout's check fails and it rolls back; 0 for none" },
  idle: { text: 'release nothing: count the API requests and Prometheus queries of idle Rollouts' },
  'idle-window': { value: '<duration>', text: 'how long --idle counts' },
  batch: { value: '<n>', text: 'Deployments created or released at a time' },
  concurrency: { value: '<n>', text: "the controller's --concurrency" },
  'debug-log': { text: 'controllers log every tick: exact tick lag percentiles, at a cost to the controller' },
  'node-args': { value: '"<flags>"', text: "Node flags for the controllers, space-separated; --node-args= for none" },
};

export type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];

export function scenarioOptions(values: Values, command: string): ScenarioOptions {
  const count = (name: keyof typeof OPTIONS, min: number): number => wholeNumber(name, String(values[name]), min);
  const seconds = (name: 'interval' | 'idle-window'): number => {
    try {
      return parseSeconds(values[name]);
    } catch (err) {
      throw new Error(`--${name} ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  };
  const intervalSeconds = seconds('interval');
  const options: ScenarioOptions = {
    rollouts: count('rollouts', 1),
    interval: values.interval,
    replicas: count('replicas', 1),
    failingEvery: count('failing-every', 0),
    idle: values.idle,
    idleWindowMs: seconds('idle-window') * 1000,
    batch: count('batch', 1),
    concurrency: count('concurrency', 1),
    debugLog: values['debug-log'],
    nodeArgs: values['node-args'].split(' ').filter(Boolean),
    command,
  };
  if (options.idle && options.replicas > 1) throw new Error(`--replicas ${options.replicas} with --idle: the idle mode runs one controller; drop one of them`);
  if (options.idle && options.idleWindowMs <= intervalSeconds * 1000) {
    throw new Error(`--idle-window ${values['idle-window']}: make the window longer than the interval (${options.interval}), or it cannot see a tick per interval`);
  }
  return options;
}
