import { humanDuration } from '../api/duration.js';

export { humanDuration };

/** The age of an RFC 3339 time at `now`; blank when there is none, as kubectl leaves a missing date column. */
export function ageOf(time: string | undefined, now: Date): string {
  const at = time ? Date.parse(time) : Number.NaN;
  return Number.isNaN(at) ? '' : humanDuration(now.getTime() - at);
}
