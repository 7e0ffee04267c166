// Small building blocks: elements without innerHTML (text is always text), rows kept up to date in place,
// dialogs, toasts, copy.

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

/**
 * An error in words, unless it is the end of the session, which the sign-in page announces itself, or the
 * database's outage, which the banner announces once.
 */
export function showError(e) {
  if (!e?.signedOut && e?.code !== 'database_unavailable') {
    toast(e?.message ?? String(e), 'error');
  }
}

/** Opens a modal dialog built by {@code build(close)}; resolves with what {@code close} was given. */
export function openDialog(build, label, size) {
  return new Promise(resolve => {
    const dialog = h('dialog', { 'aria-label': label, class: size });
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

/**
 * Runs {@code load} one call at a time. A call while one runs does not start a second beside it: it asks for
 * one more run after the current one (however many calls came meanwhile) and resolves with that run, so what
 * the caller changed before calling (a filter, a deletion) is always what the last run shows.
 */
export function oneAtATime(load) {
  let running = null;
  let next = null;
  function run() {
    if (running) {
      next ??= running.catch(() => {}).then(() => {
        next = null;
        return run();
      });
      return next;
    }
    running = Promise.resolve().then(load).finally(() => {
      running = null;
    });
    return running;
  }
  return run;
}

/** Sets an element's text only when it changed, so an unchanged cell keeps a reader's text selection. */
export function setText(element, text) {
  const value = text == null ? '' : String(text);
  if (element.textContent !== value) {
    element.textContent = value;
  }
}

/** Sets (or, for null, removes) an attribute only when it changed. */
export function setAttribute(element, name, value) {
  if (value == null || value === false) {
    if (element.hasAttribute(name)) element.removeAttribute(name);
  } else if (element.getAttribute(name) !== String(value)) {
    element.setAttribute(name, value);
  }
}

/**
 * Keeps {@code parent}'s children in step with {@code items}, one element per {@code key(item)}: an element is
 * made once by {@code create(item)} and brought up to date by {@code update(element, item)} at every refresh.
 * Elements whose item stays are the same elements, in place, so focus, a text selection and the scroll
 * position survive a refresh; only items that came or went add or remove an element.
 */
export function syncChildren(parent, items, key, create, update) {
  const existing = new Map();
  for (const child of parent.children) {
    existing.set(child.dataset.key, child);
  }
  let previous = null;
  for (const item of items) {
    const id = String(key(item));
    let element = existing.get(id);
    if (element) {
      existing.delete(id);
    } else {
      element = create(item);
      element.dataset.key = id;
    }
    update(element, item);
    const expected = previous ? previous.nextElementSibling : parent.firstElementChild;
    if (element !== expected) {
      parent.insertBefore(element, expected); // moved only when the order changed
    }
    previous = element;
  }
  for (const gone of existing.values()) {
    gone.remove();
  }
}

/**
 * The card that holds a page's list: "Loading …" until the first answer, then the table or the empty state,
 * so "nothing yet" is never said before the server said it. The card is {@code aria-busy} until then.
 */
export function listCard(what) {
  const card = h('div', { class: 'card', 'aria-busy': 'true' },
      h('div', { class: 'loading', role: 'status' }, `Loading ${what}…`));
  return {
    card,
    /** Shows {@code content} (the table, or an empty state) unless it is already there. */
    show(content) {
      card.removeAttribute('aria-busy');
      if (card.firstElementChild !== content || card.children.length !== 1) {
        card.replaceChildren(content);
      }
    },
    /** The first load failed: say so instead of loading forever; the next refresh tries again. */
    failed(e) {
      if (card.getAttribute('aria-busy') === 'true') {
        card.removeAttribute('aria-busy');
        card.replaceChildren(h('div', { class: 'empty' }, h('p', { role: 'alert' }, `${what[0].toUpperCase()}${what.slice(1)} could not be loaded: ${e?.message ?? e}`)));
      }
    }
  };
}
