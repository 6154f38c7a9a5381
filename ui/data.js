// Data management (docs/ui.md, "Data"): import devices from a CSV file
// with a preview of every line, create a device by hand, define custom
// fields; plus the pieces other pages use — the device list's selection
// and bulk bar (deviceSelection, hooked in by devices.js) and the custom
// fields of one device (customFieldsPanel, hooked in by device.js).
import { state, h, clear, api, text, fmtNum, tabs, field, select, notice, errorBox, confirmButton, showFieldErrors, clearFieldErrors, buildQuery } from './core.js';

const canWrite = () => state.user && (state.user.role === 'admin' || state.user.role === 'org_admin');

// The columns a devices CSV may have (docs/device-report.md, "CSV").
const csvColumns = 'hostname (or name), fqdn, domain, ip, mac (or mac_address), serial, uuid, ' +
  'manufacturer, model, type, form_factor, os_group, os_family, os_name, os_version, sysName, ' +
  'sysDescr, sysObjectID, sysLocation, sysContact, status, owner, location, tags, description, ' +
  'org (a name) or org_id, custom.NAME';

// The fields the New device form offers, in order.
const createFields = ['hostname', 'fqdn', 'ip', 'mac', 'serial', 'type', 'manufacturer', 'model',
  'os_family', 'os_name', 'os_version', 'status', 'owner', 'location', 'tags', 'description'];

async function orgList() {
  const res = await api('GET', '/orgs');
  return res.results || res;
}

async function fieldList() {
  return (await api('GET', '/custom-fields')).results;
}

// An input for custom field f, named custom.NAME (or NAME) so the
// server's field errors land next to it.
function customInput(f, name, value) {
  let inp;
  if (f.type === 'list') {
    inp = select(name, [['', '—']].concat(f.allowed.map((v) => [v, v])), value || '');
  } else {
    inp = h('input', { name, type: f.type === 'date' ? 'date' : 'text', inputmode: f.type === 'number' ? 'decimal' : null });
    inp.value = value || '';
  }
  inp.dataset.custom = f.name;
  return inp;
}

// ---- the Data page ----

export async function dataPage(el, r) {
  document.title = 'Data — netcensus';
  el.appendChild(h('h1', {}, 'Data'));
  if (!canWrite()) {
    el.appendChild(notice('info', 'Importing and creating devices needs the org_admin or admin role.'));
  }
  const list = [
    { id: 'import', label: 'Import CSV', render: (p) => importTab(p).catch((e) => p.appendChild(errorBox(e))) },
    { id: 'new', label: 'New device', render: (p) => newDeviceTab(p).catch((e) => p.appendChild(errorBox(e))) },
    { id: 'fields', label: 'Custom fields', render: (p) => fieldsTab(p).catch((e) => p.appendChild(errorBox(e))) },
  ];
  el.appendChild(tabs(list, r.parts[1] || 'import', (tab) => history.replaceState(null, '', '#/data/' + tab)));
  return null;
}

// ---- Import CSV ----

