// Administration, the server's operations: scheduled tasks, saved reports,
// mail (SMTP) settings and directory (LDAP / Active Directory) sign-in
// sources. Plain JSON calls (docs/tasks-reports.md, docs/ldap.md); every
// value is shown through textContent, passwords are write-only.
import { state, h, clear, api, text, table, field, select, notice, errorBox, confirmButton, badge, showFieldErrors, clearFieldErrors, fmtNum, download, ApiError } from './core.js';
import { orgOptions } from './fields.js';

const list = (res) => (res && res.results) || res || [];
const csv = (s) => s.split(/[,\s]+/).map((x) => x.trim()).filter(Boolean);

// The server's message, and next to each field it names (if the form
// has it) the same words with the field outlined (core.js).
export function showError(msg, form, err) {
  showFieldErrors(form, msg, err);
}

/* ---- schedules ---- */

const WEEKDAYS = [[1, 'Monday'], [2, 'Tuesday'], [3, 'Wednesday'], [4, 'Thursday'], [5, 'Friday'], [6, 'Saturday'], [0, 'Sunday']];

// The cron text for a frequency: "M H * * *" daily, "M H * * D" weekly on
// weekday D, "M H N * *" monthly on day N; null for anything else.
export function cronOf(freq, time, weekday, monthday) {
  const m = /^(\d{1,2}):(\d{2})$/.exec(time || '');
  if (!m) return null;
  const at = `${Number(m[2])} ${Number(m[1])}`;
  if (freq === 'daily') return `${at} * * *`;
  if (freq === 'weekly') return `${at} * * ${weekday}`;
  if (freq === 'monthly') return `${at} ${monthday} * *`;
  return null;
}

// The other way: {freq, time, weekday, monthday} for a cron text the
// picker can show, else null (an expert's cron stays as it is).
export function freqOf(cron) {
  const m = /^(\d{1,2}) (\d{1,2}) (\*|\d{1,2}) \* (\*|[0-6])$/.exec((cron || '').trim());
  if (!m || Number(m[1]) > 59 || Number(m[2]) > 23) return null;
  const time = `${m[2].padStart(2, '0')}:${m[1].padStart(2, '0')}`;
  if (m[3] === '*' && m[4] === '*') return { freq: 'daily', time };
  if (m[3] === '*') return { freq: 'weekly', time, weekday: Number(m[4]) };
  if (m[4] === '*' && Number(m[3]) >= 1 && Number(m[3]) <= 28) return { freq: 'monthly', time, monthday: Number(m[3]) };
  return null;
}

// A frequency picker (daily / weekly on a day / monthly on a day, at a
// time) that writes its cron text into input; the input stays editable,
// and a schedule typed there that the picker cannot show turns it to
// "cron (expert)". {el, read(), write()}.
export function schedulePicker(input) {
  const freq = select('frequency', [['daily', 'daily'], ['weekly', 'weekly'], ['monthly', 'monthly'], ['cron', 'cron (expert)']], 'daily');
  const weekday = select('weekday', WEEKDAYS, 1);
  const monthday = h('input', { type: 'number', name: 'monthday', min: 1, max: 28, value: '1' });
  const time = h('input', { type: 'time', name: 'time', value: '06:00', required: true });
  time.defaultValue = '06:00'; // what form.reset() goes back to
  monthday.defaultValue = '1';
  const dayBox = field('on', weekday);
  const mdayBox = field('on day', monthday, '1 to 28: every month has it');
  const timeBox = field('at', time, 'the server\'s local time');
  function show() {
    dayBox.hidden = freq.value !== 'weekly';
    mdayBox.hidden = freq.value !== 'monthly';
    timeBox.hidden = freq.value === 'cron';
  }
  function write() {
    show();
    const cron = cronOf(freq.value, time.value, weekday.value, monthday.value);
    if (cron) input.value = cron;
    else if (freq.value === 'cron') input.focus();
  }
  function read() {
    const f = freqOf(input.value);
    freq.value = f ? f.freq : input.value.trim() ? 'cron' : freq.value;
    if (f) {
      time.value = f.time;
      if (f.weekday !== undefined) weekday.value = String(f.weekday);
      if (f.monthday !== undefined) monthday.value = String(f.monthday);
    }
    show();
  }
  for (const c of [freq, weekday, monthday, time]) c.addEventListener('change', write);
  input.addEventListener('input', read);
  write();
  const el = h('fieldset', { class: 'schedule-picker' }, h('legend', {}, 'how often'),
    h('div', { class: 'row' }, field('runs', freq), dayBox, mdayBox, timeBox));
  return { el, read, write };
}

