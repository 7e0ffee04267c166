// Small building blocks: elements without innerHTML (text is always text), dialogs, toasts, copy.

export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) {
      element.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === 'class') {
      element.className = value;
    } else if (value === true) {
      element.setAttribute(name, '');
    } else {
      element.setAttribute(name, value);
    }
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

export function toast(message, kind = 'info') {
  const item = h('div', { class: `toast ${kind}` }, message);
  document.getElementById('toasts').append(item);
  setTimeout(() => item.remove(), kind === 'error' ? 8000 : 4000);
}

/** An error in words, unless it is the end of the session, which the sign-in page announces itself. */
export function showError(e) {
  if (!e?.signedOut) {
    toast(e?.message ?? String(e), 'error');
  }
}

/** Opens a modal dialog built by {@code build(close)}; resolves with what {@code close} was given. */
export function openDialog(build, label) {
  return new Promise(resolve => {
    const dialog = h('dialog', { 'aria-label': label });
    let closed = false;
    const close = value => {
      if (!closed) {
        closed = true;
        dialog.close();
        dialog.remove();
        resolve(value);
      }
    };
    dialog.addEventListener('cancel', event => {
      event.preventDefault();
      close(undefined);
    });
    dialog.append(build(close));
    document.body.append(dialog);
    dialog.showModal();
    const first = dialog.querySelector('[autofocus], input, select, button.primary, button');
    first?.focus();
  });
}

export function confirmAction(title, text, confirmLabel, danger = false) {
  return openDialog(close => h('div', { class: 'body' },
      h('h2', {}, title),
      h('p', { class: 'lead' }, text),
      h('div', { class: 'buttons' },
          h('button', { type: 'button', onclick: () => close(false) }, 'Cancel'),
          h('button', { type: 'button', class: danger ? 'danger' : 'primary', onclick: () => close(true) }, confirmLabel))), title);
}

/** A value shown once, with a copy button. */
export function secret(label, value, testId) {
  return h('div', { class: 'field' },
      h('label', {}, label),
      h('div', { class: 'secret' },
          h('code', { 'data-testid': testId }, value),
          h('button', { type: 'button', class: 'small', 'aria-label': `Copy ${label.toLowerCase()}`, onclick: () => copy(value, label) }, 'Copy')));
}

export async function copy(text, what) {
  try {
    await navigator.clipboard.writeText(text);
    toast(`${what} copied.`);
  } catch (e) {
    toast(`Select the ${what.toLowerCase()} and copy it by hand; the browser refused clipboard access.`, 'error');
  }
}

export function field(label, input, hint) {
  const id = input.id || `field-${Math.random().toString(36).slice(2)}`;
  input.id = id;
  return h('div', { class: 'field' }, h('label', { for: id }, label), input, hint ? h('div', { class: 'hint' }, hint) : null);
}