async function importTab(panel) {
  const orgs = await orgList();
  const file = h('input', { type: 'file', name: 'file', id: 'csv-file', accept: '.csv,text/csv' });
  const org = select('org_id', orgs.map((o) => [o.id, o.name]), state.user.org_id);
  org.id = 'csv-org';
  const preview = h('button', { type: 'button', class: 'primary', id: 'csv-preview', disabled: !canWrite() }, 'Preview');
  const store = h('button', { type: 'button', id: 'csv-import', disabled: true }, 'Import');
  const msg = h('div', { id: 'csv-msg' });
  const out = h('div', { id: 'csv-result' });
  let textValue = null;
  panel.append(
    h('p', {}, 'A devices CSV, as Open-AudIT exports it or a spreadsheet saves it: the first line names the columns. ',
      'Each line is matched to a stored device like an audit (serial, MAC, host name, …) and creates or updates it. ',
      'Preview shows what every line would do and stores nothing; a file with any bad line is refused whole.'),
    h('details', {}, h('summary', {}, 'Columns accepted'), h('p', { class: 'muted' }, csvColumns,
      '. Other columns are listed as ignored.')),
    h('form', { class: 'card', id: 'csv-form', onsubmit: (e) => e.preventDefault() },
      field('CSV file', file), field('Org for lines without an org column', org),
      h('div', { class: 'toolbar' }, preview, store), msg),
    out);
  file.addEventListener('change', () => { textValue = null; store.disabled = true; clear(out); clear(msg); });

  async function send(dryRun) {
    clear(msg);
    if (!file.files.length) { msg.appendChild(notice('error', 'Choose a CSV file first.')); return; }
    if (textValue === null) textValue = await file.files[0].text();
    preview.disabled = store.disabled = true;
    msg.appendChild(notice('info', dryRun ? 'Checking every line…' : 'Importing…'));
    const q = (dry) => buildQuery({ dry_run: dry ? 'true' : 'false', org_id: org.value });
    let res;
    try {
      try {
        res = await api('POST', '/devices/import' + q(dryRun), { csv: textValue });
      } catch (err) {
        // 422: a line is bad and nothing was stored; its preview holds
        // the same lines with their errors
        if (err.status !== 422) throw err;
        res = await api('POST', '/devices/import' + q(true), { csv: textValue });
        res.dry_run = false;
      }
    } catch (err) {
      clear(msg); msg.appendChild(errorBox(err)); preview.disabled = false; return;
    }
    clear(msg);
    drawResult(out, res);
    preview.disabled = false;
    store.disabled = !dryRun;
  }
  preview.addEventListener('click', () => send(true));
  store.addEventListener('click', () => send(false));
}