/* ---- tasks ---- */

export async function tasksTab(panel) {
  const listBox = h('div', { id: 'task-list' });
  const msg = h('div', { id: 'task-msg' });
  const [orgs, reports, discoveries] = await Promise.all([orgOptions(), api('GET', '/reports'), api('GET', '/discoveries')]);
  const name = h('input', { name: 'name', required: true });
  const type = select('type', ['report', 'purge', 'discovery'], 'report');
  const schedule = h('input', { name: 'schedule', required: true, placeholder: '0 6 * * 1 or @daily' });
  const when = schedulePicker(schedule);
  const enabled = h('input', { type: 'checkbox', name: 'enabled', checked: true });
  const org = select('org_id', orgs, state.user.org_id);
  const report = select('report', list(reports).map((r) => [r.id, r.name]));
  const recipients = h('input', { name: 'recipients', placeholder: 'noc@example.org, ops@example.org' });
  const subject = h('input', { name: 'subject' });
  const days = h('input', { name: 'days', type: 'number', min: 1, max: 36500, value: '90' });
  const discovery = select('discovery', list(discoveries).map((d) => [d.id, d.name]));
  const byType = {
    report: [field('report', report), field('recipients', recipients, 'mail addresses, separated by commas'), field('subject', subject, 'optional')],
    purge: [field('days', days, 'older rows are deleted')],
    discovery: [field('discovery', discovery, 'the stored discovery to run (Discoveries page)')],
  };
  const typeBox = h('div', {});
  const drawType = () => { clear(typeBox); typeBox.append(...byType[type.value]); };
  type.addEventListener('change', drawType);
  drawType();
  let editing = null;
  const title = h('h3', {}, 'Add a task');
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Add task');
  const cancelEdit = h('button', { type: 'button', hidden: true, onclick: () => resetForm() }, 'Cancel edit');
  const form = h('form', { class: 'card', id: 'task-form' }, title, msg,
    field('name', name), field('type', type), when.el, field('schedule', schedule, 'written by the choice above; or type cron yourself: minute hour day month weekday, or @hourly @daily @weekly @monthly'),
    h('label', { class: 'check' }, enabled, 'enabled'), typeBox, field('org', org), submit, ' ', cancelEdit);
  function resetForm() {
    editing = null;
    form.reset();
    enabled.checked = true; // reset() restores attributes, not properties
    type.disabled = false;
    org.disabled = false;
    title.textContent = 'Add a task';
    submit.textContent = 'Add task';
    cancelEdit.hidden = true;
    when.write();
    drawType();
  }
  function edit(t) {
    editing = t.id;
    const o = t.options || {};
    name.value = t.name;
    type.value = t.type;
    type.disabled = true;
    schedule.value = t.schedule;
    when.read();
    enabled.checked = !!t.enabled;
    org.value = String(t.org_id);
    org.disabled = true;
    if (o.report !== undefined) report.value = String(o.report);
    recipients.value = (o.recipients || []).join(', ');
    subject.value = o.subject || '';
    days.value = String(o.days || 90);
    if (o.discovery !== undefined) discovery.value = String(o.discovery);
    title.textContent = `Edit task ${t.name}`;
    submit.textContent = 'Save task';
    cancelEdit.hidden = false;
    drawType();
    name.focus();
  }
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(msg); clearFieldErrors(form);
    const body = { name: name.value.trim(), schedule: schedule.value.trim(), enabled: enabled.checked };
    const options = {};
    if (type.value === 'report') {
      options.report = Number(report.value) || report.value;
      options.recipients = csv(recipients.value);
      if (subject.value.trim()) options.subject = subject.value.trim();
    } else if (type.value === 'purge') {
      options.days = Number(days.value);
    } else {
      options.discovery = Number(discovery.value) || discovery.value;
    }
    body.options = options;
    try {
      if (editing) {
        await api('PATCH', `/tasks/${editing}`, body);
        msg.appendChild(notice('ok', `Task ${body.name} saved.`));
      } else {
        await api('POST', '/tasks', Object.assign(body, { type: type.value, org_id: Number(org.value) }));
        msg.appendChild(notice('ok', `Task ${body.name} added.`));
      }
      resetForm();
      await drawList();
    } catch (err) { showError(msg, form, err); }
  });
  async function drawList() {
    const res = await api('GET', '/tasks');
    clear(listBox);
    listBox.appendChild(table([
      { key: 'name' }, { key: 'type' }, { key: 'schedule', render: (t) => h('code', {}, text(t.schedule)) },
      { key: 'enabled', render: (t) => h('input', { type: 'checkbox', checked: t.enabled, 'aria-label': `${t.name} enabled`, onchange: async (e) => {
        clear(msg);
        try { await api('PATCH', `/tasks/${t.id}`, { enabled: e.target.checked }); } catch (err) { msg.appendChild(errorBox(err)); }
        await drawList();
      } }) },
      { key: 'last_run', label: 'last run' },
      { key: 'last_status', label: 'status', render: (t) => (t.last_status ? badge(t.last_status) : '') },
      { key: 'last_result', label: 'last result' },
      { key: 'next_run', label: 'next run' },
      { key: 'actions', label: '', render: (t) => [
        h('button', { type: 'button', 'aria-label': `Run now: ${t.name}`, onclick: async (e) => {
          e.target.disabled = true;
          clear(msg);
          try {
            const done = await api('POST', `/tasks/${t.id}/run`);
            msg.appendChild(notice(done.last_status === 'ok' ? 'ok' : 'error', `${t.name}: ${text(done.last_result)}`));
          } catch (err) { msg.appendChild(errorBox(err)); }
          await drawList();
        } }, 'Run now'), ' ',
        h('button', { type: 'button', 'aria-label': `Edit ${t.name}`, onclick: () => edit(t) }, 'Edit'), ' ',
        confirmButton('Delete', 'Really delete?', async () => { await api('DELETE', `/tasks/${t.id}`); await drawList(); })] },
    ], list(res), { empty: 'No tasks yet.' }));
  }
  await drawList();
  panel.append(h('h2', {}, 'Scheduled tasks'), listBox, form);
}

