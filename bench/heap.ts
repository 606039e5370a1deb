// npm run bench:heap -- FILE.heapsnapshot [--rollouts 2000] [--top 25] [--owner RolloutIndex,StringPool]
//
// Where a controller's live heap is, per owner (bench/heap-owners.ts says
// how): take the snapshot with the controller started under
// `--node-args="… --heapsnapshot-signal=SIGUSR2"` (bench:engine keeps its
// environment with FLOWSHIFT_KEEP_ENV=1) and `kill -USR2 <pid>` once it is
// idle; V8 collects before it writes, so only live objects are in it.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { readArguments, usage, wholeNumber } from './cli.js';
import { formatOwners, heapOwners, type HeapSnapshot } from './heap-owners.js';

const NAME = 'npm run bench:heap';
const OPTIONS = {
  rollouts: { type: 'string', default: '' },
  top: { type: 'string', default: '25' },
  owner: { type: 'string', default: 'RolloutIndex,StringPool,RolloutReads,OwnWrites,Queue,Worker' },
} as const;
const HELP = usage(
  `${NAME} FILE.heapsnapshot`,
  'Prints where a V8 heap snapshot\'s live bytes are: each informer (by path), each prom-client metric (by name) and each --owner class, with what they reach first.',
  {
    rollouts: { value: '<n>', text: 'also print bytes per Rollout, for a controller of n Rollouts' },
    top: { value: '<n>', text: 'owners printed' },
    owner: { value: '<A,B>', text: 'more constructor names that own what they reach' },
  },
  OPTIONS,
);

const { file, rollouts, top, owners } = readArguments(NAME, HELP, (args) => {
  const { values, positionals } = parseArgs({ args, options: OPTIONS, allowPositionals: true });
  const [path, ...rest] = positionals;
  if (!path || rest.length) throw new Error('name one .heapsnapshot file');
  const rollouts = values.rollouts === '' ? undefined : wholeNumber('rollouts', values.rollouts, 1);
  return { file: path, rollouts, top: wholeNumber('top', values.top, 1), owners: values.owner.split(',').filter(Boolean) };
});
const snapshot = JSON.parse(readFileSync(file, 'utf8')) as HeapSnapshot;
process.stdout.write(`${formatOwners(heapOwners(snapshot, owners), top, rollouts).join('\n')}\n`);
