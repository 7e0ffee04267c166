import { api } from '../api.js';
import { usageChart } from '../chart.js';
import { bytes, bytesToGigabytes, gigabytesToBytes } from '../format.js';
import { h, openDialog, confirmAction, secret, field, showError, toast, oneAtATime, setText, setAttribute, syncChildren, listCard } from '../ui.js';

const TYPES = ['HTTP', 'SOCKS5', 'OPENVPN'];

export function connectionsView({ main }) {
  const filter = h('select', { name: 'device-filter', onchange: () => refresh().catch(showError) },
      h('option', { value: '', 'data-key': '' }, 'All devices'));
  const body = listCard('connections');
  let devices = [];
  // Enabled once the devices are known: the form offers them.
  const add = h('button', { type: 'button', class: 'primary', disabled: true, onclick: () => addConnection(devices, refresh) }, 'Add connection');
  const currentDevices = () => devices;
  main.append(h('div', { class: 'page-head' },
      h('div', {}, h('h1', {}, 'Connections'), h('p', { class: 'muted' }, 'What your customers sign in with, and what they have used.')),
      h('div', { class: 'toolbar' }, field('Device', filter), add)), body.card);
  const rows = h('tbody');
  const table = h('table', { 'aria-label': 'Connections' },
      h('thead', {}, h('tr', {}, ['Type', 'Device', 'Username', 'Endpoint', 'Usage', 'Active', ''].map(t => h('th', { scope: 'col' }, t)))),
      rows);
  const noDevices = empty('No devices yet', 'Connections exit through a device: add one on the Devices page first.', null);
  const noConnections = empty('No connections yet', 'Create one and give its endpoint and credentials to your customer.', () => add.click());

  const refresh = oneAtATime(async () => {
    const chosen = filter.value;
    const query = chosen ? `?device_id=${encodeURIComponent(chosen)}` : '';
    let connections;
    try {
      [devices, connections] = await Promise.all([api('GET', '/api/devices'), api('GET', `/api/connections${query}`)]);
    } catch (e) {
      body.failed(e);
      throw e;
    }
    add.disabled = false;
    // The options change in place: an open or focused list is not pulled from under the operator.
    syncChildren(filter, [{ id: '', name: 'All devices' }, ...devices], device => device.id,
        () => h('option'), (option, device) => {
          option.value = device.id;
          setText(option, device.name);
        });
    if (filter.value !== chosen) {
      // The filter changed while this answer was on its way, or its device is gone: show the next answer instead.
      refresh().catch(showError);
      return;
    }
    syncChildren(rows, connections, connection => connection.id, connection => row(connection, currentDevices, refresh), showConnection);
    body.show(connections.length > 0 ? table : devices.length === 0 ? noDevices : noConnections);
  });
  return { refresh };
}

function empty(title, text, onAdd) {
  return h('div', { class: 'empty' }, h('h2', {}, title), h('p', {}, text),
      onAdd ? h('button', { type: 'button', class: 'primary', onclick: onAdd }, 'Add a connection') : h('a', { class: 'button', href: '#/devices' }, 'Go to devices'));
}

/** A connection's row, made once; {@link showConnection} fills it in at every refresh. Its buttons act on the latest figures. */
function row(connection, devices, refresh) {
  const tr = h('tr', {},
      h('td', { 'data-label': 'Type' }, h('span', { class: 'badge type' })),
      h('td', { 'data-label': 'Device' }),
      h('td', { 'data-label': 'Username', class: 'mono' }),
      h('td', { 'data-label': 'Endpoint', class: 'mono' }),
      h('td', { 'data-label': 'Usage' }, h('div', { class: 'usage-cell' }, usageMeter(),
          h('button', { type: 'button', class: 'small ghost', onclick: () => usageHistory(tr.connection) }, 'Chart'))),
      h('td', { 'data-label': 'Active' }, activeToggle(() => tr.connection, refresh)),
      h('td', { class: 'actions' },
          // A connection's type never changes: only OPENVPN rows offer a profile.
          connection.type === 'OPENVPN'
              ? h('button', { type: 'button', class: 'small', onclick: () => downloadProfile(tr.connection) }, 'Download .ovpn')
              : null,
          h('button', { type: 'button', class: 'small', onclick: () => edit(tr.connection, devices(), refresh) }, 'Edit'),
          h('button', { type: 'button', class: 'small', onclick: () => regenerate(tr.connection, refresh) }, 'New password'),
          h('button', { type: 'button', class: 'small', onclick: () => reset(tr.connection, refresh) }, 'Reset usage'),
          h('button', { type: 'button', class: 'small', onclick: () => rotationLink(tr.connection) }, 'Rotation link'),
          h('button', { type: 'button', class: 'small danger', onclick: () => remove(tr.connection, refresh) }, 'Delete')));
  return tr;
}

