// A Rollout's page: summary, buttons, charts, timeline, Events. Read again
// whenever the watch reports a change of this Rollout.
import { act, readRollout } from './api.js';
import { clock, h } from './dom.js';
import { metricChart, weightChart } from './charts.js';
import { phaseBadge, weightBar } from './list.js';

const LABELS = { approve: 'Approve', abort: 'Abort', retry: 'Retry', pause: 'Pause', resume: 'Resume' };
const QUESTIONS = {
  approve: 'Open the manual gates of revision %r?',
  abort: 'Roll revision %r back now, all traffic to the primary?',
  retry: 'Release the failed revision %r again from weight 0?',
  pause: 'Pause (spec.suspend): the controller changes nothing until resume?',
  resume: 'Resume (clear spec.suspend): the release goes on where it stood?',
};

export class RolloutPage {
  constructor(view, key, state) {
    this.view = view;
    this.key = key;
    this.state = state;
    this.plots = [];
    this.outcome = null;
    this.timer = null;
    this.load();
  }

  changed(what, key) {
    const mine = what === 'rows' || ((what === 'rollout' || what === 'events') && key === this.key) || (what === 'connection' && this.state.apiServer.connected);
    if (!mine) return;
    // Several watch events in a burst make one read.
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.load(), 150);
  }

  close() {
    clearTimeout(this.timer);
    this.closed = true;
    for (const p of this.plots) p.destroy();
  }

  async load() {
    const answer = await readRollout(this.key);
    if (this.closed) return;
    if (!answer.ok) {
      this.view.replaceChildren(h('h1', {}, this.key), h('p', { class: 'error', role: 'alert' }, answer.body.message));
      return;
    }
    this.render(answer.body);
  }

  render(d) {
    for (const p of this.plots) p.destroy();
    const weight = weightChart(d.weights);
    const metrics = d.metrics.map(metricChart);
    this.plots = [weight, ...metrics].map((c) => c.plot).filter(Boolean);
    this.view.replaceChildren(
      h('p', {}, h('a', { href: '#/' }, '← all Rollouts')),
      h('h1', {}, `${d.row.namespace}/${d.row.name} `, phaseBadge(d.row)),
      summary(d),
      h('section', { class: 'actions' }, d.actions.map((a) => this.button(a, d.revision)), this.outcome),
      h('section', { class: 'charts' }, h('h2', {}, 'Release'), weight.figure, ...metrics.map((m) => m.figure)),
      h('section', {}, h('h2', {}, 'Timeline'), timeline(d.timeline)),
      h('section', {}, h('h2', {}, 'Events'), events(d)),
    );
  }

  button(a, revision) {
    return h('button', { dataset: { action: a.action }, disabled: !a.available, title: a.reason ?? `kubectl flowshift ${a.action}`, onclick: () => this.confirm(a.action, revision) }, LABELS[a.action]);
  }

  /** Asks first, then runs the command and shows its answer: the API server's own words when it refuses. */
  async confirm(action, revision) {
    const dialog = document.getElementById('confirm');
    const [namespace, name] = this.key.split('/');
    document.getElementById('confirm-text').textContent = `${this.key}: ${QUESTIONS[action].replace('%r', revision ?? '')}`;
    document.getElementById('confirm-command').textContent = `Runs kubectl flowshift ${action} ${name} -n ${namespace}, with your credentials.`;
    dialog.returnValue = '';
    dialog.showModal();
    await new Promise((resolve) => dialog.addEventListener('close', resolve, { once: true }));
    if (dialog.returnValue !== 'ok') return;
    const answer = await act(this.key, action);
    this.outcome = outcomeOf(action, answer);
    document.querySelector('section.actions .outcome')?.remove();
    document.querySelector('section.actions')?.append(this.outcome);
  }
}

function outcomeOf(action, answer) {
  const { body, status } = answer;
  let text = body.message;
  if (!answer.ok && body.refusedBy === 'api-server') text = `The API server refused ${action} (${status}): ${body.message}`;
  else if (!answer.ok) text = `${action} not done: ${body.message}`;
  return h('p', { class: `outcome ${answer.ok ? 'pass' : 'fail'}`, role: answer.ok ? 'status' : 'alert', dataset: { status } }, text);
}

function summary(d) {
  const r = d.row;
  const items = [
    ['Strategy', r.strategy],
    ['Weight', [weightBar(r.canaryWeight), ` ${r.canaryWeight}%`, r.stepText ? ` (${r.stepText})` : '', r.mirrorWeight ? `, mirror ${r.mirrorWeight}%` : '']],
    ['Checks', `${r.failedChecks} failed, rollback at ${r.threshold}`],
    ['Revision', `${r.revision.applied ?? 'none'}${r.revision.promoted && r.revision.promoted !== r.revision.applied ? ` (primary runs ${r.revision.promoted})` : ''}`],
    ['Waiting on', r.waitingGates.length ? r.waitingGates.join(', ') : 'nothing'],
    ['Approved', r.approval ? `by ${r.approval.by} at ${clock(r.approval.at)}` : '—'],
    ['Message', r.message ?? ''],
  ];
  return h('dl', { class: 'summary' }, items.map(([k, v]) => [h('dt', {}, k), h('dd', { dataset: { field: k.toLowerCase().replace(' ', '-') } }, v)]));
}

function timeline(entries) {
  if (entries.length === 0) return h('p', { class: 'empty' }, 'Nothing recorded yet.');
  return h('ol', { class: 'timeline' }, entries.map((e) => h('li', { class: `${e.kind}${e.warning ? ' warning' : ''}` }, h('time', { datetime: e.time }, clock(e.time)), ' ', h('span', { class: 'kind' }, e.kind), ' ', e.text)));
}

function events(d) {
  if (d.eventsError) return h('p', { class: 'error' }, d.eventsError);
  if (d.events.length === 0) return h('p', { class: 'empty' }, 'No Events (they expire after an hour by default).');
  return h(
    'table',
    { class: 'events' },
    h('thead', {}, h('tr', {}, ['Last seen', 'Type', 'Reason', 'Message', 'Count'].map((c) => h('th', {}, c)))),
    h('tbody', {}, d.events.map((e) => h('tr', { class: e.type === 'Warning' ? 'warning' : '' }, h('td', {}, clock(e.lastTime)), h('td', {}, e.type), h('td', {}, e.reason), h('td', {}, e.message), h('td', {}, e.count)))),
  );
}
