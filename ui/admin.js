// Administration: credentials (secrets are write-only: typed once, sent
// once, never shown again), users, orgs, API tokens (a new token's value is
// shown once), how audit scripts reach the intake and the networks allowed
// to post without a token, and (admin-ops.js)
// tasks, reports, mail and directory sign-in.
import { tasksTab, reportsTab, smtpTab, ldapTab, showError } from './admin-ops.js';
import { state, h, clear, api, text, table, tabs, field, select, notice, errorBox, confirmButton, badge, showFieldErrors, clearFieldErrors } from './core.js';

const credTypes = {
  snmp: [['community', 'secret']],
  snmp_v3: [['security_name'], ['security_level', ['noAuthNoPriv', 'authNoPriv', 'authPriv']],
    ['auth_protocol', ['', 'MD5', 'SHA', 'SHA-224', 'SHA-256', 'SHA-384', 'SHA-512']], ['auth_passphrase', 'secret'],
    ['priv_protocol', ['', 'DES', 'AES', 'AES-192', 'AES-256']], ['priv_passphrase', 'secret'], ['context_name']],
  ssh: [['username'], ['password', 'secret'], ['sudo_password', 'secret']],
  ssh_key: [['username'], ['key', 'secret-text'], ['passphrase', 'secret'], ['sudo_password', 'secret']],
  windows: [['username'], ['password', 'secret'], ['domain']],
  ldap: [['bind_dn'], ['password', 'secret']],
};

async function orgOptions() {
  const orgs = await api('GET', '/orgs');
  const list = orgs.results || orgs;
  return list.map((o) => [o.id, o.name]);
}

function section(panel, title, listEl, formEl) {
  panel.append(h('h2', {}, title), listEl, formEl || null);
}

async function credentialsTab(panel) {
  const listBox = h('div', { id: 'cred-list' });
  const msg = h('div', {});
  const orgs = await orgOptions();
  const name = h('input', { name: 'name', required: true });
  const type = select('type', Object.keys(credTypes), 'snmp');
  const org = select('org_id', orgs, state.user.org_id);
  const desc = h('input', { name: 'description' });
  const typeFields = h('div', { class: 'type-fields' });
  let inputs = {};
  function drawType() {
    clear(typeFields);
    inputs = {};
    for (const [k, kind] of credTypes[type.value]) {
      let inp;
      if (Array.isArray(kind)) inp = select(k, kind, kind[0]);
      else if (kind === 'secret') inp = h('input', { name: k, type: 'password', autocomplete: 'new-password' });
      else if (kind === 'secret-text') inp = h('textarea', { name: k, rows: 4, autocomplete: 'off', spellcheck: 'false' });
      else inp = h('input', { name: k });
      inputs[k] = inp;
      typeFields.appendChild(field(k + (kind && !Array.isArray(kind) ? ' (secret: stored encrypted, never shown again)' : ''), inp));
    }
  }
  type.addEventListener('change', drawType);
  drawType();
  const form = h('form', { class: 'card', id: 'cred-form' }, h('h3', {}, 'Add a credential'), msg,
    field('name', name), field('type', type), field('org', org), field('description', desc), typeFields,
    h('button', { type: 'submit', class: 'primary' }, 'Add credential'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(msg); clearFieldErrors(form);
    const body = { name: name.value.trim(), type: type.value, org_id: Number(org.value) };
    if (desc.value.trim()) body.description = desc.value.trim();
    for (const [k, inp] of Object.entries(inputs)) if (inp.value !== '') body[k] = inp.value;
    try {
      await api('POST', '/credentials', body);
      // The secrets leave the page: the form is emptied at once.
      form.reset();
      drawType();
      msg.appendChild(notice('ok', `Credential ${body.name} added; its secrets are stored encrypted and will not be shown again.`));
      await drawList();
    } catch (err) {
      for (const inp of Object.values(inputs)) if (inp.type === 'password' || inp.tagName === 'TEXTAREA') inp.value = '';
      showFieldErrors(form, msg, err);
    }
  });
  async function drawList() {
    const res = await api('GET', '/credentials');
    const rows = res.results || res;
    clear(listBox);
    listBox.appendChild(table([
      { key: 'name' }, { key: 'type' }, { key: 'org_id', label: 'org' },
      { key: 'fields', label: 'settings', render: (c) => Object.entries(c).filter(([k]) => !['id', 'name', 'type', 'org_id', 'org', 'secrets_set', 'created', 'updated', 'description'].includes(k)).map(([k, v]) => `${k}=${text(v)}`).join(', ') },
      { key: 'secrets_set', label: 'secrets', render: (c) => (c.secrets_set || []).map((s) => badge(s + ' set', 'secret')) },
      { key: 'created' },
      { key: 'actions', label: '', render: (c) => confirmButton('Delete', 'Really delete?', async () => { await api('DELETE', `/credentials/${c.id}`); await drawList(); }) },
    ], rows, { empty: 'No credentials yet.' }));
  }
  await drawList();
  section(panel, 'Credentials', listBox, form);
}

