import type { ManualAction, Rollout } from '../../api/types.gen.js';
import type { Controls } from '../../domain/model.js';
import { CONTROL_ANNOTATIONS } from '../../api/names.js';

/** The manual actions a Rollout's annotations ask for, and why any could not be read. */
export function readControls(rollout: Pick<Rollout, 'metadata'>): { controls: Controls; problems: string[] } {
  const annotations = rollout.metadata.annotations ?? {};
  const controls: { -readonly [K in keyof Controls]: Controls[K] } = {};
  const problems: string[] = [];
  for (const [verb, key] of Object.entries(CONTROL_ANNOTATIONS) as [keyof Controls, string][]) {
    const text = annotations[key];
    if (text === undefined) continue;
    const action = parseAction(text);
    if (action) controls[verb] = action;
    else problems.push(`annotation ${key} is ignored: its value must be JSON {"revision", "by", "at"} as kubectl flowshift writes it`);
  }
  return { controls, problems };
}

/** The control annotations as one string: a change of it is a reason to tick at once. */
export function controlsKey(rollout: Pick<Rollout, 'metadata'>): string {
  const annotations = rollout.metadata.annotations ?? {};
  return JSON.stringify(Object.values(CONTROL_ANNOTATIONS).map((key) => annotations[key] ?? null));
}

function parseAction(text: string): ManualAction | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { revision, by, at } = value as Record<string, unknown>;
  if (typeof revision !== 'string' || !revision || typeof by !== 'string' || typeof at !== 'string') return undefined;
  return { revision, by, at };
}
