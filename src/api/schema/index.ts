// The whole API definition: every kind the generator renders.
import { alertProvider } from './alert-provider.js';
import type { KindDefinition } from './kind.js';
import { metricTemplate } from './metric-template.js';
import { rollout } from './rollout.js';

export { CATEGORY, type KindDefinition, type PrinterColumn } from './kind.js';
export { aliases, enums } from './enums.js';
export { objectMeta } from './common.js';

export const kinds: readonly KindDefinition[] = [rollout, metricTemplate, alertProvider];
