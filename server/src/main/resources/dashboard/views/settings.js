import { api } from '../api.js';
import { ago, dateTime } from '../format.js';
import { h, confirmAction, copy, field, showError, toast, oneAtATime, setText, setAttribute, syncChildren, listCard } from '../ui.js';

/** Webhook URL and secret, a test button, and the latest deliveries. */
export function settingsView({ main }) {
  // Disabled until the saved settings have arrived, so what the operator types is not overwritten by them.
  const url = h('input', { name: 'webhook_url', type: 'url', placeholder: 'https://example.com/hooks', maxlength: 2000, autocomplete: 'off', disabled: true });
  const save = h('button', { type: 'submit', class: 'primary', disabled: true }, 'Save');
  const test = h('button', { type: 'button', onclick: sendTest, disabled: true }, 'Send test');
  const message = h('p', { class: 'error-text', role: 'alert', hidden: true });
  const result = h('p', { class: 'test-result', role: 'status', 'data-testid': 'test-result', hidden: true });
  const secretCode = h('code', { 'data-testid': 'webhook-secret' });
  const deliveries = listCard('deliveries');
  const rows = h('tbody');
  const table = h('table', { 'aria-label': 'Recent deliveries' },
      h('thead', {}, h('tr', {}, ['Event', 'Device', 'Status', 'Attempts', 'Last answer', 'Time'].map(t => h('th', { scope: 'col' }, t)))),
      rows);
  const none = h('div', { class: 'empty' }, h('p', {}, 'No webhooks sent yet. Send a test to see one here.'));
  let saved = '';
  let loaded = false;

  url.addEventListener('input', () => {
    save.disabled = url.value.trim() === saved;
  });

  const form = h('form', { class: 'card settings', onsubmit: saveUrl },
      h('h2', {}, 'Webhook'),
      h('p', { class: 'muted' }, 'We POST device.offline and device.online events here, signed with your secret (Standard Webhooks).'),
      field('Webhook URL', url, 'Leave empty and save to stop webhooks.'),
      message,
      h('div', { class: 'buttons' }, test, save),
      result,
      h('div', { class: 'field' },
          h('label', {}, 'Signing secret'),
          h('div', { class: 'secret' }, secretCode,
              h('button', { type: 'button', class: 'small', 'aria-label': 'Copy signing secret', onclick: () => copy(secretCode.textContent, 'Signing secret') }, 'Copy'),
              h('button', { type: 'button', class: 'small danger', onclick: rotate }, 'Rotate'))));

  main.append(h('div', { class: 'page-head' },
      h('div', {}, h('h1', {}, 'Settings'), h('p', { class: 'muted' }, 'Where your offline alerts go.'))),
      form, h('h2', { class: 'section' }, 'Recent deliveries'), deliveries.card);

  function show(settings) {
    loaded = true;
    url.disabled = false;
    test.disabled = false;
    saved = settings.webhook_url ?? '';
    url.value = saved;
    save.disabled = true;
    secretCode.textContent = settings.webhook_secret;
  }

  async function saveUrl(event) {
    event.preventDefault();
    save.disabled = true;
    message.hidden = true;
    try {
      show(await api('PUT', '/api/settings/webhook', { webhook_url: url.value.trim() }));
      toast(saved ? 'Webhook URL saved.' : 'Webhook URL removed: no more webhooks.');
    } catch (e) {
      message.textContent = e.message;
      message.hidden = false;
      save.disabled = false;
    }
  }

  async function sendTest() {
    test.disabled = true;
    result.hidden = false;
    result.className = 'test-result';
    result.textContent = 'Sending…';
    message.hidden = true;
    try {
      const body = url.value.trim() ? { webhook_url: url.value.trim() } : undefined;
      const answer = await api('POST', '/api/settings/webhook/test', body);
      result.className = `test-result ${answer.ok ? 'ok' : 'bad'}`;
      result.textContent = answer.ok
          ? `Delivered: HTTP ${answer.status} in ${answer.latency_ms} ms.`
          : `Not delivered: ${answer.error}.`;
      await refresh();
    } catch (e) {
      result.hidden = true;
      message.textContent = e.message;
      message.hidden = false;
    } finally {
      test.disabled = false;
    }
  }

  async function rotate() {
    if (await confirmAction('Rotate the signing secret?',
        'Webhooks are signed with the new secret at once; receivers that check the old one will reject them until you update them.',
        'Rotate secret', true)) {
      try {
        show(await api('POST', '/api/settings/webhook/rotate-secret'));
        toast('New signing secret in place.');
      } catch (e) {
        showError(e);
      }
    }
  }

  const refreshDeliveries = oneAtATime(async () => {
    let list;
    try {
      list = await api('GET', '/api/webhook-deliveries');
    } catch (e) {
      deliveries.failed(e);
      throw e;
    }
    syncChildren(rows, list, delivery => delivery.id, row, showDelivery);
    deliveries.show(list.length === 0 ? none : table);
  });

  async function refresh() {
    if (!loaded) {
      show(await api('GET', '/api/settings/webhook'));
    }
    await refreshDeliveries();
  }

  return { refresh };
}

function row() {
  return h('tr', {},
      h('td', { 'data-label': 'Event', class: 'mono' }),
      h('td', { 'data-label': 'Device' }),
      h('td', { 'data-label': 'Status' }, h('span', { class: 'badge' })),
      h('td', { 'data-label': 'Attempts' }),
      h('td', { 'data-label': 'Last answer' }),
      h('td', { 'data-label': 'Time' }));
}

function showDelivery(tr, delivery) {
  setAttribute(tr, 'data-delivery', delivery.id);
  const [event, device, status, attempts, answer, time] = tr.cells;
  setText(event, delivery.event);
  setText(device, delivery.device_name ?? '—');
  setAttribute(status.firstChild, 'class', `badge ${delivery.status}`);
  setText(status.firstChild, delivery.status);
  setText(attempts, delivery.attempts);
  setText(answer, lastAnswer(delivery));
  setAttribute(time, 'title', dateTime(delivery.created_at));
  setText(time, ago(delivery.created_at));
}

function lastAnswer(delivery) {
  const answer = delivery.last_status_code != null ? `HTTP ${delivery.last_status_code}` : delivery.last_error ?? '—';
  return delivery.status === 'pending' && delivery.next_attempt_at
      ? `${answer}; next try ${new Date(delivery.next_attempt_at).toLocaleTimeString()}`
      : answer;
}