function showConnection(tr, connection) {
  tr.connection = connection;
  setAttribute(tr, 'data-username', connection.username);
  const [type, device, username, endpoint, usage, active] = tr.cells;
  setText(type.firstChild, connection.type);
  setText(device, connection.device_name);
  setText(username, connection.username);
  setText(endpoint, connection.endpoint);
  showUsage(usage.firstChild.firstChild, connection);
  setAttribute(usage.firstChild.lastChild, 'aria-label', `Usage chart of ${connection.username}`);
  showActive(active.firstChild, connection);
}

function usageMeter() {
  const fill = h('div', { class: 'fill' });
  return h('div', { class: 'usage', 'data-testid': 'usage' },
      h('div', { class: 'bar' }, fill),
      h('div', { class: 'label' }, h('span')));
}

/** "750 MB / 1 GB" with a bar, red above 90 %, "· Limit reached" at the limit; "6 MB used · Unlimited" without a limit. */
function showUsage(meter, connection) {
  const used = connection.bandwidth_used;
  const limit = connection.bandwidth_limit;
  const [bar, label] = meter.children;
  const text = label.firstElementChild;
  const share = limit ? Math.min(1, used / limit) : 0;
  const reached = !!limit && used >= limit;
  setAttribute(meter, 'class', `usage${share > 0.9 ? ' high' : ''}`);
  setAttribute(meter, 'role', limit ? 'meter' : null);
  setAttribute(meter, 'aria-label', limit ? 'Bandwidth used' : null);
  setAttribute(meter, 'aria-valuemin', limit ? 0 : null);
  setAttribute(meter, 'aria-valuemax', limit || null);
  setAttribute(meter, 'aria-valuenow', limit ? Math.min(used, limit) : null);
  bar.hidden = !limit;
  const width = `${(share * 100).toFixed(1)}%`;
  if (bar.firstElementChild.style.width !== width) {
    bar.firstElementChild.style.width = width; // through the CSSOM: the page's CSP allows no style attributes
  }
  setText(text, limit ? `${bytes(used)} / ${bytes(limit)}` : `${bytes(used)} used · Unlimited`);
  // Removed, not hidden, when not reached: the meter's text is what it says.
  const badge = label.querySelector('.reached');
  if (reached && !badge) {
    label.append(h('span', { class: 'reached' }, ' · Limit reached'));
  } else if (!reached && badge) {
    badge.remove();
  }
}

function activeToggle(current, refresh) {
  const state = h('span');
  const box = h('input', { type: 'checkbox', role: 'switch',
    onchange: async () => {
      const connection = current();
      box.disabled = true;
      try {
        await api('PATCH', `/api/connections/${connection.id}`, { active: box.checked });
        toast(`${connection.username} ${box.checked ? 'enabled' : 'disabled'}.`);
      } catch (e) {
        box.checked = !box.checked;
        showError(e);
      } finally {
        box.disabled = false;
        refresh().catch(showError);
      }
    } });
  return h('label', { class: 'switch' }, box, state);
}

function showActive(toggle, connection) {
  const [box, state] = toggle.children;
  setAttribute(box, 'aria-label', `${connection.username} active`);
  if (!box.disabled) {
    box.checked = connection.active; // not while the operator's own change is on its way
  }
  setText(state, connection.active ? 'On' : 'Off');
}

async function addConnection(devices, refresh) {
  if (devices.length === 0) {
    toast('Add a device first: a connection exits through one.', 'error');
    return;
  }
  await openDialog(close => {
    const device = h('select', { name: 'device' }, devices.map(d => h('option', { value: d.id }, d.name)));
    const type = h('select', { name: 'type' }, TYPES.map(t => h('option', { value: t }, t)));
    const limit = limitInput(0);
    const error = h('p', { class: 'error-text', role: 'alert', hidden: true });
    const create = h('button', { type: 'submit', class: 'primary' }, 'Create connection');
    const form = h('form', {
      onsubmit: async event => {
        event.preventDefault();
        const bandwidthLimit = limitBytes(limit, error);
        if (bandwidthLimit === null) {
          return;
        }
        create.disabled = true;
        try {
          const created = await api('POST', '/api/connections', {
            device_id: device.value, type: type.value, bandwidth_limit: bandwidthLimit });
          form.replaceWith(credentials('Connection created', created, close));
          refresh();
        } catch (e) {
          error.textContent = e.message;
          error.hidden = false;
          create.disabled = false;
        }
      }
    }, h('h2', {}, 'Add a connection'), h('p', { class: 'lead' }, 'Credentials are generated for you.'),
        field('Device', device), field('Type', type), limitField(limit),
        error, h('div', { class: 'buttons' }, h('button', { type: 'button', onclick: () => close() }, 'Cancel'), create));
    return form;
  }, 'Add a connection');
}

