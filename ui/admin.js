// Administration: credentials (secrets are write-only: typed once, sent
// once, never shown again), users, orgs, API tokens (a new token's value is
// shown once), how audit scripts reach the intake and the networks allowed
// to post without a token, and (admin-ops.js)
// tasks, reports, mail and directory sign-in.
import { tasksTab, reportsTab, smtpTab, ldapTab, showError } from './admin-ops.js';
import { state, h, clear, api, text, table, tabs, field, select, notice, errorBox, confirmButton, badge, showFieldErrors, clearFieldErrors } from './core.js';
import { orgOptions, orgsChanged, formMode } from './fields.js';

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

// What each role may do (docs/admin.md, "Who may do what").
const roleHelp = [
  ['admin', 'everything in its org tree (an admin of the root org: every org, and the global settings: mail, directory sign-in, audit intake networks)'],
  ['org_admin', 'the same within its org tree — devices, discoveries, credentials, users, locations — but cannot make or change admins'],
  ['user', 'reads everything in its org tree; manages only its own API tokens and preferences'],
  ['collector', 'for remote collectors and audit scripts: submits device reports and uses the collector API only'],
];

function section(panel, title, listEl, formEl) {
  panel.append(h('h2', {}, title), listEl, formEl || null);
}

const credMeta = ['id', 'name', 'type', 'org_id', 'org', 'secrets_set', 'created', 'updated', 'description'];

