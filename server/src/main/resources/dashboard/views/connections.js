import { api } from '../api.js';
import { bytes, gigabytesToBytes } from '../format.js';
import { h, openDialog, confirmAction, secret, field, showError, toast } from '../ui.js';

const TYPES = ['HTTP', 'SOCKS5', 'OPENVPN'];

export function connectionsView({ main }) {
  const filter = h('select', { name: 'device-filter', onchange: () => refresh() }, h('option', { value: '' }, 'All devices'));
  const body = h('div', { class: 'card' });
  let devices = [];
  let connectionsList = [];
  const add = h('button', { type: 'button', class: 'primary', onclick: () => addConnection(devices, refresh) }, 'Add connection');
  main.append(h('div', { class: 'page-head' },
      h('div', {}, h('h1', {}, 'Connections'), h('p', { class: 'muted' }, 'What your customers sign in with, and what they have used.')),
      h('div', { class: 'toolbar' }, field('Device', filter), add)), body);

  async function refresh() {
    const chosen = filter.value;
    const query = chosen ? `?device_id=${encodeURIComponent(chosen)}` : '';
    [devices, connectionsList] = await Promise.all([api('GET', '/api/devices'), api('GET', `/api/connections${query}`)]);
    filter.replaceChildren(h('option', { value: '' }, 'All devices'),
        ...devices.map(device => h('option', { value: device.id, selected: device.id === chosen }, device.name)));
    body.replaceChildren(connectionsList.length > 0
        ? table(connectionsList, refresh)
        : devices.length === 0
            ? empty('No devices yet', 'Connections exit through a device: add one on the Devices page first.', null)
            : empty('No connections yet', 'Create one and give its endpoint and credentials to your customer.', () => add.click()));
  }
  return { refresh };
}

function empty(title, text, onAdd) {
  return h('div', { class: 'empty' }, h('h2', {}, title), h('p', {}, text),
      onAdd ? h('button', { type: 'button', class: 'primary', onclick: onAdd }, 'Add a connection') : h('a', { class: 'button', href: '#/devices' }, 'Go to devices'));
}