/** Changes what an operator may change about a sold connection: its limit, the phone it exits through, whether it works. */
async function edit(connection, devices, refresh) {
  await openDialog(close => {
    const device = h('select', { name: 'device' }, devices.map(d => h('option', { value: d.id, selected: d.id === connection.device_id }, d.name)));
    const limit = limitInput(connection.bandwidth_limit);
    const active = h('input', { type: 'checkbox', role: 'switch', name: 'active', checked: connection.active });
    const error = h('p', { class: 'error-text', role: 'alert', hidden: true });
    const save = h('button', { type: 'submit', class: 'primary' }, 'Save changes');
    const form = h('form', {
      onsubmit: async event => {
        event.preventDefault();
        const bandwidthLimit = limitBytes(limit, error);
        if (bandwidthLimit === null) {
          return;
        }
        // Only what changed: a field the operator left alone is not written back over someone else's change.
        const changes = {};
        if (bandwidthLimit !== connection.bandwidth_limit) changes.bandwidth_limit = bandwidthLimit;
        if (device.value !== connection.device_id) changes.device_id = device.value;
        if (active.checked !== connection.active) changes.active = active.checked;
        if (Object.keys(changes).length === 0) {
          close();
          return;
        }
        save.disabled = true;
        try {
          await api('PATCH', `/api/connections/${connection.id}`, changes);
          close();
          toast(`${connection.username} saved.`);
          refresh().catch(showError);
        } catch (e) {
          error.textContent = e.message;
          error.hidden = false;
          save.disabled = false;
        }
      }
    }, h('h2', {}, `Edit ${connection.username}`),
        h('p', { class: 'lead' }, 'Changes apply to the relay at once; the credentials stay as they are.'),
        field('Device', device, 'Move the connection to another phone, e.g. when its phone died.'), limitField(limit),
        h('div', { class: 'field' }, h('label', { class: 'switch' }, active, h('span', {}, 'Active'))),
        error, h('div', { class: 'buttons' }, h('button', { type: 'button', onclick: () => close() }, 'Cancel'), save));
    return form;
  }, `Edit ${connection.username}`);
}

/** The limit in gigabytes, as both dialogs ask for it; empty means unlimited. */
function limitInput(limitBytes) {
  return h('input', { type: 'number', name: 'limit', min: 0, step: 'any', inputmode: 'decimal', placeholder: 'Unlimited',
    value: limitBytes ? bytesToGigabytes(limitBytes) : undefined });
}

function limitField(input) {
  return field('Bandwidth limit (GB)', input, 'Leave empty for unlimited. 1 GB = 1024³ bytes.');
}

/** The limit in bytes (0 = unlimited), or null after saying in {@code error} what is wrong with it. */
function limitBytes(input, error) {
  if (input.value === '') {
    return 0;
  }
  if (!(Number(input.value) >= 0)) {
    error.textContent = 'The limit must be a number of gigabytes, 0 or more.';
    error.hidden = false;
    return null;
  }
  return gigabytesToBytes(input.value);
}

/** The connection's traffic over the last day by hour and the last 30 days by day, against its limit. */
async function usageHistory(connection) {
  const now = new Date();
  const monthAgo = new Date(now.getTime() - 30 * 86_400_000);
  let hourly;
  let daily;
  try {
    [hourly, daily] = await Promise.all([
      api('GET', `/api/connections/${connection.id}/usage?step=hour`),
      api('GET', `/api/connections/${connection.id}/usage?step=day&from=${monthAgo.toISOString()}&to=${now.toISOString()}`)]);
  } catch (e) {
    showError(e);
    return;
  }
  const limit = connection.bandwidth_limit;
  const used = connection.bandwidth_used;
  await openDialog(close => h('div', { class: 'body' },
      h('h2', {}, `${connection.username}: usage`),
      h('p', { class: 'lead' }, limit ? `${bytes(used)} of ${bytes(limit)} used in this period.` : `${bytes(used)} used in this period · Unlimited.`),
      usageChart({ caption: 'Last 24 hours, by hour', usage: hourly, used, limit }),
      usageChart({ caption: 'Last 30 days, by day', usage: daily, used, limit }),
      h('div', { class: 'buttons' }, h('button', { type: 'button', class: 'primary', onclick: () => close() }, 'Close'))),
  `${connection.username} usage`, 'wide');
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

/**
 * A link the customer opens to change the IP, shown once. It acts on the device, not on the connection alone: the
 * confirmation says so, and that it replaces the connection's earlier link.
 */
async function rotationLink(connection) {
  if (!await confirmAction(`Rotation link for ${connection.username}?`,
      `Anyone with the link can change the IP of ${connection.device_name}, which changes the IP of every connection `
          + 'on that device. A new link replaces any earlier link of this connection, which stops working.',
      'Create rotation link')) {
    return;
  }
  try {
    const link = await api('POST', `/api/connections/${connection.id}/rotation-link`);
    const url = new URL(link.url, location.origin).href; // absolute even when the server knows no public origin
    await openDialog(close => h('div', { class: 'body' },
        h('h2', {}, `Rotation link for ${connection.username}`),
        h('div', { class: 'warning', role: 'note' }, 'Copy the link now: you will not see it again.'),
        secret('Rotation link', url, 'rotation-link'),
        h('p', { class: 'muted' }, 'Opening it (GET or POST, no login) rotates the IP and answers with the outcome '
            + 'within a minute; rotating again too soon is refused with the time to wait.'),
        h('div', { class: 'buttons' }, h('button', { type: 'button', class: 'primary', onclick: () => close() }, 'Done'))),
    'Rotation link');
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
