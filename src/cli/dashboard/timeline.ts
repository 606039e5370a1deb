import type { GateResult, ManualAction, Phase, Rollout, RolloutStatus } from '../../api/types.gen.js';
import type { EventView } from './events.js';
import { metricSeries } from './series.js';

/** A phase and weight the dashboard saw in a watch event, with the dashboard's own clock. */
export interface Observation {
  readonly time: string;
  readonly phase: Phase | null;
  readonly weight: number;
}

export const TimelineKind = {
  Observed: 'observed',
  Event: 'event',
  Gate: 'gate',
  Action: 'action',
  CheckFailed: 'check-failed',
} as const;
export type TimelineKind = (typeof TimelineKind)[keyof typeof TimelineKind];

export interface TimelineEntry {
  readonly time: string;
  readonly kind: TimelineKind;
  readonly text: string;
  readonly warning: boolean;
}

/** A point of the weight chart: the canary weight from `time` on. */
export interface WeightPoint {
  readonly time: string;
  readonly weight: number;
}

/**
 * The release as one list, oldest first, from what records it: the
 * Rollout's Events (transitions), the status (gates with their answers,
 * approve/abort/retry/promote with who asked, failed checks with their
 * values), and the phases and weights the dashboard saw change while it ran
 * (steps are not recorded as Events: docs/dashboard.md says why).
 */
export function timelineOf(rollout: Rollout, events: readonly EventView[], observed: readonly Observation[]): TimelineEntry[] {
  const status: RolloutStatus = rollout.status ?? {};
  const entries = [
    ...observed.map(observedEntry),
    ...events.map(eventEntry),
    ...(status.gates ?? []).map(gateEntry),
    ...actionEntries(status),
    ...failedChecks(rollout),
  ];
  return entries.sort(byTime);
}

/** The weight over time: at each measurement (the weight it was taken at) and at each change the dashboard saw. */
export function weightPoints(rollout: Rollout, observed: readonly Observation[]): WeightPoint[] {
  const measured = (metricSeries(rollout)[0]?.points ?? []).flatMap((p) => (p.weight === null ? [] : [{ time: p.time, weight: p.weight }]));
  const seen = observed.map((o) => ({ time: o.time, weight: o.weight }));
  const byInstant = new Map([...measured, ...seen].map((p) => [`${p.time}/${p.weight}`, p]));
  return [...byInstant.values()].sort(byTime);
}

function observedEntry(o: Observation): TimelineEntry {
  return { time: o.time, kind: TimelineKind.Observed, text: `${o.phase ?? 'no phase'} at weight ${o.weight}%`, warning: o.phase === 'Failed' };
}

function eventEntry(e: EventView): TimelineEntry {
  const repeated = e.count > 1 ? ` (×${e.count})` : '';
  return { time: e.lastTime, kind: TimelineKind.Event, text: `${e.reason}: ${e.message}${repeated}`, warning: e.type === 'Warning' };
}

function gateEntry(g: GateResult): TimelineEntry {
  return { time: g.time, kind: TimelineKind.Gate, text: `${g.name} (${g.type}) ${g.open ? 'open' : 'closed'}: ${g.message}`, warning: false };
}

const ACTIONS = { approval: 'approved', abort: 'abort asked', retry: 'retry asked', promote: 'promote asked', fullPromotion: 'full promotion asked' } as const;

function actionEntries(status: RolloutStatus): TimelineEntry[] {
  return Object.entries(ACTIONS).flatMap(([field, verb]) => {
    const action: ManualAction | undefined = status[field as keyof typeof ACTIONS];
    return action ? [{ time: action.at, kind: TimelineKind.Action, text: `${verb} by ${action.by} (revision ${action.revision})`, warning: field === 'abort' }] : [];
  });
}

function failedChecks(rollout: Rollout): TimelineEntry[] {
  return metricSeries(rollout).flatMap((series) =>
    series.points
      .filter((p) => !p.passed)
      .map((p) => ({ time: p.time, kind: TimelineKind.CheckFailed, text: `${series.name} ${p.canary ?? 'no data'}${p.weight === null ? '' : ` at weight ${p.weight}%`}`, warning: true })),
  );
}

function byTime(a: { readonly time: string }, b: { readonly time: string }): number {
  return Date.parse(a.time) - Date.parse(b.time);
}
