// The PocketProxy dashboard: a small single-page app over the REST API (no build step, no CDN).
import { api, whenDatabaseChanges, whenSignedOut } from './api.js';
import { showError, toast } from './ui.js';
import { loginView } from './views/login.js';
import { devicesView } from './views/devices.js';
import { connectionsView } from './views/connections.js';
import { settingsView } from './views/settings.js';

const REFRESH_MILLIS = 5000;
const views = { login: loginView, devices: devicesView, connections: connectionsView, settings: settingsView };

const state = { me: null, refresher: null, rendering: 0 };

function route() {
  const [name, ...rest] = location.hash.replace(/^#\/?/, '').split('/');
  return { name: views[name] ? name : state.me ? 'devices' : 'login', args: rest };
}

async function render() {
  // A render that a later navigation overtook (while it waited for /api/me) stops where it is.
  const rendering = ++state.rendering;
  stopRefreshing();
  const { name, args } = route();
  if (name !== 'login' && !state.me) {
    if (!document.cookie.split('; ').includes('pocketproxy_signed_in=1')) {
      go('login'); // no session: nothing to ask the API
      return;
    }
    try {
      state.me = await api('GET', '/api/me');
    } catch (e) {
      showError(e);
      go('login');
      return;
    }
    if (rendering !== state.rendering) {
      return;
    }
  }
  const main = document.getElementById('view');
  main.replaceChildren();
  document.getElementById('topbar').hidden = name === 'login';
  document.getElementById('whoami').textContent = state.me?.email ?? '';
  for (const link of document.querySelectorAll('[data-nav]')) {
    link.toggleAttribute('aria-current', link.dataset.nav === name);
    if (link.dataset.nav === name) link.setAttribute('aria-current', 'page');
  }
  const view = views[name]({ main, args, me: state.me, signedIn, go });
  // Focus first, then load: a control the operator reaches while the list loads keeps the focus.
  main.focus();
  if (view.refresh) {
    state.refresher = keepRefreshed(view.refresh);
  }
}

function stopRefreshing() {
  state.refresher?.stop();
  state.refresher = null;
}

/**
 * Loads a view now and again every REFRESH_MILLIS, because its values move on their own (usage, status, "last
 * seen"). One timer at a time, set only once the previous refresh has answered: refreshes never overlap, and a
 * slow server is not asked again before it has answered. Nothing is asked while the tab is hidden or a dialog is
 * open; coming back to the tab refreshes at once. {@code stop()} ends it for good (navigation, signing out).
 */
function keepRefreshed(refresh) {
  let timer = null;
  let running = false;
  let stopped = false;

  async function tick() {
    timer = null;
    if (stopped || running || document.hidden) {
      return;
    }
    if (!document.querySelector('dialog[open]')) {
      running = true;
      try {
        await refresh();
      } catch (e) {
        showError(e);
      } finally {
        running = false;
      }
    }
    schedule();
  }

  function schedule() {
    if (!stopped && !running && timer === null && !document.hidden) {
      timer = setTimeout(tick, REFRESH_MILLIS);
    }
  }

  function visibilityChanged() {
    clearTimeout(timer);
    timer = null;
    if (!document.hidden) {
      tick(); // the values moved while nobody looked
    }
  }

  document.addEventListener('visibilitychange', visibilityChanged);
  // The first load goes out even in a tab opened in the background: the page must not stay empty.
  running = true;
  refresh().catch(showError).finally(() => {
    running = false;
    schedule();
  });
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', visibilityChanged);
    }
  };
}

function go(name) {
  if (location.hash === `#/${name}`) {
    render();
  } else {
    location.hash = `#/${name}`;
  }
}

function signedIn(me) {
  state.me = me;
  go('devices');
}

// One banner for the database's outage, however many requests it fails; the pages' own refreshes clear it.
whenDatabaseChanges(up => {
  document.getElementById('outage').hidden = up;
});

whenSignedOut(() => {
  if (state.me) {
    state.me = null;
    toast('Your session has ended. Sign in again.', 'error');
  }
  go('login');
});

document.getElementById('logout').addEventListener('click', async () => {
  stopRefreshing();
  try {
    await api('POST', '/api/auth/logout');
  } finally {
    state.me = null;
    go('login');
  }
});

window.addEventListener('hashchange', render);
window.addEventListener('unhandledrejection', event => {
  showError(event.reason);
});
render();
