// netcensus web UI: the shell — who is logged in, the login form, the
// navigation bar and the hash router that draws one page at a time.
import { state, h, clear, api, route, go, notice, errorBox } from './core.js';
// Each page's module is loaded when it is first opened, so a page waits
// only for its own code.
const page = (mod, fn) => async (...a) => (await import(mod))[fn](...a);
const dashboard = page('./dashboard.js', 'dashboardPage');
const pages = {
  '': dashboard,
  dashboard,
  devices: page('./devices.js', 'devicesPage'),
  device: page('./device.js', 'devicePage'),
  discoveries: page('./discoveries.js', 'discoveriesPage'),
  collectors: page('./collectors.js', 'collectorsPage'),
  network: page('./network.js', 'networkPage'),
  admin: page('./admin.js', 'adminPage'),
  search: page('./search.js', 'searchPage'),
  changes: page('./changes.js', 'changesPage'),
  data: page('./data.js', 'dataPage'),
  locations: page('./locations.js', 'locationsPage'),
};

const nav = [
  ['dashboard', 'Dashboard'],
  ['devices', 'Devices'],
  ['discoveries', 'Discoveries'],
  ['collectors', 'Collectors'],
  ['changes', 'Changes'],
  ['network', 'Network'],
  ['data', 'Data'],
  ['locations', 'Locations'],
  ['admin', 'Administration'],
];

const main = document.getElementById('main');
const navEl = document.getElementById('nav');
const userEl = document.getElementById('user');
let cleanup = null; // the current page's stop function (timers, charts)

function drawNav(current) {
  clear(navEl);
  if (!state.user) return;
  for (const [id, label] of nav) {
    if ((id === 'admin' || id === 'data') && state.user.role === 'user') continue;
    const here = current === id || (id === 'dashboard' && !current) ||
      (id === 'devices' && current === 'device');
    navEl.appendChild(h('a', { href: '#/' + id, 'aria-current': here ? 'page' : null }, label));
  }
  clear(userEl);
  userEl.appendChild(h('span', { class: 'who' }, state.user.username, ' (', state.user.role, ')'));
  userEl.appendChild(h('button', { type: 'button', id: 'logout', onclick: logout }, 'Log out'));
}

async function logout() {
  try { await api('POST', '/auth/logout'); } catch (e) { /* gone anyway */ }
  state.user = null;
  state.csrf = null;
  state.notice = 'You have logged out.';
  go('#/login');
}

function loginPage(el) {
  const user = h('input', { name: 'username', autocomplete: 'username', required: true, autofocus: true });
  const pass = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const msg = h('div', { id: 'login-msg' }, state.notice ? notice('info', state.notice) : null);
  const form = h('form', { class: 'login card', onsubmit: async (e) => {
    e.preventDefault();
    clear(msg);
    try {
      const me = await api('POST', '/auth/login', { username: user.value, password: pass.value }, { noExpire: true });
      state.user = me;
      state.csrf = me.csrf_token;
      state.notice = null;
      const after = state.after && !state.after.startsWith('#/login') ? state.after : '#/';
      state.after = null;
      go(after);
    } catch (err) {
      pass.value = '';
      msg.appendChild(err.status === 401 ? notice('error', 'Wrong user name or password.') : errorBox(err));
    }
  } },
  h('h1', {}, 'netcensus'),
  h('p', { class: 'muted' }, 'Log in to see what is on your network.'),
  msg,
  h('div', { class: 'field' }, h('label', { for: 'login-user' }, 'User name'), Object.assign(user, { id: 'login-user' })),
  h('div', { class: 'field' }, h('label', { for: 'login-pass' }, 'Password'), Object.assign(pass, { id: 'login-pass' })),
  h('button', { type: 'submit', class: 'primary' }, 'Log in'));
  el.appendChild(form);
  user.focus();
}

async function render() {
  if (cleanup) { try { cleanup(); } catch (e) { /* ignore */ } cleanup = null; }
  const r = route();
  const name = r.parts[0] || '';
  if (!state.user && name !== 'login') {
    try {
      const me = await api('GET', '/auth/me', undefined, { noExpire: true });
      state.user = me;
      state.csrf = me.csrf_token;
    } catch (e) {
      state.after = location.hash || '#/';
      go('#/login');
      return;
    }
  }
  drawNav(name);
  clear(main);
  document.body.classList.toggle('logged-out', !state.user);
  if (name === 'login') {
    if (state.user) { go('#/'); return; }
    document.title = 'Log in — netcensus';
    loginPage(main);
    return;
  }
  const draw = pages[name];
  if (!draw) {
    main.appendChild(notice('error', 'There is no page here.'));
    return;
  }
  try {
    cleanup = (await draw(main, r)) || null;
  } catch (err) {
    if (err.status !== 401) main.appendChild(errorBox(err));
  }
  if (!main.contains(document.activeElement)) main.focus({ preventScroll: true });
}

window.addEventListener('hashchange', render);
document.addEventListener('keydown', (e) => {
  // "/" jumps to the page's search box, as in many list UIs.
  if (e.key === '/' && !/^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName)) {
    const s = document.querySelector('main [data-search]') || document.getElementById('global-search');
    if (s) { e.preventDefault(); s.focus(); }
  }
});
// The header search: Enter opens the results page for what was typed.
document.getElementById('top-search').addEventListener('submit', (e) => {
  e.preventDefault();
  const q = document.getElementById('global-search').value.trim();
  if (q) go('#/search?q=' + encodeURIComponent(q));
});
document.getElementById('menu').addEventListener('click', () => {
  document.body.classList.toggle('nav-open');
});
navEl.addEventListener('click', () => document.body.classList.remove('nav-open'));
render();
