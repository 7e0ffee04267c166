import { api, ApiError } from '../api.js';
import { h, field } from '../ui.js';

export function loginView({ main, signedIn }) {
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true, autofocus: true });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const error = h('p', { class: 'error-text', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
  const form = h('form', {
    onsubmit: async event => {
      event.preventDefault();
      submit.disabled = true;
      error.hidden = true;
      try {
        const answer = await api('POST', '/api/auth/login', { email: email.value, password: password.value });
        signedIn(answer.user);
      } catch (e) {
        error.textContent = message(e);
        error.hidden = false;
        password.select();
      } finally {
        submit.disabled = false;
      }
    }
  }, field('Email', email), field('Password', password), error, h('div', { class: 'buttons' }, submit));
  main.append(h('div', { class: 'login' }, h('div', { class: 'card' },
      h('h1', {}, 'Sign in to PocketProxy'),
      h('p', { class: 'muted' }, 'Your devices, connections and alerts.'),
      form)));
  return {};
}

function message(e) {
  if (e instanceof ApiError && e.status === 401) {
    return 'Email or password is wrong.';
  }
  if (e instanceof ApiError && e.status === 429) {
    return `Too many failed sign-ins. Try again in ${e.retryAfter ?? 60} seconds.`;
  }
  return e.message;
}
