// The list of Rollouts: one row per Rollout, redrawn as the watch reports changes.
import { age, h } from './dom.js';
import { rolloutPath } from './api.js';

const COLUMNS = ['Namespace', 'Name', 'Phase', 'Strategy', 'Weight', 'Failed checks', 'Last transition', 'Waiting on', 'Message'];

export function renderList(view, state) {
  const rows = [...state.rows.values()].sort((a, b) => a.key.localeCompare(b.key));
  const body = rows.length
    ? h('table', { class: 'rollouts' }, h('thead', {}, h('tr', {}, COLUMNS.map((c) => h('th', {}, c)))), h('tbody', {}, rows.map(rowOf)))
    : h('p', { class: 'empty' }, state.dashboard ? `No Rollouts in ${state.scope || 'this scope'}.` : 'Waiting for the dashboard server…');
  view.replaceChildren(h('h1', {}, 'Rollouts'), body);
}

function rowOf(r) {
  const href = `#${rolloutPath(r.key).replace('/api', '')}`;
  return h(
    'tr',
    { dataset: { key: r.key }, class: `phase-${(r.phase ?? 'none').toLowerCase()}` },
    cell('namespace', r.namespace),
    cell('name', h('a', { href }, r.name)),
    cell('phase', phaseBadge(r)),
    cell('strategy', r.strategy),
    cell('weight', weightBar(r.canaryWeight), ` ${r.canaryWeight}%`, r.stepText ? h('span', { class: 'step' }, ` (${r.stepText})`) : null),
    cell('failedChecks', `${r.failedChecks} of ${r.threshold}`),
    h('td', { dataset: { field: 'age', time: r.lastTransitionTime ?? '' }, title: r.lastTransitionTime ?? '' }, age(r.lastTransitionTime)),
    cell('waiting', r.waitingGates.join(', ')),
    cell('message', r.message ?? ''),
  );
}

function cell(field, ...content) {
  return h('td', { dataset: { field } }, ...content);
}

export function phaseBadge(r) {
  return h('span', { class: `badge phase-${(r.phase ?? 'none').toLowerCase()}` }, r.phase ?? 'no status', r.paused ? ' · paused' : '');
}

export function weightBar(weight) {
  return h('meter', { min: 0, max: 100, value: weight, title: `canary ${weight}%` });
}

/** Ages move on with the clock, not with the watch. */
export function refreshAges(view) {
  for (const td of view.querySelectorAll('td[data-field="age"]')) td.textContent = age(td.dataset.time);
}