// Credentials: add; edit and rotate (a secret left empty keeps the stored
// one, a new one replaces it: PATCH); test one against an address the
// admin types (POST .../test), showing the agent's or server's reason.
async function credentialsTab(panel) {
  const listBox = h('div', { id: 'cred-list' });
  const msg = h('div', {});
  const orgs = await orgOptions();
  const orgMap = new Map(orgs);
  const name = h('input', { name: 'name', required: true });
  const type = select('type', Object.keys(credTypes), 'snmp');
  const org = select('org_id', orgs, state.user.org_id);
  const desc = h('input', { name: 'description' });
  const typeFields = h('div', { class: 'type-fields' });
  const title = h('h3', {}, 'Add a credential');
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Add credential');
  const cancel = h('button', { type: 'button', hidden: true, onclick: () => startEdit(null) }, 'Cancel');
  let inputs = {};
  let editing = null;
  function drawType() {
    clear(typeFields);
    inputs = {};
    for (const [k, kind] of credTypes[type.value]) {
      let inp;
      if (Array.isArray(kind)) inp = select(k, kind, kind[0]);
      else if (kind === 'secret') inp = h('input', { name: k, type: 'password', autocomplete: 'new-password' });
      else if (kind === 'secret-text') inp = h('textarea', { name: k, rows: 4, autocomplete: 'off', spellcheck: 'false' });
      else inp = h('input', { name: k });
      if (editing && !kind && editing[k] !== undefined) inp.value = editing[k];
      if (editing && Array.isArray(kind) && editing[k]) inp.value = editing[k];
      inputs[k] = inp;
      const secret = kind && !Array.isArray(kind);
      const set = editing && (editing.secrets_set || []).includes(k);
      typeFields.appendChild(field(k + (secret ? ' (secret: stored encrypted, never shown again)' : ''), inp,
        secret && set ? 'set: leave empty to keep it, type a new one to rotate it' : null));
    }
  }
  function startEdit(c) {
    editing = c;
    formMode({ form, msg, title, submit, cancel }, c, 'credential');
    if (c) {
      name.value = c.name;
      type.value = c.type;
      org.value = c.org_id;
      desc.value = c.description || '';
    }
    drawType();
    if (c) name.focus();
  }
  type.addEventListener('change', drawType);
  const form = h('form', { class: 'card', id: 'cred-form' }, title, msg,
    field('name', name), field('type', type), field('org', org), field('description', desc), typeFields,
    submit, cancel);
  drawType();
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(msg); clearFieldErrors(form);
    const body = { name: name.value.trim(), type: type.value, org_id: Number(org.value) };
    if (desc.value.trim() || editing) body.description = desc.value.trim();
    for (const [k, inp] of Object.entries(inputs)) if (inp.value !== '') body[k] = inp.value;
    try {
      if (editing) await api('PATCH', `/credentials/${editing.id}`, body);
      else await api('POST', '/credentials', body);
      const was = editing;
      // The secrets leave the page: the form is emptied at once.
      startEdit(null);
      msg.appendChild(notice('ok', was
        ? `Credential ${body.name} saved${Object.keys(body).some((k) => isSecret(k)) ? '; the new secret replaces the old one' : ''}.`
        : `Credential ${body.name} added; its secrets are stored encrypted and will not be shown again.`));
      await drawList();
    } catch (err) {
      for (const inp of Object.values(inputs)) if (inp.type === 'password' || inp.tagName === 'TEXTAREA') inp.value = '';
      showFieldErrors(form, msg, err);
    }
  });
  function isSecret(k) {
    return Object.values(credTypes).some((f) => f.some(([n, kind]) => n === k && kind && !Array.isArray(kind)));
  }
  // the test form: one address (and port), the server's answer below
  const testMsg = h('div', { id: 'cred-test-result', 'aria-live': 'polite' });
  const testAddr = h('input', { name: 'address', required: true, placeholder: '192.0.2.10', autocomplete: 'off' });
  const testPort = h('input', { name: 'port', type: 'number', min: 1, max: 65535, placeholder: 'default' });
  const testTitle = h('h3', {}, 'Test a credential');
  const testForm = h('form', { class: 'card', id: 'cred-test', hidden: true }, testTitle,
    h('p', { class: 'muted' }, 'Tries it once against one address: an SNMP request, an SSH login that runs nothing, or a Windows login over SMB that reads the computer name and OS version.'),
    field('address', testAddr), field('port', testPort, 'empty: 161 for SNMP, 22 for SSH, 445 for Windows'),
    h('button', { type: 'submit', class: 'primary' }, 'Test'), testMsg);
  let testing = null;
  testForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(testMsg); clearFieldErrors(testForm);
    const body = { address: testAddr.value.trim() };
    if (testPort.value) body.port = Number(testPort.value);
    testMsg.appendChild(notice('info', `Testing ${testing.name} on ${body.address}…`));
    try {
      const r = await api('POST', `/credentials/${testing.id}/test`, body);
      clear(testMsg);
      testMsg.appendChild(notice(r.ok ? 'ok' : 'error', (r.ok ? 'It works: ' : 'It did not work: ') + r.message));
    } catch (err) { clear(testMsg); showFieldErrors(testForm, testMsg, err); }
  });
  function startTest(c) {
    testing = c;
    testForm.hidden = false;
    testTitle.textContent = `Test ${c.name} (${c.type})`;
    clear(testMsg);
    testAddr.focus();
  }
  const canEdit = state.user.role !== 'user';
  async function drawList() {
    const res = await api('GET', '/credentials');
    const rows = res.results || res;
    clear(listBox);
    listBox.appendChild(table([
      { key: 'name' }, { key: 'type' }, { key: 'org_id', label: 'org', render: (c) => text(orgMap.get(c.org_id) || c.org_id) },
      { key: 'fields', label: 'settings', render: (c) => Object.entries(c).filter(([k]) => !credMeta.includes(k)).map(([k, v]) => `${k}=${text(v)}`).join(', ') },
      { key: 'secrets_set', label: 'secrets', render: (c) => (c.secrets_set || []).map((x) => badge(x + ' set', 'secret')) },
      { key: 'updated', label: 'changed' },
      { key: 'actions', label: '', render: (c) => (canEdit ? [
        h('button', { type: 'button', class: 'edit', dataset: { cred: c.name }, onclick: () => startEdit(c) }, 'Edit'), ' ',
        h('button', { type: 'button', class: 'test', dataset: { cred: c.name }, onclick: () => startTest(c) }, 'Test'), ' ',
        confirmButton('Delete', 'Really delete?', async () => { await api('DELETE', `/credentials/${c.id}`); await drawList(); }),
      ] : '') },
    ], rows, { empty: 'No credentials yet.' }));
  }
  await drawList();
  section(panel, 'Credentials', listBox, canEdit ? form : null);
  if (canEdit) panel.append(testForm);
}