/* ---- reports ---- */

const REPORT_PAGE = 100;

// A report cell: a host name links to its device (the row's device_id, or
// its id in a device report).
function reportCell(col, resource) {
  if (col !== 'hostname') return null;
  return (row) => {
    const id = row.device_id || (resource === 'devices' ? row.id : null);
    return id ? h('a', { href: `#/device/${id}` }, text(row.hostname) || `device ${id}`) : text(row.hostname);
  };
}

// Downloads the report's CSV: every row, or — past what one download
// holds — the first ones, saying so with the server's X-Truncated words.
async function reportCsv(r, btn, msg) {
  btn.disabled = true;
  msg.textContent = 'preparing…';
  try {
    const res = await fetch(`/api/v1/reports/${r.id}/run?format=csv`, { credentials: 'same-origin' });
    if (!res.ok) throw new ApiError(res.status, await res.json().catch(() => null));
    const body = await res.text();
    const total = Number(res.headers.get('X-Total-Count') || 0);
    const cut = res.headers.get('X-Truncated');
    download(`report-${r.id}.csv`, body);
    msg.textContent = cut ? `The CSV holds ${cut}.` : `${fmtNum(total)} rows saved.`;
  } catch (err) {
    msg.textContent = String(err.message || err);
  } finally { btn.disabled = false; }
}

// The filter language's lookups (docs/api.md), in words.
const LOOKUPS = [['', 'is'], ['n', 'is not'], ['ie', 'is, any case'], ['ic', 'contains'], ['nic', 'does not contain'],
  ['isw', 'starts with'], ['iew', 'ends with'], ['gt', 'is more than / after'], ['gte', 'is at least / from'],
  ['lt', 'is less than / before'], ['lte', 'is at most / until'], ['empty', 'is empty (true or false)']];