// The result of an import or its preview: a summary, the bad lines with
// the column at fault, then what each line does (the first 500).
function drawResult(out, res) {
  clear(out);
  const lines = res.rows.length;
  const what = `${fmtNum(lines)} lines: ${fmtNum(res.created)} to create, ${fmtNum(res.updated)} to update, ${fmtNum(res.errors)} with errors`;
  let verdict;
  if (res.stored) verdict = notice('ok', `Stored: ${fmtNum(res.created)} devices created, ${fmtNum(res.updated)} updated.`);
  else if (res.errors) verdict = notice('error', `The file is refused: ${fmtNum(res.errors)} lines have errors. Nothing was stored. Fix them and preview again.`);
  else verdict = notice('info', 'Preview only: nothing was stored. Import stores it.');
  out.append(verdict, h('p', { id: 'csv-summary', dataset: { created: res.created, updated: res.updated, errors: res.errors, stored: res.stored } }, what));
  if (res.ignored && res.ignored.length) out.appendChild(h('p', { class: 'muted' }, 'Columns ignored: ', res.ignored.join(', ')));
  const bad = res.rows.filter((r) => r.action === 'error');
  if (bad.length) {
    const rows = [];
    for (const r of bad) for (const e of r.errors) rows.push({ line: r.line, column: e.column, message: e.message, hostname: r.hostname });
    out.append(h('h3', {}, 'Lines with errors'), h('div', { class: 'table-wrap' }, h('table', { class: 'grid', id: 'csv-errors' },
      h('thead', {}, h('tr', {}, ['Line', 'Column', 'Error', 'Host name'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, rows.map((e) => h('tr', {}, h('td', {}, String(e.line)), h('td', {}, text(e.column) || '—'),
        h('td', {}, text(e.message)), h('td', {}, text(e.hostname))))))));
  }
  const shown = res.rows.filter((r) => r.action !== 'error').slice(0, 500);
  if (shown.length) {
    out.append(h('h3', {}, res.stored ? 'Stored lines' : 'What each line would do'),
      h('div', { class: 'table-wrap' }, h('table', { class: 'grid', id: 'csv-lines' },
        h('thead', {}, h('tr', {}, ['Line', 'Action', 'Device', 'Matched by', 'Host name', 'IP'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, shown.map((r) => h('tr', { class: 'csv-' + r.action },
          h('td', {}, String(r.line)), h('td', {}, r.action),
          h('td', {}, r.device_id ? h('a', { href: `#/device/${r.device_id}` }, `#${r.device_id}`) : '—'),
          h('td', {}, text(r.rule) || '—'), h('td', {}, text(r.hostname)), h('td', {}, text(r.ip))))))));
    if (shown.length < lines - bad.length) out.appendChild(h('p', { class: 'muted' }, `The first ${shown.length} of ${fmtNum(lines - bad.length)} lines shown.`));
  }
}

// ---- New device ----

async function newDeviceTab(panel) {
  const [orgs, fields] = await Promise.all([orgList(), fieldList()]);
  const msg = h('div', {});
  const inputs = {};
  const form = h('form', { class: 'card', id: 'new-device' }, h('h2', {}, 'New device'),
    h('p', { class: 'muted' }, 'Stored through the same matching as audits: a device that matches a stored one is refused with its number.'), msg);
  for (const k of createFields) {
    inputs[k] = k === 'description' ? h('textarea', { name: k, rows: 3 }) : h('input', { name: k });
    form.appendChild(field(k, inputs[k]));
  }
  const org = select('org_id', orgs.map((o) => [o.id, o.name]), state.user.org_id);
  form.appendChild(field('org', org));
  for (const f of fields) {
    inputs['custom.' + f.name] = customInput(f, 'custom.' + f.name, '');
    form.appendChild(field(f.label || f.name, inputs['custom.' + f.name], `custom field ${f.name} (${f.type})`));
  }
  form.appendChild(h('button', { type: 'submit', class: 'primary', disabled: !canWrite() }, 'Create device'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(msg); clearFieldErrors(form);
    const body = { org_id: Number(org.value), custom: {} };
    for (const [k, inp] of Object.entries(inputs)) {
      const v = inp.value.trim();
      if (!v) continue;
      if (k.startsWith('custom.')) body.custom[k.slice(7)] = v;
      else body[k] = v;
    }
    try {
      const dev = await api('POST', '/devices', body);
      location.hash = `#/device/${dev.id}`;
    } catch (err) { showFieldErrors(form, msg, err); }
  });
  panel.appendChild(form);
}

// ---- Custom fields ----

async function fieldsTab(panel) {
  const [orgs, fields] = await Promise.all([orgList(), fieldList()]);
  const orgName = (id) => id === null ? 'every org (global)' : (orgs.find((o) => o.id === id) || {}).name || `org ${id}`;
  const mine = (f) => f.org_id === null ? state.user.root_admin : orgs.some((o) => o.id === f.org_id);
  const listBox = h('div', { id: 'field-list' });
  listBox.appendChild(h('div', { class: 'table-wrap' }, h('table', { class: 'grid', id: 'custom-fields' },
    h('thead', {}, h('tr', {}, ['Name', 'Label', 'Type', 'Allowed values', 'Org', h('span', { class: 'sr-only' }, 'Actions')].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, fields.length ? fields.map((f) => h('tr', { dataset: { name: f.name } },
      h('td', {}, h('code', {}, 'custom.' + f.name)), h('td', {}, text(f.label)), h('td', {}, f.type),
      h('td', {}, f.allowed.join(', ')), h('td', {}, orgName(f.org_id)),
      h('td', { class: 'actions' }, canWrite() && mine(f) ? confirmButton('Delete', 'Really delete? (its values too)', async () => {
        await api('DELETE', `/custom-fields/${f.id}`);
        clear(panel); await fieldsTab(panel);
      }) : null)))
      : h('tr', {}, h('td', { colspan: 6, class: 'empty' }, 'No custom field yet.'))))));
  panel.append(h('p', {}, 'Fields of your own on every device: filter on them in the device list\'s address or the API ',
    h('code', {}, 'custom.rack=R12'), ', and they are in the device CSV export and import.'), listBox);
  if (!canWrite()) return;
  const msg = h('div', {});
  const name = h('input', { name: 'name', required: true, pattern: '[a-z][a-z0-9_]{0,31}' });
  const label = h('input', { name: 'label' });
  const type = select('type', ['text', 'number', 'date', 'list'], 'text');
  const allowed = h('textarea', { name: 'allowed', rows: 2, placeholder: 'R1, R2, R12' });
  const allowedField = field('allowed values (for a list, comma-separated)', allowed);
  const orgChoices = (state.user.root_admin ? [['', 'every org (global)']] : []).concat(orgs.map((o) => [o.id, o.name]));
  const org = select('org_id', orgChoices, state.user.org_id);
  const showAllowed = () => { allowedField.hidden = type.value !== 'list'; };
  type.addEventListener('change', showAllowed);
  showAllowed();
  const form = h('form', { class: 'card', id: 'field-form' }, h('h2', {}, 'Add a custom field'), msg,
    field('name (a-z, 0-9, _)', name), field('label', label), field('type', type), allowedField, field('applies to', org),
    h('button', { type: 'submit', class: 'primary' }, 'Add field'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(msg); clearFieldErrors(form);
    const body = { name: name.value.trim(), type: type.value, org_id: org.value === '' ? null : Number(org.value) };
    if (label.value.trim()) body.label = label.value.trim();
    if (type.value === 'list') body.allowed = allowed.value.split(',').map((s) => s.trim()).filter(Boolean);
    try {
      await api('POST', '/custom-fields', body);
      clear(panel); await fieldsTab(panel);
      panel.insertBefore(notice('ok', `Added custom.${body.name}.`), panel.firstChild);
    } catch (err) { showFieldErrors(form, msg, err); }
  });
  panel.appendChild(form);
}

// ---- a device's custom fields (device.js) ----

// The fields that apply to dev: global ones, its org's and its parents'
// (a field of an org above the caller's is one the list has but the
// caller's org list does not).
function applying(fields, orgs, dev) {
  const parent = new Map(orgs.map((o) => [o.id, o.parent_id]));
  const up = new Set();
  for (let o = dev.org_id; o !== null && o !== undefined && !up.has(o); o = parent.get(o)) up.add(o);
  return fields.filter((f) => f.org_id === null || up.has(f.org_id) || !parent.has(f.org_id));
}

export async function customFieldsPanel(box, dev) {
  const [fields, orgs] = await Promise.all([fieldList(), orgList()]);
  const list = applying(fields, orgs, dev);
  const values = dev.custom || {};
  if (!list.length) return;
  const msg = h('div', {});
  const inputs = {};
  const form = h('form', { class: 'edit', id: 'device-custom' }, h('h3', {}, 'Custom fields'), msg);
  for (const f of list) {
    inputs[f.name] = customInput(f, f.name, values[f.name]);
    inputs[f.name].disabled = !canWrite();
    form.appendChild(field(f.label || f.name, inputs[f.name]));
  }
  if (canWrite()) form.appendChild(h('button', { type: 'submit', class: 'primary' }, 'Save custom fields'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(msg); clearFieldErrors(form);
    const body = {};
    for (const [k, inp] of Object.entries(inputs)) {
      const v = inp.value.trim();
      if (v !== (values[k] || '')) body[k] = v === '' ? null : v;
    }
    if (!Object.keys(body).length) { msg.appendChild(notice('info', 'Nothing changed.')); return; }
    try {
      const res = await api('PUT', `/devices/${dev.id}/custom`, body);
      dev.custom = res.custom;
      Object.keys(values).forEach((k) => delete values[k]);
      Object.assign(values, res.custom);
      msg.appendChild(notice('ok', 'Saved.'));
    } catch (err) { showFieldErrors(form, msg, err); }
  });
  box.appendChild(form);
}

// ---- selection and bulk edit in the device list (devices.js) ----

// Adds a checkbox column to the device table (head: select the page) and
// a bar that edits the selection — the ticked devices, or every device
// of the current filter — in one POST /api/v1/devices/bulk. Returns
// {bar, rows(tbody, count)}: put bar above the table, call rows() after
// each page is drawn. For a read-only user: nothing is added.
export function deviceSelection({ headRow, filterRow, query, reload }) {
  if (!canWrite()) return { bar: null, rows: () => {} };
  const picked = new Set();
  let count = 0;
  let all = false; // every device of the filter, not only the ticked ones
  const pageBox = h('input', { type: 'checkbox', id: 'select-page', 'aria-label': 'Select the devices of this page' });
  // the last column, so that the table's own columns keep their places
  // (added once the page has drawn its headings)
  // (devices.js's sort loop reads every heading's .arrow: an empty one)
  const headCell = h('th', { scope: 'col', class: 'select' }, pageBox, h('span', { class: 'arrow', 'aria-hidden': 'true' }));
  const filterCell = h('td', { class: 'select' });
  const info = h('span', { id: 'bulk-count', role: 'status' });
  const allBtn = h('button', { type: 'button', id: 'bulk-all' });
  const status = h('input', { name: 'status', id: 'bulk-status', placeholder: 'status (unchanged)', 'aria-label': 'Status' });
  const loc = h('input', { name: 'location', id: 'bulk-location', placeholder: 'location (unchanged)', 'aria-label': 'Location' });
  const tagsAdd = h('input', { name: 'tags_add', id: 'bulk-tags-add', placeholder: 'tags to add', 'aria-label': 'Tags to add (comma-separated)' });
  const tagsRemove = h('input', { name: 'tags_remove', id: 'bulk-tags-remove', placeholder: 'tags to remove', 'aria-label': 'Tags to remove (comma-separated)' });
  const org = h('select', { name: 'org_id', id: 'bulk-org', 'aria-label': 'Move to org' }, h('option', { value: '' }, 'org unchanged'));
  const apply = h('button', { type: 'submit', class: 'primary', id: 'bulk-apply' }, 'Apply');
  const msg = h('div', { id: 'bulk-msg' });
  const form = h('form', { class: 'bulk card', id: 'bulk-bar', hidden: true, 'aria-label': 'Edit the selected devices' },
    h('div', { class: 'toolbar' }, info, allBtn),
    h('div', { class: 'toolbar' }, status, loc, tagsAdd, tagsRemove, org, apply), msg);
  orgList().then((orgs) => { for (const o of orgs) org.appendChild(h('option', { value: o.id }, o.name)); }).catch(() => {});

  function refresh() {
    const n = all ? count : picked.size;
    form.hidden = n === 0;
    info.textContent = all ? `All ${fmtNum(count)} devices of this filter selected` : `${fmtNum(n)} selected`;
    allBtn.textContent = all ? 'Only the ticked ones' : `Select all ${fmtNum(count)} of this filter`;
    allBtn.hidden = !all && count <= picked.size;
    for (const cb of document.querySelectorAll('input.pick')) cb.checked = all || picked.has(Number(cb.value));
    const boxes = [...document.querySelectorAll('input.pick')];
    pageBox.checked = boxes.length > 0 && boxes.every((cb) => cb.checked);
  }
  pageBox.addEventListener('change', () => {
    all = false;
    for (const cb of document.querySelectorAll('input.pick')) {
      if (pageBox.checked) picked.add(Number(cb.value)); else picked.delete(Number(cb.value));
    }
    refresh();
  });
  allBtn.addEventListener('click', () => { all = !all; refresh(); });
  const list = (s) => s.split(',').map((t) => t.trim()).filter(Boolean);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(msg); clearFieldErrors(form);
    const set = {};
    if (status.value.trim()) set.status = status.value.trim();
    if (loc.value.trim()) set.location = loc.value.trim();
    if (list(tagsAdd.value).length) set.tags_add = list(tagsAdd.value);
    if (list(tagsRemove.value).length) set.tags_remove = list(tagsRemove.value);
    if (org.value) set.org_id = Number(org.value);
    if (!Object.keys(set).length) { msg.appendChild(notice('info', 'Type a value to set first.')); return; }
    const body = { set };
    if (all) {
      const q = { ...query() };
      delete q.ordering;
      body.filter = buildQuery(q).replace(/^\?/, '') || 'id__gte=1';
    } else {
      body.ids = [...picked];
    }
    apply.disabled = true;
    try {
      const res = await api('POST', '/devices/bulk', body);
      picked.clear();
      all = false;
      for (const i of [status, loc, tagsAdd, tagsRemove]) i.value = '';
      org.value = '';
      await reload();
      form.hidden = false;
      msg.appendChild(notice('ok', `Changed ${fmtNum(res.changed)} of ${fmtNum(res.matched)} devices.`));
    } catch (err) { showFieldErrors(form, msg, err); } finally { apply.disabled = false; }
  });

  function rows(tbody, total) {
    count = total;
    if (!headCell.parentNode) { headRow.appendChild(headCell); filterRow.appendChild(filterCell); }
    for (const tr of tbody.querySelectorAll('tr[data-id]')) {
      const id = Number(tr.dataset.id);
      const cb = h('input', { type: 'checkbox', class: 'pick', value: id, 'aria-label': `Select device ${id}` });
      cb.addEventListener('change', () => {
        all = false;
        if (cb.checked) picked.add(id); else picked.delete(id);
        refresh();
      });
      tr.appendChild(h('td', { class: 'select' }, cb));
    }
    refresh();
    if (!picked.size && !all) form.hidden = true;
  }
  return { bar: form, rows };
}