// Users: add; edit role, org, enabled, name and mail (PATCH); set a new
// password; sign out everywhere (DELETE .../sessions); what roles mean.
async function usersTab(panel) {
  const listBox = h('div', { id: 'user-list' });
  const msg = h('div', {});
  const orgs = await orgOptions();
  const orgMap = new Map(orgs);
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

  // the edit card, filled by Edit
  const eMsg = h('div', {});
  const eTitle = h('h3', {}, 'Edit user');
  const eRole = select('role', roles, 'user');
  const eOrg = select('org_id', orgs, state.user.org_id);
  const eEnabled = h('input', { type: 'checkbox', name: 'enabled', id: 'user-edit-enabled' });
  const eFull = h('input', { name: 'full_name' });
  const eMail = h('input', { name: 'email', type: 'email' });
  const ePass = h('input', { name: 'password', type: 'password', autocomplete: 'new-password' });
  const eSessions = h('button', { type: 'button', id: 'user-revoke' }, 'Sign out everywhere');
  const edit = h('form', { class: 'card', id: 'user-edit', hidden: true }, eTitle, eMsg,
    field('role', eRole), field('org', eOrg),
    h('div', { class: 'field' }, h('label', { for: eEnabled.id, class: 'check' }, eEnabled, ' enabled (may sign in)')),
    field('full name', eFull), field('e-mail', eMail),
    field('new password', ePass, 'empty: unchanged; a new one ends the user\u2019s sessions'),
    h('button', { type: 'submit', class: 'primary' }, 'Save'), ' ', eSessions, ' ',
    h('button', { type: 'button', onclick: () => { edit.hidden = true; } }, 'Close'));
  let editing = null;
  function startEdit(u) {
    editing = u;
    clear(eMsg); clearFieldErrors(edit);
    edit.hidden = false;
    eTitle.textContent = `Edit ${u.username || u.name}`;
    if (!roles.includes(u.role)) eRole.appendChild(h('option', { value: u.role }, u.role));
    eRole.value = u.role;
    eOrg.value = u.org_id;
    eEnabled.checked = !!u.enabled;
    eFull.value = u.full_name || '';
    eMail.value = u.email || '';
    ePass.value = '';
    const self = u.id === state.user.id;
    eRole.disabled = self; eOrg.disabled = self; eEnabled.disabled = self;
    eRole.focus();
  }
  edit.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(eMsg); clearFieldErrors(edit);
    const u = editing;
    const body = {};
    if (eRole.value !== u.role) body.role = eRole.value;
    if (Number(eOrg.value) !== u.org_id) body.org_id = Number(eOrg.value);
    if (eEnabled.checked !== !!u.enabled) body.enabled = eEnabled.checked;
    if (eFull.value.trim() !== (u.full_name || '')) body.full_name = eFull.value.trim() || null;
    if (eMail.value.trim() !== (u.email || '')) body.email = eMail.value.trim() || null;
    const done = [];
    try {
      if (Object.keys(body).length) {
        editing = await api('PATCH', `/users/${u.id}`, body);
        done.push('saved' + (body.enabled === false ? ' (disabled: its sessions ended)' : ''));
      }
      if (ePass.value) {
        await api('POST', `/users/${u.id}/password`, { password: ePass.value });
        ePass.value = '';
        done.push('password set (its sessions ended, its API tokens kept)');
      }
      eMsg.appendChild(notice(done.length ? 'ok' : 'info', done.length ? `${u.username || u.name}: ${done.join('; ')}.` : 'Nothing changed.'));
      await drawList();
    } catch (err) { ePass.value = ''; showFieldErrors(edit, eMsg, err); }
  });
  eSessions.addEventListener('click', async () => {
    clear(eMsg);
    try {
      const r = await api('DELETE', `/users/${editing.id}/sessions`);
      eMsg.appendChild(notice('ok', `${r.user} is signed out everywhere: ${r.sessions_ended} session${r.sessions_ended === 1 ? '' : 's'} ended (API tokens kept).`));
    } catch (err) { eMsg.appendChild(errorBox(err)); }
  });

  async function drawList() {
    const res = await api('GET', '/users');
    clear(listBox);
    listBox.appendChild(table([
      { key: 'username', render: (u) => text(u.username || u.name) }, { key: 'full_name', label: 'full name' }, { key: 'role' },
      { key: 'org_id', label: 'org', render: (u) => text(orgMap.get(u.org_id) || u.org_id) },
      { key: 'enabled', render: (u) => (u.enabled ? 'yes' : badge('disabled')) }, { key: 'source', label: 'signs in with' },
      { key: 'last_login', label: 'last login' },
      { key: 'actions', label: '', render: (u) => [
        h('button', { type: 'button', class: 'edit', dataset: { user: u.username || u.name }, onclick: () => startEdit(u) }, 'Edit'), ' ',
        u.id === state.user.id ? '' : confirmButton('Delete', 'Really delete?', async () => { await api('DELETE', `/users/${u.id}`); await drawList(); })] },
    ], res.results || res));
  }
  await drawList();
  section(panel, 'Users', listBox, edit);
  panel.append(h('h3', {}, 'Roles'), h('dl', { class: 'role-help', id: 'role-help' },
    roleHelp.map(([r, d]) => [h('dt', {}, r), h('dd', {}, d)])), form);
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
      orgsChanged();
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
