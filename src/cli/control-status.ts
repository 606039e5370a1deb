import type { RolloutStatus } from '../api/types.gen.js';

/*
 * status.gates[] and status.approval as CONTROL-CONTRACT.md defines them. The
 * gates work adds them to the schema (and so to types.gen.ts) in parallel;
 * until that lands the plugin reads them through these shapes.
 */

/** The last answer of one gate. */
export interface GateAnswer {
  readonly name: string;
  readonly type?: string;
  readonly open: boolean;
  readonly message?: string;
  readonly time?: string;
}

/** The approval the controller acted on for the current release. */
export interface Approval {
  readonly revision: string;
  readonly by: string;
  readonly at: string;
}

export type ControlStatus = RolloutStatus & {
  readonly gates?: readonly GateAnswer[];
  readonly approval?: Approval;
};