const TIME_FIELDS = ['first_seen', 'last_seen', 'time'];

// Adds or replaces one parameter of a query text: conditions are added
// (field__lookup=value, the value URL-encoded as the server decodes it),
// ordering replaces the one there.
export function queryWith(queryText, key, value, replace) {
  const parts = queryText.trim().split('&').filter(Boolean)
    .filter((p) => !replace || p.split('=')[0] !== key);
  parts.push(`${key}=${encodeURIComponent(value).replace(/%2C/g, ',')}`);
  return parts.join('&');
}

// A filter builder over the query input: a field of the resource (the
// server's own list, openapi.json), a lookup and a value make one
// condition; a field and a direction the ordering. Each is written into
// the query text, which stays editable by hand.
function filterBuilder(resource, query, fieldsOf) {
  const fieldSel = h('select', { name: 'b_field' });
  const lookup = select('b_lookup', LOOKUPS, 'ic');
  const value = h('input', { name: 'b_value', placeholder: 'value' });
  const orderSel = h('select', { name: 'b_order' });
  const dir = select('b_dir', [['', 'ascending'], ['-', 'descending']], '');
  const hint = h('small', { id: 'b-hint' });
  function fill() {
    const names = fieldsOf(resource.value);
    for (const sel of [fieldSel, orderSel]) {
      clear(sel);
      for (const f of names) sel.appendChild(h('option', { value: f }, f));
    }
    hint.textContent = '';
  }
  function describe() {
    hint.textContent = TIME_FIELDS.includes(fieldSel.value)
      ? 'a time: 2026-12-01, 2026-12-01 08:00:00, or before now: -24h, -7d, -2w'
      : lookup.value === 'empty' ? 'true: has no value; false: has one' : '';
  }
  const changed = () => query.dispatchEvent(new Event('input'));
  const addCond = h('button', { type: 'button', id: 'b-add', onclick: () => {
    if (!fieldSel.value) return;
    const v = lookup.value === 'empty' && !value.value.trim() ? 'true' : value.value.trim();
    query.value = queryWith(query.value, lookup.value ? `${fieldSel.value}__${lookup.value}` : fieldSel.value, v, false);
    value.value = '';
    changed();
  } }, 'Add condition');
  const addOrder = h('button', { type: 'button', id: 'b-order', onclick: () => {
    if (!orderSel.value) return;
    query.value = queryWith(query.value, 'ordering', dir.value + orderSel.value, true);
    changed();
  } }, 'Sort by it');
  resource.addEventListener('change', fill);
  fieldSel.addEventListener('change', describe);
  lookup.addEventListener('change', describe);
  fill();
  return h('fieldset', { class: 'filter-builder', id: 'report-builder' }, h('legend', {}, 'Build the filter'),
    h('div', { class: 'row' }, field('field', fieldSel), field('condition', lookup), field('value', value), addCond), hint,
    h('div', { class: 'row' }, field('sort by', orderSel), field('direction', dir), addOrder));
}

// The fields of each report resource, as the server lists them.
async function reportFields() {
  const doc = await api('GET', '/openapi.json');
  const of = { devices: doc['x-device-fields'], components: doc['x-component-fields'], changes: doc['x-change-fields'] };
  return (res) => of[res] || [];
}

