// Charts with uPlot (served from its npm package by the dashboard): the
// weight over time, and each metric's measurements, canary against primary,
// with the bound. One point per measurement the status records: one per
// analysis interval.
import { clock, h } from './dom.js';

const WIDTH = 560;
const HEIGHT = 220;
const COLORS = { canary: '#d9480f', primary: '#1c7ed6', bound: '#868e96', weight: '#5f3dc4' };

const seconds = (time) => Date.parse(time) / 1000;

/** The canary weight as a stepped line: each step holds until the next. */
export function weightChart(points) {
  const figure = h('figure', { class: 'chart', dataset: { chart: 'weight', points: points.length } }, h('figcaption', {}, 'Canary weight (%)'));
  if (points.length === 0) return { figure: withNote(figure, 'No weight seen yet in this release.'), plot: null };
  const data = [points.map((p) => seconds(p.time)), points.map((p) => p.weight)];
  const plot = new uPlot(
    {
      width: WIDTH,
      height: HEIGHT,
      scales: { y: { range: [0, 100] } },
      series: [{}, { label: 'weight %', stroke: COLORS.weight, width: 2, paths: uPlot.paths.stepped({ align: 1 }), points: { show: true } }],
    },
    data,
    figure,
  );
  return { figure, plot };
}

/** A metric's measurements: canary and primary values, the bound as flat lines, a table of the same points. */
export function metricChart(series) {
  const { points, bound } = series;
  const figure = h(
    'figure',
    { class: 'chart', dataset: { chart: 'metric', metric: series.name, points: points.length } },
    h('figcaption', {}, series.name, h('span', { class: series.latest.passed ? 'pass' : 'fail' }, ` — ${series.latest.passed ? 'passed' : 'failed'}: ${series.latest.message}`)),
  );
  const lines = [
    { label: 'canary', values: points.map((p) => p.canary), stroke: COLORS.canary, width: 2 },
    { label: 'primary', values: points.map((p) => p.primary), stroke: COLORS.primary, width: 2 },
    ...['min', 'max'].filter((k) => bound[k] !== undefined).map((k) => ({ label: `bound ${k}`, values: points.map(() => bound[k]), stroke: COLORS.bound, dash: [6, 4] })),
  ].filter((l) => l.values.some((v) => v !== null));
  const data = [points.map((p) => seconds(p.time)), ...lines.map((l) => l.values)];
  const plot = new uPlot(
    {
      width: WIDTH,
      height: HEIGHT,
      series: [{}, ...lines.map((l) => ({ label: l.label, stroke: l.stroke, width: l.width ?? 1, dash: l.dash, spanGaps: false, points: { show: true } }))],
    },
    data,
    figure,
  );
  figure.append(measurementsTable(points));
  return { figure, plot };
}

function measurementsTable(points) {
  return h(
    'details',
    {},
    h('summary', {}, `${points.length} measurement${points.length === 1 ? '' : 's'}`),
    h(
      'table',
      { class: 'measurements' },
      h('thead', {}, h('tr', {}, ['time', 'weight', 'canary', 'primary', 'check'].map((c) => h('th', {}, c)))),
      h('tbody', {}, points.map((p) => h('tr', {}, h('td', {}, clock(p.time)), h('td', {}, p.weight ?? ''), h('td', {}, p.canary ?? 'no data'), h('td', {}, p.primary ?? ''), h('td', {}, p.passed ? 'passed' : 'failed')))),
    ),
  );
}

function withNote(figure, note) {
  figure.append(h('p', { class: 'empty' }, note));
  return figure;
}
