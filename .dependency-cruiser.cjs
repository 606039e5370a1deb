// The rooms of src/ and the only arrows allowed between them: imports run one
// way, from the entry points down to the API's vocabulary. `npm run lint`
// refuses an import that runs back up; `npm run layout` draws the rooms.
// A room is a folder under src/ (or a file directly in it); a room not
// listed here may import only the leaves.
const LEAVES = ['version.ts', 'redact.ts', 'json.ts'];
const ALLOWED = {
  api: [],
  domain: ['api'],
  kube: ['api'],
  http: [],
  redis: [],
  metrics: ['api', 'http'],
  analysis: ['api', 'domain', 'kube', 'metrics', 'http'],
  gates: ['api', 'domain', 'http'],
  workload: ['api', 'domain', 'kube'],
  router: ['api', 'domain', 'kube'],
  notifier: ['api', 'domain', 'kube', 'http', 'redis', 'gates'],
  checks: ['api', 'kube', 'http', 'analysis', 'metrics', 'gates', 'workload', 'router', 'notifier'],
  controller: ['api', 'domain', 'kube', 'http', 'redis', 'analysis', 'gates', 'workload', 'router', 'notifier', 'checks'],
  lint: ['api', 'kube', 'analysis', 'notifier', 'workload', 'router', 'checks'],
  // undo restores the target from the primary: the inverse of workload's clone lives next to it.
  // backtest runs the analysis' own preparation and verdicts from the user's machine.
  cli: ['api', 'domain', 'kube', 'lint', 'workload', 'analysis'],
  install: ['kube'],
  'config.ts': ['api', 'redis', 'http'],
  'health.ts': [],
  'startup-check.ts': ['api', 'kube', 'redis', 'router'],
  'log-redaction.ts': [],
  'main.ts': ['kube', 'http', 'redis', 'analysis', 'controller', 'config.ts', 'health.ts', 'startup-check.ts', 'log-redaction.ts'],
};
const path = (room) => (room.endsWith('.ts') ? `^src/${room.replace('.', '\\.')}$` : `^src/${room}/`);
const rooms = Object.keys(ALLOWED);
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'A file that reaches itself through its imports: two concepts tangled, or one split wrongly.', from: {}, to: { circular: true } },
    ...rooms.map((room) => ({
      name: `${room.replace('.ts', '')}-imports-only-below`,
      severity: 'error',
      comment: `${room} may import only: ${[...ALLOWED[room], ...LEAVES].join(', ') || 'nothing outside itself'}`,
      from: { path: path(room) },
      to: { path: '^src/', pathNot: [path(room), ...ALLOWED[room].map(path), ...LEAVES.map(path)] },
    })),
  ],
  options: {
    includeOnly: '^src/',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
