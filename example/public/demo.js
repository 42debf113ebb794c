// The demo page's script, served as is (no build step) by example/demo-page.ts.
//
// The cookie flow of routing-controllers-auth from a same-origin page: POST /auth/cookie/login
// sets the access and refresh tokens as HttpOnly cookies (this script never sees them) and a
// readable `csrf_token` cookie; every unsafe request sends that value back in X-CSRF-Token.
// Failures show the coded error body's `code` in #status.

const CSRF_COOKIE = 'csrf_token';
const CSRF_HEADER = 'X-CSRF-Token';

const statusBox = document.getElementById('status');
const userBox = document.getElementById('user');
const buttons = document.querySelectorAll('button');

/** The CSRF token of the last login or refresh answer; the cookie is read first. */
let lastCsrfToken = null;

/** A cookie's value from `document.cookie` (which only lists the readable ones), or null. */
function readCookie(name) {
  for (const part of document.cookie.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return null; // not percent-encoded properly: not a CSRF token of ours
      }
    }
  }
  return null;
}

/** The session's CSRF token: the readable cookie (shared by every tab), else the last answer's. */
function csrfToken() {
  return readCookie(CSRF_COOKIE) ?? lastCsrfToken;
}

/**
 * One same-origin request. Resolves to `{ ok: true, status, data }` or, for any failure,
 * `{ ok: false, status, code, message }` taken from the coded error body `{ name, code, message }`.
 */
async function call(method, path, { body, csrf = false } = {}) {
  const headers = { Accept: 'application/json' };
  if (csrf) {
    const token = csrfToken();
    if (token !== null) headers[CSRF_HEADER] = token;
  }
  const init = { method, headers, credentials: 'same-origin' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    return { ok: false, status: 0, code: 'network_error', message: 'The server is unreachable.' };
  }
  const text = await response.text();
  let data = null;
  try {
    data = text === '' ? null : JSON.parse(text);
  } catch {
    data = null;
  }
  if (response.ok) return { ok: true, status: response.status, data };
  const coded = data !== null && typeof data === 'object' && typeof data.code === 'string';
  return {
    ok: false,
    status: response.status,
    code: coded ? data.code : 'unexpected_response',
    message: coded && typeof data.message === 'string' ? data.message : `HTTP ${response.status}`,
  };
}

/** Shows an outcome in #status: `state` is busy, ok, error or idle; `code` the error code. */
function showStatus(state, text, code = '') {
  statusBox.dataset.state = state;
  statusBox.dataset.code = code;
  statusBox.textContent = text;
}

function showFailure(action, result) {
  showStatus(
    'error',
    `${action} failed: ${result.status} ${result.code}: ${result.message}`,
    result.code,
  );
}

/** Shows GET /users/me in #user; resolves to the user, or null when the request is refused. */
async function loadUser() {
  const result = await call('GET', '/users/me');
  if (result.ok) {
    userBox.dataset.signedIn = 'true';
    userBox.textContent = JSON.stringify(result.data, null, 2);
    return result.data;
  }
  userBox.dataset.signedIn = 'false';
  userBox.textContent = `Not signed in: GET /users/me answered ${result.status} ${result.code}.`;
  return null;
}

/**
 * Runs one action with the buttons disabled. `<body data-busy>` is "true" until it has settled
 * (the page starts busy, until its first GET /users/me has answered).
 */
async function run(busyText, action) {
  document.body.dataset.busy = 'true';
  showStatus('busy', busyText);
  for (const button of buttons) button.disabled = true;
  try {
    await action();
  } catch (error) {
    showStatus('error', `Unexpected error in the page: ${String(error)}`, 'page_error');
  } finally {
    for (const button of buttons) button.disabled = false;
    document.body.dataset.busy = 'false';
  }
}

function signedInText(user) {
  return `Signed in as ${user.email}.`;
}

document.getElementById('login-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const email = document.getElementById('email').value;
  const passwordInput = document.getElementById('password');
  const password = passwordInput.value;
  void run('Logging in…', async () => {
    const result = await call('POST', '/auth/cookie/login', { body: { email, password } });
    if (!result.ok) {
      showFailure('Login', result);
      return;
    }
    passwordInput.value = '';
    lastCsrfToken = result.data.csrfToken;
    const user = await loadUser();
    if (user === null) showStatus('error', 'Logged in, but GET /users/me was refused.');
    else
      showStatus('ok', `${signedInText(user)} Access token valid for ${result.data.expiresIn} s.`);
  });
});

document.getElementById('me').addEventListener('click', () => {
  void run('Loading /users/me…', async () => {
    const user = await loadUser();
    if (user !== null) showStatus('ok', signedInText(user));
    else showStatus('idle', 'Not signed in.');
  });
});

document.getElementById('refresh').addEventListener('click', () => {
  void run('Refreshing…', async () => {
    const result = await call('POST', '/auth/cookie/refresh', { csrf: true });
    if (result.ok) {
      lastCsrfToken = result.data.csrfToken;
      showStatus('ok', `Refreshed: new access token valid for ${result.data.expiresIn} s.`);
    } else {
      showFailure('Refresh', result);
    }
    await loadUser();
  });
});

document.getElementById('logout').addEventListener('click', () => {
  void run('Logging out…', async () => {
    const result = await call('POST', '/auth/logout', { csrf: true });
    if (result.ok) {
      lastCsrfToken = null;
      showStatus('ok', 'Signed out.');
    } else {
      showFailure('Logout', result);
    }
    await loadUser();
  });
});

void run('Loading…', async () => {
  const user = await loadUser();
  if (user !== null) showStatus('ok', signedInText(user));
  else showStatus('idle', 'Not signed in.');
});
