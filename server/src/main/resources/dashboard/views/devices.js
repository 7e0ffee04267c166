import { api } from '../api.js';
import { statusTimeline, usageChart } from '../chart.js';
import { ago, bytes, dateTime } from '../format.js';
import { h, openDialog, confirmAction, secret, field, showError, toast, oneAtATime, setText, setAttribute, syncChildren, listCard } from '../ui.js';

export function devicesView({ main }) {
  const body = listCard('devices');
  const fleet = fleetSummary();
  const add = h('button', { type: 'button', class: 'primary', onclick: () => addDevice(refresh) }, 'Add device');
  main.append(h('div', { class: 'page-head' },
      h('div', {}, h('h1', {}, 'Devices'), h('p', { class: 'muted' }, 'The phones and modem boxes your proxies leave through.')),
      add), fleet.element, body.card);
  const rows = h('tbody');
  const table = h('table', { 'aria-label': 'Devices' },
      h('thead', {}, h('tr', {}, ['Name', 'Status', 'Last seen', 'Egress IP', 'Battery', 'Signal', 'Network', 'Agent', ''].map(t => h('th', { scope: 'col' }, t)))),
      rows);
  const none = empty(() => add.click());

  const refresh = oneAtATime(async () => {
    let devices;
    let today;
    const midnight = new Date();
    midnight.setHours(0, 0, 0, 0);
    try {
      [devices, today] = await Promise.all([
        api('GET', '/api/devices'),
        api('GET', `/api/usage?step=hour&from=${midnight.toISOString()}&to=${new Date().toISOString()}`)]);
    } catch (e) {
      body.failed(e);
      throw e;
    }
    fleet.show(devices, today);
    syncChildren(rows, devices, device => device.id, device => row(device, refresh), showDevice);
    body.show(devices.length === 0 ? none : table);
  });
  return { refresh };
}

/** The fleet at a glance: how many devices are online, offline and pending, and the traffic since midnight. */
function fleetSummary() {
  const figures = {};
  const card = (key, what) => {
    figures[key] = h('div', { class: 'figure' }, '–');
    return h('div', { class: 'card', 'data-testid': `fleet-${key}` }, figures[key], h('div', { class: 'what' }, what));
  };
  const element = h('section', { class: 'fleet', 'aria-label': 'Fleet at a glance' },
      card('online', 'Online'), card('offline', 'Offline'), card('pending', 'Pending'), card('traffic', 'Traffic today'));
  return {
    element,
    show(devices, today) {
      for (const status of ['online', 'offline', 'pending']) {
        setText(figures[status], devices.filter(device => device.status === status).length);
      }
      setText(figures.traffic, bytes(today.points.reduce((sum, point) => sum + point.bytes, 0)));
    },
  };
}

function empty(onAdd) {
  return h('div', { class: 'empty' },
      h('h2', {}, 'No devices yet'),
      h('p', {}, 'Add a device, then run the agent on it with the pairing string you get.'),
      h('button', { type: 'button', class: 'primary', onclick: onAdd }, 'Add your first device'));
}

/** A device's row, made once; {@link showDevice} fills it in at every refresh. Its buttons act on the latest figures. */
function row(device, refresh) {
  const tr = h('tr', {},
      h('td', { 'data-label': 'Name' }, h('strong')),
      h('td', { 'data-label': 'Status' }, h('span', { class: 'badge' })),
      h('td', { 'data-label': 'Last seen' }),
      h('td', { 'data-label': 'Egress IP', class: 'mono' }, h('span'), h('small', { class: 'muted block' })),
      h('td', { 'data-label': 'Battery' }),
      h('td', { 'data-label': 'Signal' }),
      h('td', { 'data-label': 'Network' }),
      h('td', { 'data-label': 'Agent' }),
      h('td', { class: 'actions' },
          h('button', { type: 'button', class: 'small', onclick: () => history(tr.device) }, 'History'),
          h('button', { type: 'button', class: 'small danger', onclick: () => remove(tr.device, refresh) }, 'Delete')));
  return tr;
}

