// netcensus web UI: the pieces every page uses — building DOM safely, the
// JSON API client (session cookie + CSRF token, 401 back to the login page),
// the hash router and small widgets.
//
// Data never becomes HTML: every element is made with document.createElement
// and every text with textContent (through h()), so a hostname such as
// <img src=x onerror=alert(1)> is shown as those characters and runs
// nothing. The Content-Security-Policy the server sends forbids inline
// script as a second wall.

export const state = { user: null, csrf: null, notice: null, after: null };

// The skip link (index.html) moves the focus to the page's content; its
// "#main" must not reach the hash router as a page address.
document.addEventListener('click', (e) => {
  if (!e.target.closest || !e.target.closest('a.skip-link')) return;
  e.preventDefault();
  document.getElementById('main').focus();
});

// h('a', {href: '#/x', class: 'y', onclick: fn}, 'text', child, [more])
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') {
      el.addEventListener(k.slice(2), v);
    } else if (k === 'dataset') {
      Object.assign(el.dataset, v);
    } else if (k === 'value') {
      el.value = v;
    } else if (k === 'checked' || k === 'disabled' || k === 'selected') {
      el[k] = !!v;
    } else if (k === 'href' && !/^(#|\/)/.test(String(v))) {
      throw new Error('only local links are built');
    } else {
      el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

// Loads a browser library from /ui/vendor once, when a page first needs
// it, so pages without charts or graphs do not wait for them.
const loaded = {};
export function loadScript(src) {
  if (!loaded[src]) {
    loaded[src] = new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = src;
      s.onload = resolve;
      s.onerror = () => { delete loaded[src]; reject(new Error('cannot load ' + src)); };
      document.head.appendChild(s);
    });
  }
  return loaded[src];
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function fmtNum(n) {
  return Number(n || 0).toLocaleString('en-US');
}

// Text for a field value: '' for null/undefined, JSON for objects.
export function text(v) {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

// An API error: the server's own message, and the fields it blames
// ({"error", "field", "fields": {name: message}}, docs/api.md). A reply
// that is not JSON (a proxy's page) still gives its status and first line.
export class ApiError extends Error {
  constructor(status, body) {
    const msg = body && typeof body === 'object' ? body.error || body.reason
      : typeof body === 'string' && body.trim() ? body.trim().split('\n')[0].slice(0, 200) : null;
    super(msg || `HTTP ${status}`);
    this.status = status;
    this.field = body && body.field;
    this.fields = (body && typeof body.fields === 'object' && body.fields) ||
      (this.field ? { [this.field]: this.message } : {});
  }
}

// Calls the API. A 401 (other than on login) means the session is gone:
// the page returns to the login form with a notice and the call rejects.
// The server's own figures for a reply, from its Server-Timing header
// ("app;dur=12.30, cpu;dur=9.10", docs/api.md): { app: 12.3, cpu: 9.1 }.
export function serverTiming(header) {
  const out = {};
  for (const m of (header || '').matchAll(/([\w-]+);dur=([0-9.]+)/g)) out[m[1]] = Number(m[2]);
  return out;
}

// A call of the JSON API; opts.signal aborts it, opts.timing (an object)
// receives the server's timing of the reply (serverTiming()).
export async function api(method, path, body, opts = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && state.csrf) headers['X-CSRF-Token'] = state.csrf;
  const res = await fetch('/api/v1' + path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: opts.signal,
  });
  if (res.status === 401 && !opts.noExpire) {
    sessionExpired();
    throw new ApiError(401, { error: 'session expired' });
  }
  if (opts.timing) Object.assign(opts.timing, serverTiming(res.headers.get('Server-Timing')));
  if (res.status === 204) return null;
  const ctype = res.headers.get('Content-Type') || '';
  const data = ctype.startsWith('application/json') ? await res.json()
                                                     : await res.text();
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

export function sessionExpired() {
  if (!state.user) return;
  state.user = null;
  state.csrf = null;
  state.notice = 'Your session has expired. Log in again to continue.';
  state.after = location.hash || '#/';
  location.hash = '#/login';
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}

// Query string <-> object (repeated keys become arrays).
export function parseQuery(qs) {
  const out = {};
  for (const [k, v] of new URLSearchParams(qs || '')) {
    if (k in out) out[k] = [].concat(out[k], v);
    else out[k] = v;
  }
  return out;
}

export function buildQuery(obj) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(obj)) {
    if (v === '' || v === null || v === undefined) continue;
    for (const one of [].concat(v)) p.append(k, one);
  }
  const s = p.toString();
  return s ? '?' + s : '';
}