// "Schedule this report": a task of type report with the frequency
// picker, mailing the report to the recipients.
function scheduleForm(r, box, onDone) {
  clear(box);
  const msg = h('div', { id: 'schedule-msg' });
  const name = h('input', { name: 'name', required: true, value: `Mail: ${r.name}` });
  const cron = h('input', { name: 'schedule', required: true });
  const when = schedulePicker(cron);
  const recipients = h('input', { name: 'recipients', required: true, placeholder: 'noc@example.org, ops@example.org' });
  const subject = h('input', { name: 'subject' });
  const form = h('form', { class: 'card', id: 'schedule-form' },
    h('h3', {}, `Schedule ${r.name}`), msg, field('task name', name), when.el,
    field('schedule', cron, 'cron, written by the choice above (experts may type their own)'),
    field('recipients', recipients, 'mail addresses, separated by commas'), field('subject', subject, 'optional'),
    h('button', { type: 'submit', class: 'primary' }, 'Schedule'), ' ',
    h('button', { type: 'button', onclick: () => clear(box) }, 'Cancel'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearFieldErrors(form);
    const options = { report: r.id, recipients: csv(recipients.value) };
    if (subject.value.trim()) options.subject = subject.value.trim();
    try {
      const t = await api('POST', '/tasks', { name: name.value.trim(), type: 'report', schedule: cron.value.trim(), enabled: true,
        org_id: r.org_id || state.user.org_id, options });
      clear(box);
      box.appendChild(notice('ok', `Scheduled: task ${text(t.name)} (${text(t.schedule)}) mails ${r.name}; next run ${text(t.next_run)}. It is listed under Tasks.`));
      if (onDone) onDone(t);
    } catch (err) { showError(msg, form, err); }
  });
  box.appendChild(form);
  name.focus();
}

export async function reportsTab(panel) {
  const listBox = h('div', { id: 'report-list' });
  const out = h('div', { id: 'report-out' });
  const sched = h('div', { id: 'report-schedule' });
  const msg = h('div', {});
  const name = h('input', { name: 'name', required: true });
  const resource = select('resource', ['devices', 'components', 'changes'], 'devices');
  const query = h('input', { name: 'query', required: true, placeholder: 'os_family=Debian&last_seen__gte=-24h&ordering=hostname' });
  const columns = h('input', { name: 'columns', placeholder: 'hostname, ip, last_seen' });
  const desc = h('input', { name: 'description' });
  const builder = filterBuilder(resource, query, await reportFields());
  const form = h('form', { class: 'card', id: 'report-form' }, h('h3', {}, 'Add a report'), msg,
    field('name', name), field('resource', resource), builder,
    field('query', query, 'the filter text: written by the builder above, or typed in the API\'s filter language (as in /api/v1/devices?…)'),
    field('columns', columns, 'optional; separated by commas'), field('description', desc),
    h('button', { type: 'submit', class: 'primary' }, 'Add report'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(msg); clearFieldErrors(form);
    const body = { name: name.value.trim(), resource: resource.value, query: query.value.trim() };
    if (columns.value.trim()) body.columns = csv(columns.value);
    if (desc.value.trim()) body.description = desc.value.trim();
    try {
      await api('POST', '/reports', body);
      msg.appendChild(notice('ok', `Report ${body.name} added.`));
      form.reset();
      await drawList();
    } catch (err) { showError(msg, form, err); }
  });
  // A run shows the report's true row count and one page of it (the
  // server pages: limit/offset); host names link to their device.
  async function run(r, offset = 0) {
    clear(out);
    out.appendChild(h('p', { class: 'muted' }, `Running ${r.name}…`));
    try {
      const res = await api('GET', `/reports/${r.id}/run?limit=${REPORT_PAGE}&offset=${offset}`);
      clear(out);
      const cols = res.columns || Object.keys(res.results[0] || {});
      const last = offset + res.results.length;
      const prev = h('button', { type: 'button', id: 'report-prev', disabled: offset === 0, onclick: () => run(r, Math.max(0, offset - REPORT_PAGE)) }, '‹ Previous');
      const next = h('button', { type: 'button', id: 'report-next', disabled: last >= res.count, onclick: () => run(r, last) }, 'Next ›');
      const csvMsg = h('span', { class: 'muted', role: 'status' });
      out.append(h('h3', { id: 'report-total' }, `${r.name}: ${fmtNum(res.count)} rows`),
        h('div', { class: 'toolbar' },
          h('button', { type: 'button', id: 'report-csv', onclick: (e) => reportCsv(r, e.target, csvMsg) }, 'Download CSV'), csvMsg),
        table(cols.map((c) => ({ key: c, render: reportCell(c, res.report.resource) })), res.results, { empty: 'The report has no rows.' }),
        h('div', { class: 'pager' }, prev,
          h('span', { class: 'muted', id: 'report-rows' }, res.count ? `rows ${fmtNum(offset + 1)}–${fmtNum(last)} of ${fmtNum(res.count)}` : ''), next));
    } catch (err) { clear(out); out.appendChild(errorBox(err)); }
  }
  async function drawList() {
    const res = await api('GET', '/reports');
    clear(listBox);
    listBox.appendChild(table([
      { key: 'name' }, { key: 'resource' }, { key: 'query', render: (r) => h('code', {}, text(r.query)) },
      { key: 'builtin', render: (r) => (r.builtin ? 'shipped' : '') },
      { key: 'actions', label: '', render: (r) => [
        h('button', { type: 'button', 'aria-label': `Run ${r.name}`, onclick: () => run(r) }, 'Run'), ' ',
        h('button', { type: 'button', 'aria-label': `CSV of ${r.name}`, onclick: (e) => reportCsv(r, e.target, e.target.nextElementSibling) }, 'CSV'),
        h('span', { class: 'muted', role: 'status' }), ' ',
        h('button', { type: 'button', 'aria-label': `Schedule ${r.name}`, onclick: () => scheduleForm(r, sched) }, 'Schedule'), ' ',
        confirmButton('Delete', 'Really delete?', async () => { await api('DELETE', `/reports/${r.id}`); await drawList(); })] },
    ], list(res), { empty: 'No reports.' }));
  }
  await drawList();
  panel.append(h('h2', {}, 'Saved reports'), listBox, sched, out, form);
}