function table(connections, refresh) {
  return h('table', { 'aria-label': 'Connections' },
      h('thead', {}, h('tr', {}, ['Type', 'Device', 'Username', 'Endpoint', 'Usage', 'Active', ''].map(t => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, connections.map(connection => h('tr', { 'data-username': connection.username },
          h('td', { 'data-label': 'Type' }, h('span', { class: 'badge type' }, connection.type)),
          h('td', { 'data-label': 'Device' }, connection.device_name),
          h('td', { 'data-label': 'Username', class: 'mono' }, connection.username),
          h('td', { 'data-label': 'Endpoint', class: 'mono' }, connection.endpoint),
          h('td', { 'data-label': 'Usage' }, usage(connection)),
          h('td', { 'data-label': 'Active' }, activeToggle(connection, refresh)),
          h('td', { class: 'actions' },
              connection.type === 'OPENVPN'
                  ? h('button', { type: 'button', class: 'small', onclick: () => downloadProfile(connection) }, 'Download .ovpn')
                  : null,
              h('button', { type: 'button', class: 'small', onclick: () => regenerate(connection, refresh) }, 'New password'),
              h('button', { type: 'button', class: 'small', onclick: () => reset(connection, refresh) }, 'Reset usage'),
              h('button', { type: 'button', class: 'small danger', onclick: () => remove(connection, refresh) }, 'Delete'))))));
}

/** "750 MB / 1 GB" with a bar, red above 90 %; "Unlimited" without one. */
export function usage(connection) {
  const used = connection.bandwidth_used;
  const limit = connection.bandwidth_limit;
  if (!limit) {
    return h('div', { class: 'usage', 'data-testid': 'usage' }, h('div', { class: 'label' }, `${bytes(used)} used · Unlimited`));
  }
  const share = Math.min(1, used / limit);
  const reached = used >= limit;
  const fill = h('div', { class: 'fill' });
  fill.style.width = `${(share * 100).toFixed(1)}%`; // through the CSSOM: the page's CSP allows no style attributes
  return h('div', { class: `usage${share > 0.9 ? ' high' : ''}`, 'data-testid': 'usage', role: 'meter',
    'aria-valuemin': 0, 'aria-valuemax': limit, 'aria-valuenow': Math.min(used, limit), 'aria-label': 'Bandwidth used' },
      h('div', { class: 'bar' }, fill),
      h('div', { class: 'label' }, `${bytes(used)} / ${bytes(limit)}`, reached ? h('span', { class: 'reached' }, ' · Limit reached') : null));
}

function activeToggle(connection, refresh) {
  const box = h('input', { type: 'checkbox', role: 'switch', checked: connection.active,
    'aria-label': `${connection.username} active`,
    onchange: async () => {
      box.disabled = true;
      try {
        await api('PATCH', `/api/connections/${connection.id}`, { active: box.checked });
        toast(`${connection.username} ${box.checked ? 'enabled' : 'disabled'}.`);
      } catch (e) {
        box.checked = !box.checked;
        showError(e);
      } finally {
        box.disabled = false;
        refresh();
      }
    } });
  return h('label', { class: 'switch' }, box, h('span', {}, connection.active ? 'On' : 'Off'));
}

async function addConnection(devices, refresh) {
  if (devices.length === 0) {
    toast('Add a device first: a connection exits through one.', 'error');
    return;
  }
  await openDialog(close => {
    const device = h('select', { name: 'device' }, devices.map(d => h('option', { value: d.id }, d.name)));
    const type = h('select', { name: 'type' }, TYPES.map(t => h('option', { value: t }, t)));
    const limit = h('input', { type: 'number', name: 'limit', min: 0, step: 'any', inputmode: 'decimal', placeholder: 'Unlimited' });
    const error = h('p', { class: 'error-text', role: 'alert', hidden: true });
    const create = h('button', { type: 'submit', class: 'primary' }, 'Create connection');
    const form = h('form', {
      onsubmit: async event => {
        event.preventDefault();
        if (limit.value !== '' && !(Number(limit.value) >= 0)) {
          error.textContent = 'The limit must be a number of gigabytes, 0 or more.';
          error.hidden = false;
          return;
        }
        create.disabled = true;
        try {
          const created = await api('POST', '/api/connections', {
            device_id: device.value, type: type.value,
            bandwidth_limit: limit.value === '' ? 0 : gigabytesToBytes(limit.value) });
          form.replaceWith(credentials('Connection created', created, close));
          refresh();
        } catch (e) {
          error.textContent = e.message;
          error.hidden = false;
          create.disabled = false;
        }
      }
    }, h('h2', {}, 'Add a connection'), h('p', { class: 'lead' }, 'Credentials are generated for you.'),
        field('Device', device), field('Type', type), field('Bandwidth limit (GB)', limit, 'Leave empty for unlimited. 1 GB = 1024³ bytes.'),
        error, h('div', { class: 'buttons' }, h('button', { type: 'button', onclick: () => close() }, 'Cancel'), create));
    return form;
  }, 'Add a connection');
}

/** The one moment a password is visible. */
function credentials(title, connection, close) {
  return h('div', { class: 'body' },
      h('h2', {}, title),
      h('div', { class: 'warning', role: 'note' }, 'Copy the password now: you will not see it again.'),
      h('dl', { class: 'kv' }, h('dt', {}, 'Type'), h('dd', {}, connection.type), h('dt', {}, 'Endpoint'), h('dd', {}, connection.endpoint),
          h('dt', {}, 'Username'), h('dd', { 'data-testid': 'username' }, connection.username)),
      secret('Password', connection.password, 'password'),
      connection.proxy_url ? secret('Try it', `curl -x '${connection.proxy_url}' https://example.com/`, 'curl') : null,
      connection.ovpn
          ? h('div', { class: 'field' },
              h('label', {}, 'OpenVPN profile'),
              h('p', { class: 'hint' }, 'With the credentials inside: import it into any OpenVPN client as it is. Later downloads ask for the password instead.'),
              h('button', { type: 'button', onclick: () => save(`${connection.username}.ovpn`, connection.ovpn) }, 'Download .ovpn with credentials'))
          : null,
      h('div', { class: 'buttons' }, h('button', { type: 'button', class: 'primary', onclick: () => close() }, 'Done')));
}

/** The profile without credentials, as the API serves it; the customer's client asks for username and password. */
async function downloadProfile(connection) {
  try {
    const response = await fetch(`/api/connections/${connection.id}/ovpn`, { credentials: 'same-origin' });
    if (!response.ok) {
      const body = await response.json().catch(() => null);
      throw new Error(body?.error ?? `The server answered ${response.status}.`);
    }
    save(`${connection.username}.ovpn`, await response.text());
  } catch (e) {
    showError(e);
  }
}

/** Hands {@code text} to the browser as a file download. */
function save(fileName, text) {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/x-openvpn-profile' }));
  const link = h('a', { href: url, download: fileName, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

async function regenerate(connection, refresh) {
  if (!await confirmAction(`New password for ${connection.username}?`, 'The current password stops working at once; open connections are closed.', 'Generate new password')) {
    return;
  }
  try {
    const regenerated = await api('POST', `/api/connections/${connection.id}/regenerate-password`);
    await openDialog(close => credentials('New password', regenerated, close), 'New password');
    refresh();
  } catch (e) {
    showError(e);
  }
}

async function reset(connection, refresh) {
  if (!await confirmAction(`Reset usage of ${connection.username}?`, 'Usage goes back to 0 and, if the limit was reached, the connection works again.', 'Reset usage')) {
    return;
  }
  try {
    await api('POST', `/api/connections/${connection.id}/reset-bandwidth`);
    toast(`Usage of ${connection.username} reset.`);
    refresh();
  } catch (e) {
    showError(e);
  }
}

async function remove(connection, refresh) {
  if (!await confirmAction(`Delete ${connection.username}?`, 'The customer loses access at once; open connections are closed.', 'Delete connection', true)) {
    return;
  }
  try {
    await api('DELETE', `/api/connections/${connection.id}`);
    toast(`${connection.username} deleted.`);
    refresh();
  } catch (e) {
    showError(e);
  }
}