function showDevice(tr, device) {
  tr.device = device;
  setAttribute(tr, 'data-device', device.name);
  const [name, status, lastSeen, egress, battery, signal, network, agent] = tr.cells;
  setText(name.firstChild, device.name);
  const badge = status.firstChild;
  setAttribute(badge, 'class', `badge ${device.status}`);
  setText(badge, device.status);
  setAttribute(lastSeen, 'title', dateTime(device.last_heartbeat));
  setText(lastSeen, device.last_heartbeat ? ago(device.last_heartbeat) : 'never');
  // What the device cannot tell says so, rather than leaving a blank that looks like a fault.
  setText(egress.firstChild, device.egress_ip ?? UNKNOWN);
  const linkFromElsewhere = device.link_address && device.link_address !== device.egress_ip;
  setText(egress.lastChild, linkFromElsewhere ? `link from ${device.link_address}` : '');
  const reported = device.status_updated_at ? `reported ${dateTime(device.status_updated_at)}` : 'never reported';
  setText(battery, device.battery_percent == null ? UNKNOWN
      : `${device.battery_percent}%${device.charging ? ', charging' : ''}`);
  setAttribute(battery, 'title', reported);
  setText(signal, device.signal_dbm == null ? UNKNOWN : `${device.signal_dbm} dBm`);
  setAttribute(signal, 'title', reported);
  setText(network, [device.network_type, device.carrier].filter(Boolean).join(' · ') || UNKNOWN);
  setText(agent, device.agent_version ?? UNKNOWN);
}

const UNKNOWN = 'unknown';

async function addDevice(refresh) {
  await openDialog(close => {
    const name = h('input', { name: 'name', required: true, maxlength: 100, placeholder: 'Pixel 7, Berlin', autofocus: true });
    const error = h('p', { class: 'error-text', role: 'alert', hidden: true });
    const create = h('button', { type: 'submit', class: 'primary' }, 'Create device');
    const form = h('form', {
      onsubmit: async event => {
        event.preventDefault();
        create.disabled = true;
        try {
          const device = await api('POST', '/api/devices', { name: name.value });
          form.replaceWith(created(device, close));
          refresh();
        } catch (e) {
          error.textContent = e.message;
          error.hidden = false;
          create.disabled = false;
        }
      }
    }, h('h2', {}, 'Add a device'), h('p', { class: 'lead' }, 'Give it a name you will recognize in the list.'),
        field('Device name', name), error,
        h('div', { class: 'buttons' }, h('button', { type: 'button', onclick: () => close() }, 'Cancel'), create));
    return form;
  }, 'Add a device');
}

function created(device, close) {
  return h('div', { class: 'body' },
      h('h2', {}, `${device.name} is ready to pair`),
      h('div', { class: 'warning', role: 'note' }, 'Copy the pairing string now: you will not see it again.'),
      secret('Pairing string', device.pairing, 'pairing'),
      secret('Agent command', device.agent_command, 'agent-command'),
      h('p', { class: 'muted' }, 'Run the command on the device. It shows as online after its first heartbeat.'),
      h('div', { class: 'buttons' }, h('button', { type: 'button', class: 'primary', onclick: () => close() }, 'Done')));
}

/** The device's traffic and its online/offline bands over the last day, then every status change. */
async function history(device) {
  const to = new Date();
  const from = new Date(to.getTime() - 86_400_000);
  let changes;
  let traffic;
  try {
    [changes, traffic] = await Promise.all([
      api('GET', `/api/devices/${device.id}/status-log`),
      api('GET', `/api/devices/${device.id}/usage?step=hour&from=${from.toISOString()}&to=${to.toISOString()}`)]);
  } catch (e) {
    showError(e);
    return;
  }
  await openDialog(close => h('div', { class: 'body' },
      h('h2', {}, `${device.name}: status history`),
      usageChart({ caption: 'Traffic, last 24 hours', usage: traffic }),
      statusTimeline({ changes, current: device.status, from: from.toISOString(), to: to.toISOString() }),
      changes.length === 0
          ? h('p', { class: 'lead' }, 'No changes yet: the device has not linked.')
          : h('ul', { class: 'history' }, changes.map(change => h('li', {},
              h('span', {}, h('span', { class: `badge ${change.status}` }, change.status), ' ', h('span', { class: 'muted' }, `from ${change.previous_status}`)),
              h('span', { class: 'muted' }, dateTime(change.at))))),
      h('div', { class: 'buttons' }, h('button', { type: 'button', class: 'primary', onclick: () => close() }, 'Close'))), `${device.name} history`, 'wide');
}

async function remove(device, refresh) {
  if (!await confirmAction(`Delete ${device.name}?`, 'Its agent will be disconnected and its pairing string stops working.', 'Delete device', true)) {
    return;
  }
  try {
    await api('DELETE', `/api/devices/${device.id}`);
    toast(`${device.name} deleted.`);
    refresh();
  } catch (e) {
    showError(e);
  }
}
