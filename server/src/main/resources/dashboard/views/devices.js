import { api } from '../api.js';
import { ago, dateTime } from '../format.js';
import { h, openDialog, confirmAction, secret, field, showError, toast } from '../ui.js';

export function devicesView({ main }) {
  const body = h('div', { class: 'card' });
  const add = h('button', { type: 'button', class: 'primary', onclick: () => addDevice(refresh) }, 'Add device');
  main.append(h('div', { class: 'page-head' },
      h('div', {}, h('h1', {}, 'Devices'), h('p', { class: 'muted' }, 'The phones and modem boxes your proxies leave through.')),
      add), body);

  async function refresh() {
    const devices = await api('GET', '/api/devices');
    body.replaceChildren(devices.length === 0 ? empty(() => add.click()) : table(devices, refresh));
  }
  return { refresh };
}

function empty(onAdd) {
  return h('div', { class: 'empty' },
      h('h2', {}, 'No devices yet'),
      h('p', {}, 'Add a device, then run the agent on it with the pairing string you get.'),
      h('button', { type: 'button', class: 'primary', onclick: onAdd }, 'Add your first device'));
}

function table(devices, refresh) {
  return h('table', { 'aria-label': 'Devices' },
      h('thead', {}, h('tr', {}, ['Name', 'Status', 'Last seen', 'Egress IP', 'Battery', 'Signal', 'Network', 'Agent', ''].map(t => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, devices.map(device => h('tr', { 'data-device': device.name },
          h('td', { 'data-label': 'Name' }, h('strong', {}, device.name)),
          h('td', { 'data-label': 'Status' }, h('span', { class: `badge ${device.status}` }, device.status)),
          h('td', { 'data-label': 'Last seen', title: dateTime(device.last_heartbeat) }, device.last_heartbeat ? ago(device.last_heartbeat) : 'never'),
          h('td', { 'data-label': 'Egress IP', class: 'mono' }, device.egress_ip ?? '—'),
          h('td', { 'data-label': 'Battery' }, device.battery == null ? '—' : `${device.battery}%`),
          h('td', { 'data-label': 'Signal' }, device.signal == null ? '—' : `${device.signal} dBm`),
          h('td', { 'data-label': 'Network' }, device.network_type ?? '—'),
          h('td', { 'data-label': 'Agent' }, device.agent_version ?? '—'),
          h('td', { class: 'actions' },
              h('button', { type: 'button', class: 'small', onclick: () => history(device) }, 'History'),
              h('button', { type: 'button', class: 'small danger', onclick: () => remove(device, refresh) }, 'Delete'))))));
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
