import type { Condition, Rollout } from '../../api/types.gen.js';
import { controlTarget } from '../control-rules.js';
import type { EventView } from './events.js';
import { DashboardAction } from './actions.js';
import { rowOf, type RolloutRow } from './row.js';
import { metricSeries, type MetricSeries } from './series.js';
import { timelineOf, weightPoints, type Observation, type TimelineEntry, type WeightPoint } from './timeline.js';

/** Whether a button has something to act on, and if not, why (the plugin's own refusal). */
export interface ActionState {
  readonly action: DashboardAction;
  readonly available: boolean;
  readonly reason: string | null;
}

/** What the Rollout page shows, computed by the server from the watched Rollout and its Events. */
export interface RolloutDetail {
  readonly row: RolloutRow;
  readonly revision: string | null;
  readonly conditions: readonly Condition[];
  readonly weights: readonly WeightPoint[];
  readonly metrics: readonly MetricSeries[];
  readonly timeline: readonly TimelineEntry[];
  readonly events: readonly EventView[];
  /** Why the Events could not be read (e.g. RBAC), or null. */
  readonly eventsError: string | null;
  readonly actions: readonly ActionState[];
}

export interface DetailSources {
  readonly rollout: Rollout;
  readonly events: readonly EventView[];
  readonly eventsError: string | null;
  readonly observed: readonly Observation[];
}

export function detailOf(sources: DetailSources): RolloutDetail {
  const { rollout, events, eventsError, observed } = sources;
  return {
    row: rowOf(rollout),
    revision: rollout.status?.lastAppliedSpec ?? null,
    conditions: rollout.status?.conditions ?? [],
    weights: weightPoints(rollout, observed),
    metrics: metricSeries(rollout),
    timeline: timelineOf(rollout, events, observed),
    events,
    eventsError,
    actions: Object.values(DashboardAction).map((action) => actionState(rollout, action)),
  };
}

/**
 * The plugin's own rules (control-rules.ts) say which buttons have something
 * to act on; the request itself goes through the same command either way,
 * so a button greyed out here is never the only check.
 */
function actionState(rollout: Rollout, action: DashboardAction): ActionState {
  const paused = rollout.spec.suspend ?? false;
  switch (action) {
    case 'pause':
      return paused ? { action, available: false, reason: 'already paused (spec.suspend is true)' } : { action, available: true, reason: null };
    case 'resume':
      return paused ? { action, available: true, reason: null } : { action, available: false, reason: 'not paused (spec.suspend is false)' };
    case 'approve':
    case 'abort':
    case 'retry': {
      const target = controlTarget(action, rollout);
      return 'refusal' in target ? { action, available: false, reason: target.refusal } : { action, available: true, reason: null };
    }
  }
}
