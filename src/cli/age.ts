/**
 * A duration as kubectl prints ages (k8s.io/apimachinery duration.HumanDuration),
 * so `kubectl flowshift get` reads like `kubectl get`: "45s", "5m10s", "3h20m", "12d".
 */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return withRest(minutes, 'm', seconds % 60, 's');
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return withRest(hours, 'h', minutes % 60, 'm');
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 8) return withRest(days, 'd', hours % 24, 'h');
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.floor(days / 365);
  if (hours < 24 * 365 * 8) return withRest(years, 'y', days % 365, 'd');
  return `${years}y`;
}

function withRest(whole: number, unit: string, rest: number, restUnit: string): string {
  return rest === 0 ? `${whole}${unit}` : `${whole}${unit}${rest}${restUnit}`;
}

/** The age of an RFC 3339 time at `now`; blank when there is none, as kubectl leaves a missing date column. */
export function ageOf(time: string | undefined, now: Date): string {
  const at = time ? Date.parse(time) : Number.NaN;
  return Number.isNaN(at) ? '' : humanDuration(now.getTime() - at);
}