/* ---- mail ---- */

export async function smtpTab(panel) {
  const msg = h('div', { id: 'smtp-msg' });
  const cur = await api('GET', '/settings/smtp');
  const host = h('input', { name: 'host', value: text(cur.host) });
  const port = h('input', { name: 'port', type: 'number', min: 1, max: 65535, value: cur.port ? String(cur.port) : '' });
  const security = select('security', [['starttls', 'STARTTLS (587)'], ['tls', 'implicit TLS (465)'], ['none', 'none (25)']], cur.security || 'starttls');
  const username = h('input', { name: 'username', autocomplete: 'off', value: text(cur.username) });
  const pwState = h('small', { id: 'smtp-password-state' }, cur.password_set ? 'a password is set; leave empty to keep it' : 'no password set');
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'new-password' });
  const clearPw = h('input', { type: 'checkbox', name: 'clear_password' });
  const from = h('input', { name: 'from', value: text(cur.from), placeholder: 'netcensus@example.org' });
  const verify = h('input', { type: 'checkbox', name: 'verify_tls', checked: cur.verify_tls !== false });
  const ca = h('input', { name: 'ca_file', value: text(cur.ca_file), placeholder: '/etc/ssl/certs/internal-ca.pem' });
  const form = h('form', { class: 'card', id: 'smtp-form' }, h('h3', {}, 'Mail server'), msg,
    field('host', host), field('port', port, 'empty: the usual port of the security chosen'), field('security', security),
    field('user name', username, 'empty: no AUTH'), h('div', { class: 'field' }, h('label', { for: 'smtp-password' }, 'password'),
      Object.assign(password, { id: 'smtp-password' }), pwState),
    h('label', { class: 'check' }, clearPw, 'remove the stored password'),
    field('from', from), h('label', { class: 'check' }, verify, 'verify the server\'s certificate'), field('CA file', ca, 'optional'),
    h('button', { type: 'submit', class: 'primary' }, 'Save'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(msg); clearFieldErrors(form);
    const body = { host: host.value.trim(), security: security.value, username: username.value.trim(), from: from.value.trim(), verify_tls: verify.checked };
    if (port.value) body.port = Number(port.value);
    if (ca.value.trim()) body.ca_file = ca.value.trim();
    if (clearPw.checked) body.password = '';
    else if (password.value) body.password = password.value;
    password.value = '';
    clearPw.checked = false;
    try {
      const saved = await api('PUT', '/settings/smtp', body);
      pwState.textContent = saved && saved.password_set ? 'a password is set; leave empty to keep it' : 'no password set';
      msg.appendChild(notice('ok', 'Mail settings saved.'));
    } catch (err) { showError(msg, form, err); }
  });
  const tmsg = h('div', { id: 'smtp-test-msg', 'aria-live': 'polite' });
  const to = h('input', { name: 'to', type: 'email', required: true, placeholder: 'me@example.org' });
  const test = h('form', { class: 'card', id: 'smtp-test' }, h('h3', {}, 'Send a test mail'),
    field('to', to), h('button', { type: 'submit' }, 'Send test mail'), tmsg);
  test.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(tmsg);
    tmsg.appendChild(h('p', { class: 'muted' }, 'Sending…'));
    try {
      const res = await api('POST', '/settings/smtp/test', { to: to.value.trim() });
      clear(tmsg);
      tmsg.appendChild(notice('ok', `Sent to ${text(res.to)}. The server answered: ${text(res.answer)}`));
    } catch (err) {
      clear(tmsg);
      tmsg.appendChild(notice('error', `Not sent: ${err.message}`));
    }
  });
  panel.append(h('h2', {}, 'Mail (SMTP)'), form, test);
}