async function usersTab(panel) {
  const listBox = h('div', { id: 'user-list' });
  const msg = h('div', {});
  const orgs = await orgOptions();
  const name = h('input', { name: 'username', required: true, autocomplete: 'off' });
  const pass = h('input', { name: 'password', type: 'password', required: true, autocomplete: 'new-password' });
  const roles = state.user.role === 'admin' ? ['user', 'org_admin', 'admin', 'collector'] : ['user', 'org_admin', 'collector'];
  const role = select('role', roles, 'user');
  const org = select('org_id', orgs, state.user.org_id);
  const form = h('form', { class: 'card', id: 'user-form' }, h('h3', {}, 'Add a user'), msg,
    field('user name', name), field('password', pass, 'at least the length the server asks for'), field('role', role), field('org', org),
    h('button', { type: 'submit', class: 'primary' }, 'Add user'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(msg); clearFieldErrors(form);
    try {
      await api('POST', '/users', { username: name.value.trim(), password: pass.value, role: role.value, org_id: Number(org.value) });
      msg.appendChild(notice('ok', `User ${name.value.trim()} added.`));
      form.reset();
      await drawList();
    } catch (err) { pass.value = ''; showFieldErrors(form, msg, err); }
  });
  async function drawList() {
    const res = await api('GET', '/users');
    clear(listBox);
    listBox.appendChild(table([
      { key: 'username', render: (u) => text(u.username || u.name) }, { key: 'role' }, { key: 'org_id', label: 'org' },
      { key: 'enabled', render: (u) => (u.enabled ? 'yes' : 'no') }, { key: 'last_login', label: 'last login' },
      { key: 'actions', label: '', render: (u) => (u.id === state.user.id ? '' : confirmButton('Delete', 'Really delete?', async () => { await api('DELETE', `/users/${u.id}`); await drawList(); })) },
    ], res.results || res));
  }
  await drawList();
  section(panel, 'Users', listBox, form);
}

async function orgsTab(panel) {
  const listBox = h('div', { id: 'org-list' });
  const msg = h('div', {});
  const name = h('input', { name: 'name', required: true });
  const parent = select('parent_id', await orgOptions(), state.user.org_id);
  const form = h('form', { class: 'card', id: 'org-form' }, h('h3', {}, 'Add an org'), msg,
    field('name', name), field('parent', parent), h('button', { type: 'submit', class: 'primary' }, 'Add org'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(msg); clearFieldErrors(form);
    try {
      await api('POST', '/orgs', { name: name.value.trim(), parent_id: Number(parent.value) });
      msg.appendChild(notice('ok', `Org ${name.value.trim()} added.`));
      form.reset();
      await drawList();
    } catch (err) { showFieldErrors(form, msg, err); }
  });
  async function drawList() {
    const res = await api('GET', '/orgs');
    const rows = res.results || res;
    const byId = new Map(rows.map((o) => [o.id, o]));
    const depth = (o) => { let d = 0; let p = o; while (p && p.parent_id && byId.has(p.parent_id) && d < 32) { p = byId.get(p.parent_id); d++; } return d; };
    clear(listBox);
    listBox.appendChild(table([
      { key: 'name', render: (o) => h('span', { class: 'depth-' + Math.min(depth(o), 6) }, text(o.name)) },
      { key: 'id' }, { key: 'parent_id', label: 'parent' }, { key: 'description' }, { key: 'created' },
    ], rows));
  }
  await drawList();
  section(panel, 'Orgs', listBox, state.user.role === 'user' ? null : form);
}

