// npm run demo [-- --non-interactive]
//
// The one-command local demo: a real kube-apiserver, Redis, Prometheus, the
// mesh simulator and the controller on this machine; podinfo released step by
// step, held at an approval gate, promoted; then a faulty release rolled
// back. Ctrl-C (or SIGTERM) at any moment stops every process it started.
import { parseArgs } from 'node:util';
import { heading, say } from './say.js';
import { StackParts, startStack } from './stack.js';
import { walkThrough } from './walkthrough.js';

const USAGE = `usage: npm run demo [-- --non-interactive]
  --non-interactive, --ci   approve the gate itself and exit at the end (default when stdin is not a terminal)
  -h, --help                this text`;

const { values } = parseArgs({
  options: { 'non-interactive': { type: 'boolean' }, ci: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
});
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const interactive = !(values['non-interactive'] ?? values.ci ?? false) && process.stdin.isTTY;

const parts = new StackParts();
let stopping: Promise<void> | undefined;

/** Stops everything once, whichever of the end, a failure or a signal comes first. */
function stopAll(): Promise<void> {
  stopping ??= (async () => {
    say('stopping the controller, the simulator, the Slack stand-in and the environment');
    await parts.stop();
    say('stopped every process the demo started; temp folder removed');
  })();
  return stopping;
}

for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  process.on(signal, () => {
    // A second Ctrl-C does not wait: the environment's exit hook SIGKILLs what is left.
    if (stopping) process.exit(code);
    say(`${signal}: stopping`);
    void stopAll().finally(() => process.exit(code));
  });
}

try {
  say(`flowshift demo (${interactive ? 'interactive: Ctrl-C stops it' : 'non-interactive'})`);
  const stack = await startStack(parts);
  const outcome = await walkThrough(stack, interactive);
  heading('done');
  say(`healthy release promoted: ${yes(outcome.promoted)}; gate held until approved: ${yes(outcome.gateHeld)}; faulty release rolled back: ${yes(outcome.rolledBack)}; Slack messages: ${outcome.slackMessages}`);
  if (interactive) {
    say('everything keeps running so you can look around (kubectl, kubectl flowshift); Ctrl-C stops it all');
    await new Promise(() => undefined);
  }
  await stopAll();
} catch (err) {
  if (!stopping) {
    process.stderr.write(`demo failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    if (parts.controller) process.stderr.write(`controller log (last lines):\n${parts.controller.tail(20)}\n`);
    await stopAll();
    process.exitCode = 1;
  }
}

function yes(value: boolean): string {
  return value ? 'yes' : 'NO';
}