/* ---- directory sign-in ---- */

const ldapText = ['name', 'url', 'ca_file', 'base_dn', 'user_dn_template', 'bind_dn', 'user_filter', 'group_base_dn', 'domain'];

export async function ldapTab(panel) {
  const listBox = h('div', { id: 'ldap-list' });
  const msg = h('div', { id: 'ldap-msg' });
  const inp = {};
  for (const k of ldapText) inp[k] = h('input', { name: k, autocomplete: 'off' });
  inp.name.required = true;
  inp.url.required = true;
  inp.url.placeholder = 'ldap://HOST:389 or ldaps://HOST:636';
  inp.user_dn_template.placeholder = 'uid=%s,ou=People,dc=example,dc=org';
  const type = select('type', [['openldap', 'OpenLDAP'], ['active_directory', 'Active Directory']], 'openldap');
  const starttls = h('input', { type: 'checkbox', name: 'starttls' });
  const enabled = h('input', { type: 'checkbox', name: 'enabled', checked: true });
  const bindPw = h('input', { name: 'bind_password', type: 'password', autocomplete: 'new-password' });
  const groupAttr = select('group_attribute', ['member', 'memberUid', 'memberOf'], 'member');
  const maps = h('div', { id: 'ldap-mappings' });
  function mapRow(m = {}) {
    const g = h('input', { name: 'map_group', value: text(m.group), 'aria-label': 'group', placeholder: 'cn=netadmins,ou=Groups,…' });
    const r = select('map_role', ['user', 'org_admin', 'admin'], m.role || 'user');
    r.setAttribute('aria-label', 'role');
    const o = h('input', { name: 'map_org', value: text(m.org), 'aria-label': 'org', placeholder: 'org (optional)' });
    const row = h('div', { class: 'maprow' }, g, r, o, h('button', { type: 'button', 'aria-label': 'remove this mapping', onclick: () => row.remove() }, 'Remove'));
    maps.appendChild(row);
  }
  const form = h('form', { class: 'card', id: 'ldap-form' }, h('h3', {}, 'Add or replace a source (by name)'), msg,
    field('name', inp.name), field('type', type), field('URL', inp.url), h('label', { class: 'check' }, starttls, 'StartTLS (with ldap://)'),
    field('CA file', inp.ca_file), field('base DN', inp.base_dn), field('user DN template', inp.user_dn_template, 'OpenLDAP; one %s'),
    field('bind DN', inp.bind_dn, 'a service account to search with (instead of a template)'),
    h('div', { class: 'field' }, h('label', { for: 'ldap-bind-pw' }, 'bind password'), Object.assign(bindPw, { id: 'ldap-bind-pw' }),
      h('small', {}, 'write-only: never shown again')),
    field('user filter', inp.user_filter, 'one %s; default (uid=%s)'), field('group base DN', inp.group_base_dn),
    field('group attribute', groupAttr), field('AD domain', inp.domain, 'Active Directory: the user@domain suffix'),
    h('label', { class: 'check' }, enabled, 'enabled'),
    h('fieldset', {}, h('legend', {}, 'Group → role (and org)'), maps,
      h('button', { type: 'button', onclick: () => mapRow() }, 'Add a mapping')),
    h('button', { type: 'submit', class: 'primary' }, 'Save source'));
  mapRow();
  function fill(s) {
    form.reset();
    for (const k of ldapText) inp[k].value = text(s[k]);
    type.value = s.type;
    starttls.checked = !!s.starttls;
    enabled.checked = s.enabled !== false;
    groupAttr.value = s.group_attribute || 'member';
    clear(maps);
    for (const m of s.mappings || []) mapRow(m);
    inp.name.focus();
  }
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(msg); clearFieldErrors(form);
    const body = { type: type.value, starttls: starttls.checked, enabled: enabled.checked, group_attribute: groupAttr.value };
    for (const k of ldapText) if (inp[k].value.trim()) body[k] = inp[k].value.trim();
    if (bindPw.value) body.bind_password = bindPw.value;
    bindPw.value = '';
    body.mappings = [...maps.querySelectorAll('.maprow')].map((row) => {
      const m = { group: row.querySelector('[name=map_group]').value.trim(), role: row.querySelector('[name=map_role]').value };
      const o = row.querySelector('[name=map_org]').value.trim();
      if (o) m.org = o;
      return m;
    }).filter((m) => m.group);
    try {
      await api('POST', '/auth-sources', body);
      msg.appendChild(notice('ok', `Source ${body.name} saved.`));
      form.reset();
      enabled.checked = true;
      clear(maps);
      mapRow();
      await drawList();
    } catch (err) { showError(msg, form, err); }
  });
  const tmsg = h('div', { id: 'ldap-test-msg', 'aria-live': 'polite' });
  const tSource = select('source', []);
  const tUser = h('input', { name: 'username', autocomplete: 'off', required: true });
  const tPass = h('input', { name: 'password', type: 'password', autocomplete: 'off' });
  const test = h('form', { class: 'card', id: 'ldap-test' }, h('h3', {}, 'Test a source'),
    field('source', tSource), field('user name', tUser), field('password', tPass),
    h('button', { type: 'submit' }, 'Test'), tmsg);
  test.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(tmsg);
    const body = { username: tUser.value, password: tPass.value };
    tPass.value = '';
    try {
      const r = await api('POST', `/auth-sources/${tSource.value}/test`, body);
      tmsg.appendChild(r.authenticated
        ? notice('ok', `Authenticated as ${text(r.dn)}; groups: ${(r.groups || []).join('; ') || 'none'}; role: ${text(r.role) || 'none'}${r.org ? `; org: ${r.org}` : ''}`)
        : notice('error', `Refused: ${text(r.reason || r.error) || 'not authenticated'}`));
    } catch (err) { tmsg.appendChild(notice('error', `Cannot test: ${err.message}`)); }
  });
  async function drawList() {
    const res = list(await api('GET', '/auth-sources'));
    clear(listBox);
    listBox.appendChild(table([
      { key: 'name' }, { key: 'type' }, { key: 'url' },
      { key: 'mode', label: 'sign-in', render: (s) => (s.user_dn_template ? 'DN template' : s.bind_dn ? 'search then bind' : s.domain ? 'user@domain' : '') },
      { key: 'mappings', render: (s) => (s.mappings || []).map((m) => `${m.group} → ${m.role}${m.org ? ' @ ' + m.org : ''}`).join('; ') },
      { key: 'enabled', render: (s) => (s.enabled === false ? 'no' : 'yes') },
      { key: 'origin' },
      { key: 'actions', label: '', render: (s) => [
        h('button', { type: 'button', 'aria-label': `Edit ${s.name}`, onclick: () => fill(s) }, 'Edit'), ' ',
        confirmButton('Delete', 'Really delete?', async () => { await api('DELETE', `/auth-sources/${s.id}`); await drawList(); })] },
    ], res, { empty: 'No directory sources: only local users sign in.' }));
    clear(tSource);
    for (const s of res) tSource.appendChild(h('option', { value: s.id }, s.name));
    test.hidden = !res.length;
  }
  await drawList();
  panel.append(h('h2', {}, 'Directory sign-in (LDAP / Active Directory)'), listBox, form, test);
}