// The current route: '#/devices?x=1' -> {parts: ['devices'], query: {x: '1'}}
export function route() {
  const hash = location.hash.replace(/^#\/?/, '');
  const [path, qs] = hash.split('?');
  return { parts: path.split('/').filter(Boolean).map(decodeURIComponent),
           query: parseQuery(qs) };
}

export function go(hash) {
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = hash;
}

// A message line that screen readers announce.
export function notice(kind, msg) {
  return h('p', { class: 'notice ' + kind, role: kind === 'error' ? 'alert' : 'status' }, msg);
}

export function errorBox(err) {
  return notice('error', err instanceof ApiError ? err.message : String(err));
}

// Clears what showFieldErrors() marked in form: red outlines and the
// messages under fields. Call it when the form is sent again.
export function clearFieldErrors(form) {
  for (const el of form.querySelectorAll('[aria-invalid]')) {
    el.removeAttribute('aria-invalid');
    el.removeAttribute('aria-describedby');
  }
  for (const el of form.querySelectorAll('.field-error')) el.remove();
}

// Shows an API error on a form: the server's message in msg and, for
// each field it names that the form has (by name, or by a data-field
// attribute when the input's name differs), the message next to that
// field with its outline red; the first one gets the focus.
export function showFieldErrors(form, msg, err) {
  clearFieldErrors(form);
  clear(msg);
  msg.appendChild(errorBox(err));
  let first = null;
  for (const [name, text] of Object.entries((err && err.fields) || {})) {
    const sel = `[name="${CSS.escape(name)}"], [data-field="${CSS.escape(name)}"]`;
    const bad = form.querySelector(sel);
    if (!bad) continue;
    const id = (bad.id || 'f-' + name) + '-error';
    bad.setAttribute('aria-invalid', 'true');
    bad.setAttribute('aria-describedby', id);
    const note = h('small', { class: 'field-error', id }, text);
    bad.insertAdjacentElement('afterend', note);
    if (!first) first = bad;
  }
  if (first) first.focus();
}

// Saves text as a file download named name.
export function download(name, textValue, type) {
  const url = URL.createObjectURL(new Blob([textValue], { type: type || 'text/csv' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// One CSV field (RFC 4180): quoted when it holds a comma, quote or line
// break; a leading = + - @ is prefixed with ' so a spreadsheet does not
// run it as a formula.
export function csvField(v) {
  let s = v === null || v === undefined ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;
  return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

// Every row of a list endpoint for query q, fetched in pages of 1,000;
// onPage(done, count) reports progress.
export async function fetchAll(path, q, onPage) {
  const rows = [];
  let count = 1;
  while (rows.length < count) {
    const res = await api('GET', path + buildQuery({ ...q, limit: 1000, offset: rows.length }));
    count = res.count;
    rows.push(...res.results);
    if (onPage) onPage(rows.length, count);
    if (!res.results.length) break;
  }
  return rows;
}

// A table from rows and columns [{key, label, render?}].
export function table(columns, rows, opts = {}) {
  const thead = h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col' }, c.label || c.key))));
  const tbody = h('tbody', {}, rows.map((r) => h('tr', {}, columns.map((c) =>
    h('td', { 'data-col': c.key }, c.render ? c.render(r) : text(r[c.key]))))));
  if (!rows.length) {
    tbody.appendChild(h('tr', {}, h('td', { colspan: columns.length, class: 'empty' }, opts.empty || 'Nothing here yet.')));
  }
  return h('div', { class: 'table-wrap' }, h('table', { class: opts.class || 'grid' }, thead, tbody));
}

// ARIA tabs: tabs [{id, label, render(panel)}]; arrow keys move between
// them. onSelect(id) is called when the user picks one.
export function tabs(list, selected, onSelect) {
  const bar = h('div', { role: 'tablist', class: 'tabs' });
  const panel = h('div', { role: 'tabpanel', class: 'tabpanel', tabindex: '0' });
  const buttons = [];
  function select(id, focus) {
    for (const b of buttons) {
      const on = b.dataset.tab === id;
      b.setAttribute('aria-selected', on ? 'true' : 'false');
      b.tabIndex = on ? 0 : -1;
      if (on && focus) b.focus();
    }
    const t = list.find((x) => x.id === id) || list[0];
    panel.setAttribute('aria-labelledby', 'tab-' + t.id);
    clear(panel);
    t.render(panel);
  }
  list.forEach((t, i) => {
    const b = h('button', {
      role: 'tab', type: 'button', id: 'tab-' + t.id, dataset: { tab: t.id },
      onclick: () => { select(t.id); if (onSelect) onSelect(t.id); },
      onkeydown: (e) => {
        let j = null;
        if (e.key === 'ArrowRight') j = (i + 1) % list.length;
        else if (e.key === 'ArrowLeft') j = (i - 1 + list.length) % list.length;
        else if (e.key === 'Home') j = 0;
        else if (e.key === 'End') j = list.length - 1;
        if (j === null) return;
        e.preventDefault();
        select(list[j].id, true);
        if (onSelect) onSelect(list[j].id);
      },
    }, t.label);
    buttons.push(b);
    bar.appendChild(b);
  });
  select(list.some((t) => t.id === selected) ? selected : list[0].id);
  return h('div', { class: 'tabset' }, bar, panel);
}

// A button that asks "really?" in place instead of a dialog window.
export function confirmButton(label, question, action) {
  const b = h('button', { type: 'button', class: 'danger' }, label);
  let armed = false;
  let timer = null;
  b.addEventListener('click', async () => {
    if (!armed) {
      armed = true;
      b.textContent = question;
      timer = setTimeout(() => { armed = false; b.textContent = label; }, 4000);
      return;
    }
    clearTimeout(timer);
    b.disabled = true;
    try { await action(); } finally { b.disabled = false; armed = false; b.textContent = label; }
  });
  return b;
}

export function debounce(fn, ms) {
  let t = null;
  return (...a) => { clearTimeout(t); t = setTimeout(() => fn(...a), ms); };
}

// A labelled form field.
export function field(label, input, hint) {
  const id = input.id || 'f-' + Math.random().toString(36).slice(2, 9);
  input.id = id;
  return h('div', { class: 'field' }, h('label', { for: id }, label), input, hint ? h('small', {}, hint) : null);
}

export function select(name, options, value) {
  return h('select', { name }, options.map((o) => {
    const [v, l] = Array.isArray(o) ? o : [o, o];
    return h('option', { value: v, selected: String(v) === String(value) }, l);
  }));
}

export function badge(textValue, kind) {
  return h('span', { class: 'badge ' + (kind || textValue || '') }, textValue);
}
