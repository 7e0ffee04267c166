// The REST API, as the dashboard uses it: the session cookie rides along; errors become ApiError with the
// server's own words. A 401 anywhere means the session is over: back to the sign-in page.

export class ApiError extends Error {
  constructor(status, code, message, retryAfter) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

let onSignedOut = () => {};
let onDatabase = () => {};

export function whenSignedOut(handler) {
  onSignedOut = handler;
}

/** {@code handler(false)} when the server says its database is unavailable, {@code handler(true)} once it answers. */
export function whenDatabaseChanges(handler) {
  onDatabase = handler;
}

export async function api(method, path, body) {
  const options = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    options.headers['Content-Type'] = 'application/json';
    options.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, options);
  } catch (e) {
    throw new ApiError(0, 'network', 'The server cannot be reached. Check your connection and try again.');
  }
  if (response.ok) {
    onDatabase(true);
  }
  if (response.status === 204) {
    return null;
  }
  const text = await response.text();
  const data = text ? safeJson(text) : null;
  if (response.status === 503 && data?.code === 'database_unavailable') {
    onDatabase(false);
  }
  if (!response.ok) {
    const error = new ApiError(response.status, data?.code ?? 'http_' + response.status,
        sentence(data?.error) ?? `The server answered ${response.status}.`, response.headers.get('Retry-After'));
    if (response.status === 401 && path !== '/api/auth/login') {
      error.signedOut = true; // said once, by the sign-out handler; callers stay quiet about it
      onSignedOut(error);
    }
    throw error;
  }
  return data;
}

/** The API's messages are lower-case clauses ("device is used by 1 connection"); a toast wants a sentence. */
function sentence(message) {
  return message ? message.charAt(0).toUpperCase() + message.slice(1) + (/[.!?]$/.test(message) ? '' : '.') : null;
}

function safeJson(text) {
  try {
    return JSON.parse(text);
  } catch (e) {
    return null;
  }
}
