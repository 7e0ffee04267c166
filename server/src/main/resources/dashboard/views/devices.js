import { api } from '../api.js';
import { statusTimeline, usageChart } from '../chart.js';
import { ago, bytes, dateTime, duration } from '../format.js';
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
  const rotate = h('button', { type: 'button', class: 'small', onclick: () => rotateIp(tr, refresh) }, 'Rotate IP');
  const tr = h('tr', {},
      h('td', { 'data-label': 'Name' }, h('strong')),
      h('td', { 'data-label': 'Status' }, h('span', { class: 'badge' })),
      h('td', { 'data-label': 'Last seen' }),
      h('td', { 'data-label': 'Egress IP', class: 'mono' }, h('span'), h('small', { class: 'muted block' }),
          h('small', { class: 'rotation block', role: 'status', 'data-testid': 'rotation' })),
      h('td', { 'data-label': 'Battery' }),
      h('td', { 'data-label': 'Signal' }),
      h('td', { 'data-label': 'Network' }),
      h('td', { 'data-label': 'Agent' }),
      h('td', { class: 'actions' },
          rotate,
          h('button', { type: 'button', class: 'small', onclick: () => rotations(tr.device, refresh) }, 'Rotations'),
          h('button', { type: 'button', class: 'small', onclick: () => history(tr.device) }, 'History'),
          h('button', { type: 'button', class: 'small danger', onclick: () => remove(tr.device, refresh) }, 'Delete')));
  tr.rotate = rotate;
  tr.rotating = false;
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
  const [ip, linkedFrom] = egress.children;
  setText(ip, device.egress_ip ?? UNKNOWN);
  const linkFromElsewhere = device.link_address && device.link_address !== device.egress_ip;
  setText(linkedFrom, linkFromElsewhere ? `link from ${device.link_address}` : '');
  const reported = device.status_updated_at ? `reported ${dateTime(device.status_updated_at)}` : 'never reported';
  setText(battery, device.battery_percent == null ? UNKNOWN
      : `${device.battery_percent}%${device.charging ? ', charging' : ''}`);
  setAttribute(battery, 'title', reported);
  setText(signal, device.signal_dbm == null ? UNKNOWN : `${device.signal_dbm} dBm`);
  setAttribute(signal, 'title', reported);
  setText(network, [device.network_type, device.carrier].filter(Boolean).join(' · ') || UNKNOWN);
  setText(agent, device.agent_version ?? UNKNOWN);
  showRotateButton(tr);
}

const UNKNOWN = 'unknown';

/** How often a running rotation is asked about, and for how long at most (the server ends one after 2 min by default). */
const ROTATION_POLL_MILLIS = 1000;
const ROTATION_PATIENCE_MILLIS = 3 * 60_000;

/** Rotate IP works only for an online device, one rotation at a time; when it cannot, its title says why. */
function showRotateButton(tr) {
  const { device, rotate, rotating } = tr;
  const online = device.status === 'online';
  setText(rotate, rotating ? 'Rotating…' : 'Rotate IP');
  rotate.disabled = rotating || !online;
  setAttribute(rotate, 'title', rotating ? 'A rotation is running; its outcome shows beside the egress IP.'
      : online ? null : `Only an online device can change its IP; ${device.name} is ${device.status}.`);
}

/**
 * Starts a rotation (or follows the one already running), shows it running in the row, then its outcome there and in
 * a toast, and refreshes the list for the new egress IP. A rotation too soon after the last is the server's own words
 * ("try again in 12 s"), and the row keeps what it said before.
 */
async function rotateIp(tr, refresh) {
  const device = tr.device;
  const line = tr.querySelector('[data-testid=rotation]');
  let following = false;
  tr.rotating = true;
  showRotateButton(tr);
  try {
    const started = await api('POST', `/api/devices/${device.id}/rotate-ip`);
    following = true;
    showLine(line, 'running', h('span', { class: 'spinner', 'aria-hidden': 'true' }), 'Rotating…');
    const ended = await rotationEnd(device.id, started.id, () => tr.isConnected);
    if (ended) {
      const failed = ended.status === 'failed';
      showLine(line, failed ? 'bad' : 'ok', outcome(ended));
      toast(`${device.name}: ${outcome(ended)}`, failed ? 'error' : 'info');
    } else if (tr.isConnected) {
      showLine(line, 'bad', `Still rotating after ${ROTATION_PATIENCE_MILLIS / 60_000} min; see Rotations.`);
    }
  } catch (e) {
    if (following) {
      showLine(line, '');
    }
    showError(e);
  } finally {
    tr.rotating = false;
    showRotateButton(tr);
    if (tr.isConnected) {
      refresh().catch(showError);
    }
  }
}

function showLine(line, kind, ...content) {
  setAttribute(line, 'class', `rotation block ${kind}`.trim());
  line.replaceChildren(...content);
}

/**
 * The rotation once it ended, asked about once a second; null if it still runs after ROTATION_PATIENCE_MILLIS or
 * {@code wanted()} turned false (its row left the page). A question that failed is asked again, since the rotation
 * goes on without us, unless asking again cannot help (the device is gone, the session ended).
 */
