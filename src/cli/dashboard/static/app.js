// The page: a list of Rollouts (#/) and a Rollout's page (#/rollouts/ns/name),
// both redrawn from the one event stream; no reload, no polling.
import { connect } from './api.js';
import { renderList, refreshAges } from './list.js';
import { RolloutPage } from './rollout.js';

const view = document.getElementById('view');
let page = null;

const state = connect((what, key) => {
  if (what === 'connection') showConnection();
  if (page) page.changed(what, key);
  else renderList(view, state);
});

function route() {
  page?.close();
  page = null;
  const match = /^#\/rollouts\/([^/]+)\/([^/]+)$/.exec(location.hash);
  if (match) {
    page = new RolloutPage(view, `${decodeURIComponent(match[1])}/${decodeURIComponent(match[2])}`, state);
  } else {
    renderList(view, state);
  }
}

/** The banner says what the page cannot know right now, and goes when it can again. */
function showConnection() {
  document.getElementById('scope').textContent = state.scope;
  const banner = document.getElementById('banner');
  const live = document.getElementById('live');
  let problem = null;
  if (state.dashboard === false) problem = 'The dashboard server does not answer (was kubectl flowshift dashboard stopped?). Retrying; what is shown may be out of date.';
  else if (!state.apiServer.connected) problem = `No live updates: ${state.apiServer.message}. What is shown is what was last seen; the page catches up by itself once the watch works again.`;
  banner.hidden = problem === null;
  banner.textContent = problem ?? '';
  live.textContent = problem ? 'not live' : state.dashboard ? 'live' : 'connecting…';
  live.classList.toggle('down', problem !== null);
}

window.addEventListener('hashchange', route);
setInterval(() => {
  if (!page) refreshAges(view);
}, 1000);
route();
showConnection();
