// The PocketProxy dashboard: a small single-page app over the REST API (no build step, no CDN).
import { api, whenSignedOut } from './api.js';
import { showError, toast } from './ui.js';
import { loginView } from './views/login.js';
import { devicesView } from './views/devices.js';
import { connectionsView } from './views/connections.js';
import { settingsView } from './views/settings.js';

const REFRESH_MILLIS = 5000;
const views = { login: loginView, devices: devicesView, connections: connectionsView, settings: settingsView };

const state = { me: null, view: null, timer: null };

function route() {
  const [name, ...rest] = location.hash.replace(/^#\/?/, '').split('/');
  return { name: views[name] ? name : state.me ? 'devices' : 'login', args: rest };
}

async function render() {
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
  }
  clearInterval(state.timer);
  const main = document.getElementById('view');
  main.replaceChildren();
  document.getElementById('topbar').hidden = name === 'login';
  document.getElementById('whoami').textContent = state.me?.email ?? '';
  for (const link of document.querySelectorAll('[data-nav]')) {
    link.toggleAttribute('aria-current', link.dataset.nav === name);
    if (link.dataset.nav === name) link.setAttribute('aria-current', 'page');
  }
  const view = views[name]({ main, args, me: state.me, signedIn, go });
  state.view = view;
  await view.refresh?.();
  if (view.refresh) {
    // Values move on their own: usage, status, "last seen". A dialog in front is left alone.
    state.timer = setInterval(() => {
      if (!document.querySelector('dialog[open]')) {
        view.refresh().catch(e => showError(e));
      }
    }, REFRESH_MILLIS);
  }
  main.focus();
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

whenSignedOut(() => {
  if (state.me) {
    state.me = null;
    toast('Your session has ended. Sign in again.', 'error');
  }
  go('login');
});

document.getElementById('logout').addEventListener('click', async () => {
  clearInterval(state.timer);
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
