import { api } from '../api.js';
import { ago, dateTime } from '../format.js';
import { h, openDialog, confirmAction, secret, field, showError, toast, oneAtATime, setText, setAttribute, syncChildren, listCard } from '../ui.js';

export function devicesView({ main }) {
  const body = listCard('devices');
  const add = h('button', { type: 'button', class: 'primary', onclick: () => addDevice(refresh) }, 'Add device');
  main.append(h('div', { class: 'page-head' },
      h('div', {}, h('h1', {}, 'Devices'), h('p', { class: 'muted' }, 'The phones and modem boxes your proxies leave through.')),
      add), body.card);
  const rows = h('tbody');
  const table = h('table', { 'aria-label': 'Devices' },
      h('thead', {}, h('tr', {}, ['Name', 'Status', 'Last seen', 'Egress IP', 'Battery', 'Signal', 'Network', 'Agent', ''].map(t => h('th', { scope: 'col' }, t)))),
      rows);
  const none = empty(() => add.click());

  const refresh = oneAtATime(async () => {
    let devices;
    try {
      devices = await api('GET', '/api/devices');
    } catch (e) {
      body.failed(e);
      throw e;
    }
    syncChildren(rows, devices, device => device.id, device => row(device, refresh), showDevice);
    body.show(devices.length === 0 ? none : table);
  });
  return { refresh };
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
      h('td', { 'data-label': 'Egress IP', class: 'mono' }),
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
  setText(egress, device.egress_ip ?? '—');
  setText(battery, device.battery == null ? '—' : `${device.battery}%`);
  setText(signal, device.signal == null ? '—' : `${device.signal} dBm`);
  setText(network, device.network_type ?? '—');
  setText(agent, device.agent_version ?? '—');
}

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

async function history(device) {
  const changes = await api('GET', `/api/devices/${device.id}/status-log`);
  await openDialog(close => h('div', { class: 'body' },
      h('h2', {}, `${device.name}: status history`),
      changes.length === 0
          ? h('p', { class: 'lead' }, 'No changes yet: the device has not linked.')
          : h('ul', { class: 'history' }, changes.map(change => h('li', {},
              h('span', {}, h('span', { class: `badge ${change.status}` }, change.status), ' ', h('span', { class: 'muted' }, `from ${change.previous_status}`)),
              h('span', { class: 'muted' }, dateTime(change.at))))),
      h('div', { class: 'buttons' }, h('button', { type: 'button', class: 'primary', onclick: () => close() }, 'Close'))), `${device.name} history`);
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