async function tokensTab(panel) {
  const listBox = h('div', { id: 'token-list' });
  const msg = h('div', {});
  const label = h('input', { name: 'label', required: true });
  const user = h('input', { name: 'user', placeholder: 'yourself', autocomplete: 'off' });
  const form = h('form', { class: 'card', id: 'token-form' }, h('h3', {}, 'Create an API token'), msg,
    field('label', label), state.user.role === 'user' ? null : field('for user', user, 'empty: for yourself; a collector user for audit scripts'),
    h('button', { type: 'submit', class: 'primary' }, 'Create token'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(msg); clearFieldErrors(form);
    const body = { label: label.value.trim() };
    if (user.value.trim()) body.user = user.value.trim();
    try {
      const t = await api('POST', '/tokens', body);
      form.reset(); // before the value is shown: it sits in this form
      const value = h('input', { readonly: true, value: t.token, class: 'token-value', 'aria-label': 'the new token' });
      msg.appendChild(h('div', { class: 'notice ok', role: 'status' },
        h('p', {}, 'Copy this token now: it is shown only this once.'), value,
        h('button', { type: 'button', onclick: () => { value.select(); navigator.clipboard && navigator.clipboard.writeText(value.value).catch(() => {}); } }, 'Copy')));
      await drawList();
    } catch (err) { showFieldErrors(form, msg, err); }
  });
  async function drawList() {
    const res = await api('GET', '/tokens');
    clear(listBox);
    listBox.appendChild(table([
      { key: 'label' }, { key: 'prefix', render: (t) => h('code', {}, text(t.prefix) + '…') }, { key: 'user' },
      { key: 'created' }, { key: 'last_used', label: 'last used' },
      { key: 'revoked', render: (t) => (t.revoked ? badge('revoked') : '') },
      { key: 'actions', label: '', render: (t) => (t.revoked ? '' : confirmButton('Revoke', 'Really revoke?', async () => { await api('DELETE', `/tokens/${t.id}`); await drawList(); })) },
    ], res.results || res, { empty: 'No tokens yet.' }));
  }
  await drawList();
  section(panel, 'API tokens', listBox, form);
}

async function intakeTab(panel) {
  const base = location.origin;
  panel.append(h('h2', {}, 'Open-AudIT audit scripts'),
    h('p', {}, 'Audit scripts post to this server in one of two ways:'),
    h('ol', {},
      h('li', {}, 'With a token in the address: create a user with the collector role (Users), then a token for it (API tokens), and run the script with ',
        h('code', {}, `url="${base}/open-audit/index.php/input/devices?token=nc_…"`), '.'),
      h('li', {}, 'From an allowed network, without a token: list the networks below (a task for an administrator of the root org: the list serves every org). Every post is written to the audit log with its source address.')));
  if (!state.user.root_admin) return;
  const cur = await api('GET', '/settings/intake');
  const msg = h('div', { id: 'intake-msg', 'aria-live': 'polite' });
  const allow = h('textarea', { name: 'allow', rows: 5, placeholder: '10.0.0.0/8\n192.0.2.7', spellcheck: 'false' });
  allow.value = (cur.allow || []).join('\n');
  const org = select('org_id', await orgOptions(), cur.org_id);
  const form = h('form', { class: 'card', id: 'intake-form' }, h('h3', {}, 'Networks allowed without a token'), msg,
    field('networks', allow, 'one per line (or separated by commas): 198.18.0.0/15, 192.0.2.7, 2001:db8::/32; empty: token only'),
    field('devices go to org', org),
    h('button', { type: 'submit', class: 'primary' }, 'Save'));
  if ((cur.config_allow || []).length) {
    form.appendChild(h('p', { class: 'muted', id: 'intake-config' }, 'Also allowed by the server configuration file (intake_allow; change it there): ',
      h('code', {}, cur.config_allow.join(', '))));
  }
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(msg); clearFieldErrors(form);
    const nets = allow.value.split(/[\s,]+/).filter((x) => x);
    try {
      const saved = await api('PUT', '/settings/intake', { allow: nets, org_id: Number(org.value) });
      allow.value = saved.allow.join('\n');
      msg.appendChild(notice('ok', saved.allow.length ? `Saved: ${saved.allow.length} network(s) may post audits without a token.` : 'Saved: no network may post without a token.'));
    } catch (err) { showError(msg, form, err); }
  });
  panel.append(form);
}

function wrapAsync(fn) {
  return (panel) => { fn(panel).catch((err) => { if (err.status !== 401) panel.appendChild(errorBox(err)); }); };
}

export async function adminPage(el, r) {
  document.title = 'Administration — netcensus';
  el.appendChild(h('h1', {}, 'Administration'));
  const list = [
    { id: 'credentials', label: 'Credentials', render: wrapAsync(credentialsTab) },
    { id: 'users', label: 'Users', render: wrapAsync(usersTab) },
    { id: 'orgs', label: 'Orgs', render: wrapAsync(orgsTab) },
    { id: 'tokens', label: 'API tokens', render: wrapAsync(tokensTab) },
    { id: 'intake', label: 'Audit intake', render: wrapAsync(intakeTab) },
    { id: 'tasks', label: 'Tasks', render: wrapAsync(tasksTab) },
    { id: 'reports', label: 'Reports', render: wrapAsync(reportsTab) },
  ];
  // global settings: the server answers 403 to anyone but an admin of the
  // root org (shown as its message if it comes to that)
  if (state.user.root_admin) {
    list.push({ id: 'smtp', label: 'Mail', render: wrapAsync(smtpTab) },
      { id: 'ldap', label: 'Directory sign-in', render: wrapAsync(ldapTab) });
  }
  el.appendChild(tabs(list, r.parts[1] || 'credentials', (tab) => history.replaceState(null, '', '#/admin/' + tab)));
  return null;
}