async function rotationEnd(deviceId, rotationId, wanted) {
  const deadline = Date.now() + ROTATION_PATIENCE_MILLIS;
  while (Date.now() < deadline) {
    await new Promise(resolve => setTimeout(resolve, ROTATION_POLL_MILLIS));
    if (!wanted()) {
      return null;
    }
    let list;
    try {
      list = await api('GET', `/api/devices/${deviceId}/rotations`);
    } catch (e) {
      if (e.status >= 400 && e.status < 500) throw e;
      continue;
    }
    const rotation = list.find(item => item.id === rotationId);
    if (rotation && rotation.status !== 'running') {
      return rotation;
    }
  }
  return null;
}

/** "IP changed: 203.0.113.10 → 203.0.113.20 (took 4.2 s)", "IP unchanged: 203.0.113.10 (took 0.3 s)" or "Rotation failed: why". */
function outcome(rotation) {
  if (rotation.status === 'failed') {
    return `Rotation failed: ${rotation.error ?? 'no reason given'}`;
  }
  const took = rotation.took_ms == null ? '' : ` (took ${duration(rotation.took_ms)})`;
  return rotation.changed
      ? `IP changed: ${rotation.old_ip ?? UNKNOWN} → ${rotation.new_ip ?? UNKNOWN}${took}`
      : `IP unchanged: ${rotation.new_ip ?? rotation.old_ip ?? UNKNOWN}${took}`;
}

/**
 * The device's rotations, newest first, following one that runs while the dialog is open; below them its automatic
 * rotation, in minutes (empty or 0: on request only). The server's minimum is the server's to say (422).
 */
async function rotations(device, refresh) {
  const path = `/api/devices/${device.id}/rotations`;
  let shown;
  try {
    shown = await api('GET', path);
  } catch (e) {
    showError(e);
    return;
  }
  await openDialog(close => {
    const rows = h('tbody');
    const table = h('table', { class: 'compact', 'aria-label': 'Rotations' },
        h('thead', {}, h('tr', {}, ['Started', 'Status', 'Old → new IP', 'Changed', 'Took', 'Error'].map(t => h('th', { scope: 'col' }, t)))),
        rows);
    const none = h('p', { class: 'lead' }, 'No rotations yet.');
    const list = h('div', { class: 'scroll' });
    const show = () => {
      syncChildren(rows, shown, rotation => rotation.id, rotationRow, showRotationRow);
      list.replaceChildren(shown.length === 0 ? none : table);
    };
    show();
    (async () => {
      while (shown.some(rotation => rotation.status === 'running')) {
        await new Promise(resolve => setTimeout(resolve, ROTATION_POLL_MILLIS));
        if (!list.isConnected) return; // closed
        try {
          shown = await api('GET', path);
        } catch (e) {
          return; // the list stays as it was; the row's own follow-up reports the outcome
        }
        show();
      }
    })();
    return h('div', { class: 'body' },
        h('h2', {}, `${device.name}: rotations`),
        list,
        automaticRotation(device, refresh),
        h('div', { class: 'buttons' }, h('button', { type: 'button', class: 'primary', onclick: () => close() }, 'Close')));
  }, `${device.name} rotations`, 'wide');
}

function rotationRow() {
  return h('tr', {},
      h('td', { 'data-label': 'Started' }),
      h('td', { 'data-label': 'Status' }, h('span', { class: 'badge' })),
      h('td', { 'data-label': 'Old → new IP', class: 'mono' }),
      h('td', { 'data-label': 'Changed' }),
      h('td', { 'data-label': 'Took' }),
      h('td', { 'data-label': 'Error' }));
}

function showRotationRow(tr, rotation) {
  const [started, status, ips, changed, took, error] = tr.cells;
  setText(started, dateTime(rotation.started_at));
  setAttribute(status.firstChild, 'class', `badge ${rotation.status}`);
  setText(status.firstChild, rotation.status);
  const to = rotation.new_ip ?? (rotation.status === 'running' ? '…' : '–');
  setText(ips, `${rotation.old_ip ?? UNKNOWN} → ${to}`);
  setText(changed, rotation.changed == null ? '–' : rotation.changed ? 'yes' : 'no');
  setText(took, rotation.took_ms == null ? '–' : duration(rotation.took_ms));
  setText(error, rotation.error ?? '');
}

function automaticRotation(device, refresh) {
  const minutes = h('input', { type: 'number', name: 'rotation-interval', min: 0, step: 'any', inputmode: 'decimal', placeholder: 'Off',
    value: device.rotation_interval == null ? undefined : Number((device.rotation_interval / 60).toFixed(2)) });
  const error = h('p', { class: 'error-text', role: 'alert', hidden: true });
  const save = h('button', { type: 'submit' }, 'Save interval');
  return h('form', {
    class: 'automatic',
    onsubmit: async event => {
      event.preventDefault();
      const value = Number(minutes.value);
      const seconds = minutes.value === '' || value === 0 ? null : Math.round(value * 60);
      save.disabled = true;
      error.hidden = true;
      try {
        const updated = await api('PATCH', `/api/devices/${device.id}`, { rotation_interval: seconds });
        toast(updated.rotation_interval == null
            ? `${device.name} rotates on request only.`
            : `${device.name} rotates every ${Number((updated.rotation_interval / 60).toFixed(2))} min while online.`);
        refresh().catch(showError);
      } catch (e) {
        error.textContent = e.message;
        error.hidden = false;
      } finally {
        save.disabled = false;
      }
    }
  }, h('h3', {}, 'Automatic rotation'),
      h('div', { class: 'toolbar' }, field('Rotate every (minutes)', minutes), save),
      h('p', { class: 'hint' }, 'Empty or 0: only on request. It rotates only while the device is online.'),
      error);
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
