import type { Argument, Command, Option } from 'commander';
import type { GlobalOptions } from './context.js';

/** The name of every argument that is a Rollout in the current namespace: completed from the cluster. */
export const ROLLOUT_ARGUMENT = 'rollout';
/** The hidden command the shell scripts call with the words typed so far (after `--`, so none is read as an option). */
export const COMPLETE_COMMAND = '__complete';

export const Shell = { Bash: 'bash', Zsh: 'zsh', Fish: 'fish' } as const;
export type Shell = (typeof Shell)[keyof typeof Shell];

/** Rollout names for completion; an empty list when they cannot be read (completion never prints an error). */
export type RolloutNames = (options: GlobalOptions) => Promise<string[]>;

/** Where the words typed before the current one leave the command line. */
interface Position {
  command: Command;
  /** Positional arguments given to `command` so far. */
  positionals: number;
  /** The option whose value is being typed now. */
  awaiting: Option | undefined;
  globals: { -readonly [K in keyof GlobalOptions]: GlobalOptions[K] };
}

/**
 * The candidates for the last of `words` (the words after the program name;
 * the last is the one being typed, possibly empty), read from the commander
 * tree itself so a new command or flag completes without touching this file:
 * subcommands, flags of the command and the global ones, the choices of an
 * option or argument, and Rollout names for every `<rollout>` argument, from
 * the namespace (and context, kubeconfig) typed on the line.
 */
export async function complete(root: Command, words: readonly string[], rollouts: RolloutNames): Promise<string[]> {
  const current = words.at(-1) ?? '';
  const position = walk(root, words.slice(0, -1));
  const candidates = await candidatesAt(root, position, current, rollouts);
  return candidates.filter((c) => c.startsWith(current));
}

function walk(root: Command, typed: readonly string[]): Position {
  const position: Position = { command: root, positionals: 0, awaiting: undefined, globals: {} };
  for (const word of typed) {
    if (position.awaiting) {
      setGlobal(position, position.awaiting, word);
      position.awaiting = undefined;
    } else if (word.startsWith('-') && word !== '-') {
      takeFlag(root, position, word);
    } else if (position.positionals === 0 && subcommand(position.command, word)) {
      position.command = subcommand(position.command, word) ?? root;
    } else {
      position.positionals++;
    }
  }
  return position;
}

/** A flag typed: its value follows (`-n shop`) or is inline (`--namespace=shop`). */
function takeFlag(root: Command, position: Position, word: string): void {
  const [flag = '', inline] = word.split(/=(.*)/s);
  const option = optionsOf(root, position.command).find((o) => o.long === flag || o.short === flag);
  if (!option || !takesValue(option)) return;
  if (inline === undefined) position.awaiting = option;
  else setGlobal(position, option, inline);
}

async function candidatesAt(root: Command, position: Position, current: string, rollouts: RolloutNames): Promise<string[]> {
  if (position.awaiting) return position.awaiting.argChoices ?? [];
  if (current.startsWith('-')) return optionsOf(root, position.command).filter((o) => !o.hidden).flatMap((o) => [o.long, o.short].filter(isString));
  const command = position.command;
  if (command.commands.length > 0) return command.createHelp().visibleCommands(command).map((c) => c.name());
  const argument = argumentAt(command, position.positionals);
  if (!argument) return [];
  if (argument.name() === ROLLOUT_ARGUMENT) return rollouts(position.globals);
  return argument.argChoices ?? [];
}

/** The command's own options and, below the root, the global ones (kubectl hands them over anywhere on the line). */
function optionsOf(root: Command, command: Command): readonly Option[] {
  return command === root ? root.options : [...command.options, ...root.options];
}

function subcommand(parent: Command, name: string): Command | undefined {
  return parent.commands.find((c) => c.name() === name || c.aliases().includes(name));
}

/** The argument the next positional fills: a variadic last argument takes every one after it. */
function argumentAt(command: Command, index: number): Argument | undefined {
  const args = command.registeredArguments;
  const last = args.at(-1);
  return args[index] ?? (last?.variadic ? last : undefined);
}

function takesValue(option: Option): boolean {
  return option.required || option.optional;
}

function setGlobal(position: Position, option: Option, value: string): void {
  const key = option.attributeName();
  if (key === 'namespace' || key === 'context' || key === 'kubeconfig') position.globals[key] = value;
}

function isString(value: string | undefined): value is string {
  return value !== undefined;
}

/**
 * The script `completion <shell>` prints: it hands the words typed so far to
 * the hidden COMPLETE_COMMAND and offers what comes back, one per line. It
 * completes `kubectl-flowshift`; `kubectl flowshift` completes through
 * kubectl's own plugin completion (docs/plugin.md, Shell completion).
 */
export function completionScript(shell: Shell, program: string): string {
  const fn = `_${program.replace(/[^A-Za-z0-9]/g, '_')}`;
  switch (shell) {
    case Shell.Bash:
      return [
        `# bash completion for ${program}: source <(${program} completion bash)`,
        `${fn}() {`,
        `  local IFS=$'\\n'`,
        `  COMPREPLY=($(${program} ${COMPLETE_COMMAND} -- "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null))`,
        '}',
        `complete -o default -F ${fn} ${program}`,
        '',
      ].join('\n');
    case Shell.Zsh:
      return [
        `#compdef ${program}`,
        `# zsh completion for ${program}: source <(${program} completion zsh), after compinit`,
        `${fn}() {`,
        '  local -a candidates',
        `  candidates=("\${(@f)$(${program} ${COMPLETE_COMMAND} -- "\${(@)words[2,CURRENT]}" 2>/dev/null)}")`,
        '  candidates=(${candidates:#})',
        '  compadd -a candidates',
        '}',
        `compdef ${fn} ${program}`,
        '',
      ].join('\n');
    case Shell.Fish:
      return [
        `# fish completion for ${program}: ${program} completion fish | source`,
        `function ${fn}`,
        '    set -l words (commandline -opc)',
        '    set -e words[1]',
        `    ${program} ${COMPLETE_COMMAND} -- $words (commandline -ct) 2>/dev/null`,
        'end',
        `complete -c ${program} -f -a '(${fn})'`,
        '',
      ].join('\n');
  }
}
