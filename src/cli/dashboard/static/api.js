// The dashboard's server, as the page talks to it: one event stream for
// everything live, a read for a Rollout's details, and the buttons' POSTs.

const token = document.querySelector('meta[name="flowshift-token"]').content;

/** { ok, status, body }: the server's answer, or status 0 when the dashboard itself does not answer. */
async function request(path, init = {}) {
  try {
    const res = await fetch(path, { ...init, headers: { Accept: 'application/json', ...init.headers } });
    return { ok: res.ok, status: res.status, body: await res.json() };
  } catch (err) {
    return { ok: false, status: 0, body: { message: `the dashboard does not answer (${err.message}); is kubectl flowshift dashboard still running?` } };
  }
}

export const rolloutPath = (key) => `/api/rollouts/${key.split('/').map(encodeURIComponent).join('/')}`;

export function readRollout(key) {
  return request(rolloutPath(key));
}

/** A button's command; the token proves the request comes from this page. */
export function act(key, action) {
  return request(`${rolloutPath(key)}/${action}`, { method: 'POST', headers: { 'X-Flowshift-Token': token } });
}

/**
 * The live state: rows keyed by namespace/name, the API server's connection
 * and the dashboard's own. `onChange(what, key)` is told of each change.
 * EventSource reconnects by itself; each new stream starts with a snapshot.
 */
export function connect(onChange) {
  // Nothing is known before the first events: no banner until something is wrong (dashboard: null is "not heard from yet").
  const state = { scope: '', rows: new Map(), apiServer: { connected: true, message: null }, dashboard: null };
  const source = new EventSource('/api/stream');
  const on = (event, handle) => source.addEventListener(event, (e) => handle(JSON.parse(e.data)));
  on('hello', (hello) => {
    state.scope = hello.scope;
    state.dashboard = true;
    onChange('connection');
  });
  on('snapshot', (rows) => {
    state.rows = new Map(rows.map((r) => [r.key, r]));
    onChange('rows');
  });
  on('rollout', (row) => {
    state.rows.set(row.key, row);
    onChange('rollout', row.key);
  });
  on('deleted', ({ key }) => {
    state.rows.delete(key);
    onChange('rollout', key);
  });
  on('events', ({ key }) => onChange('events', key));
  on('connection', (connection) => {
    state.apiServer = connection;
    onChange('connection');
  });
  source.addEventListener('error', () => {
    state.dashboard = false;
    onChange('connection');
  });
  return state;
}
