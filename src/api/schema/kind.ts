// What a kind adds to its spec and status schemas: names and printer columns.
import type { Schema } from './builders.js';

export const CATEGORY = 'flowshift';

export interface PrinterColumn {
  readonly name: string;
  readonly type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  readonly jsonPath: string;
  readonly description: string;
  /** 1: shown only with -o wide. */
  readonly priority?: number;
}

export interface KindDefinition {
  readonly kind: string;
  readonly plural: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
  readonly description: string;
  readonly spec: Schema;
  readonly status?: Schema;
  readonly printerColumns: readonly PrinterColumn[];
}
