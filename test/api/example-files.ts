import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAllYaml, type KubernetesObject } from '@kubernetes/client-node';

/** deploy/examples, which the docs point users at. */
export const EXAMPLES = fileURLToPath(new URL('../../deploy/examples', import.meta.url));

/** The example files, sorted. */
export function exampleFiles(): string[] {
  return readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml')).sort();
}

/** The text of one example file. */
export function exampleText(file: string): string {
  return readFileSync(join(EXAMPLES, file), 'utf8');
}

/** The objects of one example file, in order. */
export function documents(file: string): KubernetesObject[] {
  return (loadAllYaml(exampleText(file)) as (KubernetesObject | null)[]).filter((doc): doc is KubernetesObject => doc !== null);
}
